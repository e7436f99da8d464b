//! A secret an integrator signs inbound webhook requests to one hook with.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "hook_secrets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The hook path (`/v1/hooks/{hook}`).
    pub hook: String,
    /// The user a correctly signed request acts as.
    pub owner: String,
    pub secret: String,
    pub created_at: DateTimeUtc,
    /// Set when rotated out; a retired secret no longer verifies anything.
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
