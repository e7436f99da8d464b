//! One customer's data key, wrapped by a master key. Deleting the row crypto-shreds everything
//! sealed under it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customer_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub dek_id: String,
    /// "" for the tenant-wide key (data with no customer).
    pub customer_id: String,
    pub master_key_id: String,
    pub wrapped: Vec<u8>,
    pub created_at: DateTimeUtc,
    pub rotated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
