//! One event on its way to one subscription: the outbox row the dispatcher works from.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "event_deliveries")]
pub struct Model {
    /// Also the `webhook-id` header, the same on every retry so receivers can deduplicate.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub subscription_id: String,
    pub event_type: String,
    /// The exact body sent (and signed).
    pub payload: String,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    pub attempts: i64,
    pub created_at: DateTimeUtc,
    pub next_attempt_at: DateTimeUtc,
    pub give_up_at: DateTimeUtc,
    /// Set while a dispatcher holds the delivery, so two processes never send it at once.
    pub lease_until: Option<DateTimeUtc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i64>,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
