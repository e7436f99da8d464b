//! One step execution seen by a rollout: which arm ran it and, for a shadow, how the candidate's
//! decision compared.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rollout_observations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub rollout_id: String,
    pub run_id: String,
    pub ticket_id: String,
    /// `stable` or `candidate` (canary), `shadow` (shadow).
    pub arm: String,
    /// `succeeded` or `failed`: the attempt of the arm that ran (for a shadow, the candidate's).
    pub status: String,
    /// The decision that was applied.
    pub decision: Option<Json>,
    /// The shadow candidate's decision, recorded and never applied.
    pub candidate: Option<Json>,
    pub error: Option<Json>,
    pub differed: bool,
    /// Field paths that differed (`outcome`, `outputs.queue`, `effects`, ...).
    pub fields: Json,
    pub observed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
