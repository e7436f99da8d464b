//! An effect decided by a step, waiting to be (or already) applied exactly once.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub run_id: String,
    pub ticket_id: String,
    /// A serialized `CaseChange`.
    pub change: Json,
    /// `pending` or `applied`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub applied_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
