//! One HTTP attempt of a delivery: the delivery log operators read when an endpoint misbehaves.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "event_delivery_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub delivery_id: String,
    pub attempt: i64,
    pub at: DateTimeUtc,
    /// The HTTP status, absent when no response arrived.
    pub status: Option<i32>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
