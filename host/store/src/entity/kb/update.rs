//! One CRDT update as a client sent it (after trimming what the server already had).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_updates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub article_id: String,
    /// A Yjs v1 update.
    pub data: Vec<u8>,
    pub actor: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
