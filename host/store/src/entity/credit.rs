//! A credit issued to a customer by a workflow effect; `credit-history` reads these.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub customer: String,
    pub amount_cents: i64,
    pub currency: String,
    pub kind: String,
    pub reason: String,
    pub run_id: String,
    pub issued_at_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
