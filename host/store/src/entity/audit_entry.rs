//! One audit log entry. Rows are only ever inserted; `weft audit verify` detects any other change.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entries")]
pub struct Model {
    /// 1 for the first entry, +1 for each one after; no gaps.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub at: DateTimeUtc,
    /// Username (or `cli:<os user>` for bootstrap commands) of whoever did it.
    pub actor: String,
    /// What was done, e.g. `plugin.publish`.
    pub action: String,
    /// What it was done to, e.g. `router@0.1.0`.
    pub target: String,
    pub details: Json,
    /// Hex SHA-256 `hash` of the previous entry; 64 zeros for the first.
    #[sea_orm(unique)]
    pub prev_hash: String,
    /// Hex SHA-256 over this entry's fields and `prev_hash`; see `audit/chain.rs`.
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
