//! The agent directory: agents and their queues, read by routing through `agents.read`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("agent_queues")
                    .col(string("id").primary_key().take())
                    .col(string("name"))
                    .col(json("skills"))
                    .col(json("languages"))
                    .col(string_null("overflow_queue"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(string("updated_by"))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("agents")
                    .col(string("id").primary_key().take())
                    .col(string("name"))
                    .col(string("team"))
                    .col(boolean("senior"))
                    .col(json("skills"))
                    .col(json("languages"))
                    .col(json("queues"))
                    .col(string("presence"))
                    .col(json("load"))
                    .col(timestamp_with_time_zone_null("last_assigned_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(string("updated_by"))
                    .take(),
            )
            .await?;
        // Routing asks for the agents who can take work now; most of a large roster is offline.
        manager.create_index(Index::create().name("ix_agents_presence").table("agents").col("presence").take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("agents").take()).await?;
        manager.drop_table(Table::drop().table("agent_queues").take()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
