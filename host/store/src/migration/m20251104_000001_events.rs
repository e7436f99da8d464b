//! Outbound events: subscriptions, the delivery outbox and its attempt log.
//!
//! The outbox is the only record of an event that has not reached its endpoint yet, so a restart
//! (or a second process on PostgreSQL) picks up exactly where the last one stopped.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("event_subscriptions")
                    .col(string("id").primary_key().take())
                    .col(text("url"))
                    .col(json("event_types"))
                    .col(text("description"))
                    .col(string("secret"))
                    .col(string("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(boolean("disabled"))
                    .col(big_integer("consecutive_failures"))
                    .col(timestamp_with_time_zone_null("circuit_open_until"))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("event_deliveries")
                    .col(string("id").primary_key().take())
                    .col(string("subscription_id"))
                    .col(string("event_type"))
                    .col(text("payload"))
                    .col(string("status"))
                    .col(big_integer("attempts"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(timestamp_with_time_zone("give_up_at"))
                    .col(timestamp_with_time_zone_null("lease_until"))
                    .col(integer_null("last_status"))
                    .col(text_null("last_error"))
                    .col(big_integer_null("last_latency_ms"))
                    .col(timestamp_with_time_zone_null("delivered_at"))
                    .take(),
            )
            .await?;
        // The dispatcher's one query: "what is due?".
        manager
            .create_index(
                Index::create()
                    .name("ix_event_deliveries_due")
                    .table("event_deliveries")
                    .col("status")
                    .col("next_attempt_at")
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_event_deliveries_subscription")
                    .table("event_deliveries")
                    .col("subscription_id")
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("event_delivery_attempts")
                    .col(big_integer("id").auto_increment().primary_key().take())
                    .col(string("delivery_id"))
                    .col(big_integer("attempt"))
                    .col(timestamp_with_time_zone("at"))
                    .col(integer_null("status"))
                    .col(big_integer("latency_ms"))
                    .col(text_null("error"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_event_delivery_attempts_delivery")
                    .table("event_delivery_attempts")
                    .col("delivery_id")
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["event_delivery_attempts", "event_deliveries", "event_subscriptions"] {
            manager.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
