//! Rollouts of a candidate plugin version on one workflow step (canary or shadow), and what each
//! observed: which arm ran and, for shadows, how the candidate's decision differed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("workflow_rollouts")
                    .col(string("id").primary_key().take())
                    .col(string("workflow"))
                    .col(string("step"))
                    .col(string("candidate"))
                    .col(string("mode"))
                    .col(integer("percent"))
                    .col(string("sticky_by"))
                    .col(string("status"))
                    // `workflow/step` while active, NULL once ended: the unique index allows one
                    // active rollout per step (NULLs never collide, on SQLite and PostgreSQL alike).
                    .col(string_null("active_key"))
                    .col(string("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(string_null("ended_by"))
                    .col(timestamp_with_time_zone_null("ended_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_workflow_rollouts_active")
                    .table("workflow_rollouts")
                    .col("active_key")
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("rollout_observations")
                    .col(big_pk_auto("id"))
                    .col(string("rollout_id"))
                    .col(string("run_id"))
                    .col(string("ticket_id"))
                    .col(string("arm"))
                    .col(string("status"))
                    .col(json_null("decision"))
                    .col(json_null("candidate"))
                    .col(json_null("error"))
                    .col(boolean("differed"))
                    .col(json("fields"))
                    .col(timestamp_with_time_zone("observed_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_rollout_observations_rollout")
                    .table("rollout_observations")
                    .col("rollout_id")
                    .col("id")
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("rollout_observations").take()).await?;
        manager.drop_table(Table::drop().table("workflow_rollouts").take()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
