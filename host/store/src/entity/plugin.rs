//! One published plugin version. Immutable once written: nothing updates or deletes these rows.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "plugins")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Unique together with `version` (index `ux_plugins_name_version`).
    pub name: String,
    pub version: String,
    /// Key into `plugin_blobs`.
    pub digest: String,
    /// The `weft:plugin` WIT package version the component was built against.
    pub contract_version: String,
    pub manifest: Json,
    /// Copied from the blob so listings never read component bytes.
    pub size_bytes: i64,
    pub uploaded_at: DateTimeUtc,
    pub uploaded_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
