//! A candidate plugin version rolled out on one workflow step, as a canary or a shadow.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_rollouts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub workflow: String,
    pub step: String,
    /// `plugin@version`.
    pub candidate: String,
    /// `canary` or `shadow`.
    pub mode: String,
    pub percent: i32,
    /// `ticket` or `customer`.
    pub sticky_by: String,
    /// `active` or `rolled-back`.
    pub status: String,
    /// `workflow/step` while active (unique), NULL once ended.
    pub active_key: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub ended_by: Option<String>,
    pub ended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
