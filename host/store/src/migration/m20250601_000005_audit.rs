//! The audit log: append-only, each entry committing to the one before it by hash.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("audit_entries")
                    // Assigned by the appender (head + 1), not by the database: the number is part
                    // of the hashed content, and the primary key makes a second writer claiming
                    // the same number fail instead of forking the chain.
                    .col(big_integer("seq").primary_key().take())
                    .col(timestamp_with_time_zone("at"))
                    .col(string("actor"))
                    .col(string("action"))
                    .col(string("target"))
                    .col(json("details"))
                    .col(string("prev_hash"))
                    .col(string("hash"))
                    .take(),
            )
            .await?;
        // Two entries chaining from the same predecessor would be a fork; the index turns the
        // racing loser's insert into an error it retries from the new head.
        manager
            .create_index(
                Index::create()
                    .name("ux_audit_entries_prev_hash")
                    .table("audit_entries")
                    .col("prev_hash")
                    .unique()
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("audit_entries").take()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
