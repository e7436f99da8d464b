//! Plugin-scoped key-value state.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("kv_entries")
                    .col(string("scope"))
                    .col(string("key"))
                    .col(text("value"))
                    // The composite key is also the upsert target of `kv_apply`.
                    .primary_key(Index::create().col("scope").col("key"))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("kv_entries").take()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
