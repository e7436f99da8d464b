//! The ticket/case record workflow effects are applied to.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ticket_id: String,
    pub queue: Option<String>,
    pub agent: Option<String>,
    pub tags: Json,
    pub escalation_level: Option<String>,
    pub fields: Json,
    pub redactions: Json,
    /// How many outbox effects were applied to this case: the exactly-once check counts on it.
    pub effects_applied: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
