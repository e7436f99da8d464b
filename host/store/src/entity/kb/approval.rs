//! An approval at one review stage, bound to the content hash the reviewer saw.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_approvals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub article_id: String,
    pub stage: String,
    pub username: String,
    pub content_hash: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
