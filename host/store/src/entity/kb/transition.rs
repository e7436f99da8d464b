//! A stage change: who moved the article from where to where, when and why.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_transitions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub article_id: String,
    pub from_stage: String,
    pub to_stage: String,
    pub actor: String,
    pub note: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
