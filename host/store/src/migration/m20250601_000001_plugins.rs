//! The plugin registry: content-addressed component blobs and immutable name@version records.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("plugin_blobs")
                    .col(string("digest").primary_key().take())
                    .col(big_integer("size_bytes"))
                    .col(blob("bytes"))
                    .col(timestamp_with_time_zone("created_at"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("plugins")
                    .col(big_pk_auto("id"))
                    .col(string("name"))
                    .col(string("version"))
                    .col(string("digest"))
                    .col(string("contract_version"))
                    .col(json("manifest"))
                    .col(big_integer("size_bytes"))
                    .col(timestamp_with_time_zone("uploaded_at"))
                    .col(string("uploaded_by"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_plugins_digest")
                            .from("plugins", "digest")
                            .to("plugin_blobs", "digest")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .take(),
            )
            .await?;

        // The registry's immutability rule lives here: two concurrent publishes of one
        // name@version cannot both commit, whatever the application code does.
        manager
            .create_index(
                Index::create()
                    .name("ux_plugins_name_version")
                    .table("plugins")
                    .col("name")
                    .col("version")
                    .unique()
                    .take(),
            )
            .await?;
        manager.create_index(Index::create().name("ix_plugins_digest").table("plugins").col("digest").take()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("plugins").take()).await?;
        manager.drop_table(Table::drop().table("plugin_blobs").take()).await
    }

    /// SQLite can roll DDL back too; without this a failure halfway leaves half a schema.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
