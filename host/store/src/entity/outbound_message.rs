//! A notification a workflow decided to send; delivery comes with the integrator work.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbound_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub run_id: String,
    pub ticket_id: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// `recorded` until a delivery worker exists.
    pub status: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
