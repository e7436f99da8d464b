//! Deployments: operator configuration of one plugin version, versioned by `revision`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("deployments")
                    .col(string("name").primary_key().take())
                    .col(string("plugin"))
                    .col(string("version"))
                    .col(json("grants"))
                    .col(json("config"))
                    .col(json("limits"))
                    .col(big_integer("revision"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(string("updated_by"))
                    .take(),
            )
            .await?;
        // "Which deployments use this plugin version?" is asked before every rollout and rollback.
        manager
            .create_index(
                Index::create()
                    .name("ix_deployments_plugin_version")
                    .table("deployments")
                    .col("plugin")
                    .col("version")
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("deployments").take()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
