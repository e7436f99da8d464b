//! One immutable version of a workflow definition, with its plugin versions pinned.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i64,
    pub webhook: String,
    /// The YAML as deployed, so validation errors and diffs can refer to its lines.
    pub source: String,
    /// Step id → "plugin@exact-version".
    pub pins: Json,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
