//! A published version: immutable content with the approvals that let it through.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub article_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    pub space: String,
    pub title: String,
    pub body: String,
    pub tags: Json,
    pub content_hash: String,
    pub published_by: String,
    pub published_at: DateTimeUtc,
    /// `[{"stage","user","at"}]`
    pub approvals: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
