//! An article'\''s metadata; its content lives in the update log and snapshots.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_articles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub space: String,
    pub title: String,
    pub tags: Json,
    /// `draft`, a review stage name, `approved` or `published`.
    pub stage: String,
    pub author: String,
    pub last_editor: String,
    /// Hex SHA-256 of the current title, body and tags; approvals bind to it.
    pub content_hash: String,
    pub published_version: Option<i32>,
    pub verification_expires_at: Option<DateTimeUtc>,
    pub flagged: bool,
    pub flag_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
