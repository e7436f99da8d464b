//! Identity: users (people and service accounts), role grants, API tokens, browser sessions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("users")
                    .col(big_pk_auto("id"))
                    .col(string_uniq("username"))
                    .col(string("display_name"))
                    .col(string("kind"))
                    .col(string_null("password_hash"))
                    .col(boolean("disabled"))
                    .col(timestamp_with_time_zone("created_at"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("role_grants")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string("role"))
                    .col(string("scope"))
                    .foreign_key(&mut user_fk("fk_role_grants_user", "role_grants"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_role_grants_user_role_scope")
                    .table("role_grants")
                    .col("user_id")
                    .col("role")
                    .col("scope")
                    .unique()
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("api_tokens")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string("name"))
                    .col(string("prefix"))
                    .col(string_uniq("token_hash"))
                    .col(json("scopes"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("expires_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(timestamp_with_time_zone_null("last_used_at"))
                    .foreign_key(&mut user_fk("fk_api_tokens_user", "api_tokens"))
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_api_tokens_user").table("api_tokens").col("user_id").take())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .col(big_pk_auto("id"))
                    .col(string_uniq("session_hash"))
                    .col(big_integer("user_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(&mut user_fk("fk_sessions_user", "sessions"))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["sessions", "api_tokens", "role_grants", "users"] {
            manager.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

/// Users are disabled, never deleted, so whatever hangs off a user must not outlive it silently.
fn user_fk(name: &'static str, table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, "user_id")
        .to("users", "id")
        .on_delete(ForeignKeyAction::Restrict)
        .take()
}
