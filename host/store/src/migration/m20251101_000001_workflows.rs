//! Workflows: immutable definition versions, runs, step attempts, the effects outbox, and the
//! records effects are applied to (cases, credits, outbound messages).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("workflow_versions")
                    .col(string("name"))
                    .col(big_integer("version"))
                    .col(string("webhook"))
                    .col(text("source"))
                    .col(json("pins"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(string("created_by"))
                    .primary_key(Index::create().col("name").col("version"))
                    .take(),
            )
            .await?;
        // Every webhook request looks its workflow up by path.
        manager
            .create_index(
                Index::create().name("ix_workflow_versions_webhook").table("workflow_versions").col("webhook").take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("workflow_runs")
                    .col(string("id").primary_key().take())
                    .col(string("workflow"))
                    .col(big_integer("version"))
                    .col(string("status"))
                    .col(string("ticket_id"))
                    .col(json("ticket"))
                    .col(string_null("idempotency_key"))
                    .col(json("state"))
                    .col(json_null("error"))
                    .col(json_null("decision"))
                    .col(big_integer_null("deadline_ms"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .take(),
            )
            .await?;
        // The same Idempotency-Key on the same workflow is the same run; NULLs never collide.
        manager
            .create_index(
                Index::create()
                    .name("ux_workflow_runs_idempotency")
                    .table("workflow_runs")
                    .col("workflow")
                    .col("idempotency_key")
                    .unique()
                    .take(),
            )
            .await?;
        // Start-up resumes every run that is not finished.
        manager
            .create_index(Index::create().name("ix_workflow_runs_status").table("workflow_runs").col("status").take())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("workflow_attempts")
                    .col(big_integer("id").auto_increment().primary_key().take())
                    .col(string("run_id"))
                    .col(string("step"))
                    .col(string("kind"))
                    .col(integer("attempt"))
                    .col(string("status"))
                    .col(string("plugin"))
                    .col(json("input"))
                    .col(json_null("decision"))
                    .col(json("effects"))
                    .col(json_null("error"))
                    .col(big_integer("fuel"))
                    .col(big_integer("duration_us"))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone("finished_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_workflow_attempts_run").table("workflow_attempts").col("run_id").take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("workflow_outbox")
                    // run/step/effect-index: a retried or replayed step writes the same keys again.
                    .col(string("key").primary_key().take())
                    .col(string("run_id"))
                    .col(string("ticket_id"))
                    .col(json("change"))
                    .col(string("status"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("applied_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_workflow_outbox_status").table("workflow_outbox").col("status").take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("workflow_timers")
                    // run/kind: a run has one warn and one breach timer, armed with the run.
                    .col(string("id").primary_key().take())
                    .col(string("run_id"))
                    .col(string("kind"))
                    // armed | paused | fired | failed | cancelled
                    .col(string("status"))
                    .col(big_integer_null("due_ms"))
                    // Business time still to go while paused (waiting on the customer).
                    .col(big_integer_null("left_ms"))
                    .col(timestamp_with_time_zone_null("fired_at"))
                    .take(),
            )
            .await?;
        // The timer loop asks "what is due next?" several times a second.
        manager
            .create_index(
                Index::create()
                    .name("ix_workflow_timers_due")
                    .table("workflow_timers")
                    .col("status")
                    .col("due_ms")
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("cases")
                    .col(string("ticket_id").primary_key().take())
                    .col(string_null("queue"))
                    .col(string_null("agent"))
                    .col(json("tags"))
                    .col(string_null("escalation_level"))
                    .col(json("fields"))
                    .col(json("redactions"))
                    .col(big_integer("effects_applied"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("credits")
                    // customer + the plugin's own idempotency key: one credit per key, ever.
                    .col(string("key").primary_key().take())
                    .col(string("customer"))
                    .col(big_integer("amount_cents"))
                    .col(string("currency"))
                    .col(string("kind"))
                    .col(text("reason"))
                    .col(string("run_id"))
                    .col(big_integer("issued_at_ms"))
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_credits_customer").table("credits").col("customer").take())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("outbound_messages")
                    .col(string("key").primary_key().take())
                    .col(string("run_id"))
                    .col(string("ticket_id"))
                    .col(string("channel"))
                    .col(string("recipient"))
                    .col(text("subject"))
                    .col(text("body"))
                    .col(string("status"))
                    .col(timestamp_with_time_zone("created_at"))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "outbound_messages",
            "credits",
            "cases",
            "workflow_timers",
            "workflow_outbox",
            "workflow_attempts",
            "workflow_runs",
            "workflow_versions",
        ] {
            manager.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
