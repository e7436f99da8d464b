//! A named, operator-configured use of one plugin version.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "deployments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub plugin: String,
    pub version: String,
    /// JSON array of capability names granted by the operator.
    pub grants: Json,
    pub config: Json,
    pub limits: Json,
    /// Starts at 1, +1 on every change; the optimistic-concurrency token.
    pub revision: i64,
    pub updated_at: DateTimeUtc,
    pub updated_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
