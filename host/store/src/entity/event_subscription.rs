//! Where outbound events of some types are delivered, and that endpoint's circuit-breaker state.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "event_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub url: String,
    /// JSON array of event type names.
    pub event_types: Json,
    pub description: String,
    /// The Standard Webhooks signing secret (`whsec_` + base64).
    pub secret: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub disabled: bool,
    pub consecutive_failures: i64,
    pub circuit_open_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
