//! A workflow'\''s report that an article did or did not resolve a ticket.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_outcomes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub article_id: String,
    pub resolved: bool,
    pub ticket_id: String,
    pub reporter: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
