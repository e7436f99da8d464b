//! One attempt of one step (or compensation) of a run: what went in, what came out, what it cost.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub run_id: String,
    pub step: String,
    /// `step` or `compensation`.
    pub kind: String,
    pub attempt: i32,
    /// `succeeded`, `failed` or `skipped`.
    pub status: String,
    pub plugin: String,
    pub input: Json,
    pub decision: Option<Json>,
    pub effects: Json,
    pub error: Option<Json>,
    pub fuel: i64,
    pub duration_us: i64,
    pub started_at: DateTimeUtc,
    pub finished_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
