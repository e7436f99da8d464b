//! Component bytes, content-addressed: one row per digest however many plugins share it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plugin_blobs")]
pub struct Model {
    /// `sha256:<hex>` of `bytes`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub digest: String,
    pub size_bytes: i64,
    pub bytes: Vec<u8>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
