//! Inbound webhook signing secrets (several per hook while one rotates) and the receipts that
//! deduplicate signed deliveries by `webhook-id`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("hook_secrets")
                    .col(string("id").primary_key().take())
                    .col(string("hook"))
                    .col(string("owner"))
                    .col(string("secret"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("retired_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_hook_secrets_hook").table("hook_secrets").col("hook").take())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("webhook_receipts")
                    .col(string("hook"))
                    .col(string("webhook_id"))
                    .col(timestamp_with_time_zone("received_at"))
                    .primary_key(Index::create().col("hook").col("webhook_id"))
                    .take(),
            )
            .await?;
        // Pruning deletes by age.
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_receipts_received")
                    .table("webhook_receipts")
                    .col("received_at")
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("webhook_receipts").take()).await?;
        manager.drop_table(Table::drop().table("hook_secrets").take()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
