//! Envelope encryption of personal data: one wrapped data key per customer (plus one for the
//! tenant, customer id ""), and which customer each run belongs to, so a data-subject request
//! finds every row without decrypting the whole database.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("customer_keys")
                    .col(string("dek_id").primary_key().take())
                    .col(string_uniq("customer_id"))
                    // Which master key wrapped it: old and new coexist while a rotation rolls out.
                    .col(string("master_key_id"))
                    // nonce || AES-256-GCM(data key) || tag; blob on SQLite, bytea on PostgreSQL.
                    .col(blob("wrapped"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("rotated_at"))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("run_customers")
                    .col(string("run_id").primary_key().take())
                    .col(string("customer_id"))
                    .col(string("ticket_id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_run_customers_customer").table("run_customers").col("customer_id").take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("run_customers").take()).await?;
        manager.drop_table(Table::drop().table("customer_keys").take()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
