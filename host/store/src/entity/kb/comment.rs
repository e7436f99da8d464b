//! A review comment, optionally anchored to a range of the body by Yjs relative positions.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_comments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub article_id: String,
    pub author: String,
    pub body: String,
    /// Base64 of `Y.encodeRelativePosition` for the start and end of the anchored range.
    pub anchor_start: Option<String>,
    pub anchor_end: Option<String>,
    pub quote: Option<String>,
    pub parent: Option<i64>,
    pub resolved: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
