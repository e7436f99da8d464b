//! API tokens. Only a hash of the secret is stored: a leaked database grants nothing.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The first characters of the token, for telling tokens apart in a list; not enough to use.
    pub prefix: String,
    /// Hex SHA-256 of the whole token text.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// JSON array of scope strings.
    pub scopes: Json,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
