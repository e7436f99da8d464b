//! The compacted state of an article: every update up to `upto_id` applied and re-encoded.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_snapshots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub article_id: String,
    pub upto_id: i64,
    /// `encode_state_as_update_v1` of the document after applying the log up to `upto_id`.
    pub state: Vec<u8>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
