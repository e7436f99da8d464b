//! One execution of a workflow version for one ticket.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workflow: String,
    pub version: i64,
    pub status: String,
    pub ticket_id: String,
    pub ticket: Json,
    pub idempotency_key: Option<String>,
    /// The executor's cursor: the next step, earlier results, compensation progress.
    pub state: Json,
    pub error: Option<Json>,
    pub decision: Option<Json>,
    pub deadline_ms: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
