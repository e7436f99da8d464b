//! Runs and step attempts. A step's attempt, its outbox entries and the run's new cursor are
//! written in one transaction, so after a crash a run is either before the step or after it.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::outbox::CaseChange;
use crate::entity::{run_customer, workflow_attempt, workflow_outbox, workflow_run, workflow_timer};
use crate::error::is_unique_violation;
use crate::pii::seal::{DataKey, Slot};
use crate::pii::{customer_of, seal_json};
use crate::{Store, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    Running,
    /// Waiting for people: an approval step.
    Waiting,
    Compensating,
    Succeeded,
    Failed,
    Compensated,
    CompensationFailed,
    Cancelled,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Waiting => "waiting",
            RunStatus::Compensating => "compensating",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Compensated => "compensated",
            RunStatus::CompensationFailed => "compensation-failed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<RunStatus> {
        [
            RunStatus::Running,
            RunStatus::Waiting,
            RunStatus::Compensating,
            RunStatus::Succeeded,
            RunStatus::Failed,
            RunStatus::Compensated,
            RunStatus::CompensationFailed,
            RunStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    pub fn is_finished(self) -> bool {
        !matches!(self, RunStatus::Running | RunStatus::Waiting | RunStatus::Compensating)
    }

    const ACTIVE: [&'static str; 3] = ["running", "waiting", "compensating"];
}

#[derive(Clone, Debug)]
pub struct NewRun {
    pub id: String,
    pub workflow: String,
    pub version: i64,
    pub ticket_id: String,
    pub ticket: serde_json::Value,
    pub idempotency_key: Option<String>,
    pub state: serde_json::Value,
    pub deadline_ms: Option<i64>,
    /// SLA timers `(kind, due_ms)` armed in the same transaction as the run.
    pub timers: Vec<(String, i64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunRecord {
    pub id: String,
    pub workflow: String,
    pub version: i64,
    pub status: RunStatus,
    pub ticket_id: String,
    pub ticket: serde_json::Value,
    pub idempotency_key: Option<String>,
    pub state: serde_json::Value,
    pub error: Option<serde_json::Value>,
    pub decision: Option<serde_json::Value>,
    pub deadline_ms: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct NewAttempt {
    pub step: String,
    /// `step` or `compensation`.
    pub kind: String,
    pub attempt: i32,
    /// `succeeded`, `failed` or `skipped`.
    pub status: String,
    pub plugin: String,
    pub input: serde_json::Value,
    pub decision: Option<serde_json::Value>,
    pub effects: serde_json::Value,
    pub error: Option<serde_json::Value>,
    pub fuel: i64,
    pub duration_us: i64,
    pub started_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttemptRecord {
    pub id: i64,
    pub step: String,
    pub kind: String,
    pub attempt: i32,
    pub status: String,
    pub plugin: String,
    pub input: serde_json::Value,
    pub decision: Option<serde_json::Value>,
    pub effects: serde_json::Value,
    pub error: Option<serde_json::Value>,
    pub fuel: i64,
    pub duration_us: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
}

/// What one step attempt changes, committed together.
#[derive(Clone, Debug)]
pub struct StepCommit {
    pub attempt: NewAttempt,
    /// `(idempotency key, change)`; a key already present is left as it is.
    pub outbox: Vec<(String, CaseChange)>,
    pub state: serde_json::Value,
    pub status: RunStatus,
    /// Commit only if the run was not changed since this `updated_at` (approval votes race with
    /// the approval's own timeout).
    pub if_unchanged_since: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default)]
pub struct RunFilter {
    pub workflow: Option<String>,
    pub status: Option<RunStatus>,
    /// Keyset cursor: only runs listed after this one (newest first), i.e. the previous page's
    /// last id. Stable while new runs arrive, unlike an offset.
    pub before: Option<String>,
    pub limit: u64,
}

fn to_record(m: workflow_run::Model) -> Result<RunRecord, StoreError> {
    let status = RunStatus::parse(&m.status)
        .ok_or_else(|| StoreError::Corrupt(format!("run {} has unknown status `{}`", m.id, m.status)))?;
    Ok(RunRecord {
        id: m.id,
        workflow: m.workflow,
        version: m.version,
        status,
        ticket_id: m.ticket_id,
        ticket: m.ticket,
        idempotency_key: m.idempotency_key,
        state: m.state,
        error: m.error,
        decision: m.decision,
        deadline_ms: m.deadline_ms,
        created_at: m.created_at,
        updated_at: m.updated_at,
        finished_at: m.finished_at,
    })
}

/// Where each sealed column of a run lives (the associated data of its ciphertext).
pub(crate) fn run_slot<'a>(run_id: &'a str, field: &'a str) -> Slot<'a> {
    Slot { table: "workflow_runs", row: run_id, field }
}

/// Attempt ids are assigned by the database on insert, so the row is named by what identifies
/// the attempt before it is written.
fn attempt_row(run_id: &str, kind: &str, step: &str, attempt: i32) -> String {
    format!("{run_id}/{kind}/{step}/{attempt}")
}

fn attempt_slot<'a>(row: &'a str, field: &'a str) -> Slot<'a> {
    Slot { table: "workflow_attempts", row, field }
}

pub(crate) fn outbox_slot(key: &str) -> Slot<'_> {
    Slot { table: "workflow_outbox", row: key, field: "change" }
}

fn attempt_record(m: workflow_attempt::Model) -> AttemptRecord {
    AttemptRecord {
        id: m.id,
        step: m.step,
        kind: m.kind,
        attempt: m.attempt,
        status: m.status,
        plugin: m.plugin,
        input: m.input,
        decision: m.decision,
        effects: m.effects,
        error: m.error,
        fuel: m.fuel,
        duration_us: m.duration_us,
        started_at: m.started_at,
        finished_at: m.finished_at,
    }
}

fn not_active(id: &str) -> StoreError {
    StoreError::Conflict(format!("run {id} is no longer running (finished or cancelled)"))
}

/// Writes one attempt and its outbox entries inside the caller's transaction; an outbox key
/// already present is left as it is. What went in and came out (ticket, decision, effects) is
/// sealed under the run's customer's data key.
pub(super) async fn record_attempt<C: ConnectionTrait>(
    txn: &C,
    dek: &DataKey,
    run_id: &str,
    ticket_id: &str,
    a: NewAttempt,
    outbox: Vec<(String, CaseChange)>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = attempt_row(run_id, &a.kind, &a.step, a.attempt);
    let input = seal_json(dek, attempt_slot(&row, "input"), &a.input)?;
    let decision = a.decision.as_ref().map(|d| seal_json(dek, attempt_slot(&row, "decision"), d)).transpose()?;
    let effects = seal_json(dek, attempt_slot(&row, "effects"), &a.effects)?;
    workflow_attempt::ActiveModel {
        run_id: Set(run_id.to_owned()),
        step: Set(a.step),
        kind: Set(a.kind),
        attempt: Set(a.attempt),
        status: Set(a.status),
        plugin: Set(a.plugin),
        input: Set(input),
        decision: Set(decision),
        effects: Set(effects),
        error: Set(a.error),
        fuel: Set(a.fuel),
        duration_us: Set(a.duration_us),
        started_at: Set(a.started_at),
        finished_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    for (key, change) in outbox {
        let change = serde_json::to_value(&change)
            .map_err(|e| StoreError::Internal(format!("could not serialize an effect: {e}")))?;
        let change = seal_json(dek, outbox_slot(&key), &change)?;
        workflow_outbox::Entity::insert(workflow_outbox::ActiveModel {
            key: Set(key),
            run_id: Set(run_id.to_owned()),
            ticket_id: Set(ticket_id.to_owned()),
            change: Set(change),
            status: Set("pending".into()),
            created_at: Set(now),
            applied_at: Set(None),
        })
        .on_conflict_do_nothing()
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Creates the run, or returns the existing one with the same workflow and idempotency key
    /// (`false`): a retried webhook must not start a second run.
    pub async fn create_run(&self, new: NewRun) -> Result<(RunRecord, bool), StoreError> {
        if let Some(key) = &new.idempotency_key
            && let Some(existing) = self.run_by_idempotency_key(&new.workflow, key).await?
        {
            return Ok((existing, false));
        }
        let now = crate::now();
        // The key first, outside the transaction (see `data_key_for`).
        let customer = customer_of(&new.ticket).to_owned();
        let dek = self.data_key_for(&customer).await?;
        let ticket = seal_json(&dek, run_slot(&new.id, "ticket"), &new.ticket)?;
        let state = seal_json(&dek, run_slot(&new.id, "state"), &new.state)?;
        let txn = self.db.begin().await?;
        let inserted = workflow_run::ActiveModel {
            id: Set(new.id.clone()),
            workflow: Set(new.workflow.clone()),
            version: Set(new.version),
            status: Set(RunStatus::Running.as_str().to_owned()),
            ticket_id: Set(new.ticket_id.clone()),
            ticket: Set(ticket),
            idempotency_key: Set(new.idempotency_key.clone()),
            state: Set(state),
            error: Set(None),
            decision: Set(None),
            deadline_ms: Set(new.deadline_ms),
            created_at: Set(now),
            updated_at: Set(now),
            finished_at: Set(None),
        }
        .insert(&txn)
        .await;
        match inserted {
            Ok(row) => {
                run_customer::ActiveModel {
                    run_id: Set(row.id.clone()),
                    customer_id: Set(customer),
                    ticket_id: Set(new.ticket_id.clone()),
                }
                .insert(&txn)
                .await?;
                for (kind, due_ms) in &new.timers {
                    workflow_timer::ActiveModel {
                        id: Set(format!("{}/{kind}", row.id)),
                        run_id: Set(row.id.clone()),
                        kind: Set(kind.clone()),
                        status: Set("armed".into()),
                        due_ms: Set(Some(*due_ms)),
                        left_ms: Set(None),
                        fired_at: Set(None),
                    }
                    .insert(&txn)
                    .await?;
                }
                txn.commit().await?;
                let mut record = to_record(row)?;
                record.ticket = new.ticket;
                record.state = new.state;
                Ok((record, true))
            }
            Err(err) if is_unique_violation(&err) => {
                txn.rollback().await?;
                // The same key arrived twice at once; the loser answers with the winner's run.
                let key = new.idempotency_key.unwrap_or_default();
                let existing = self.run_by_idempotency_key(&new.workflow, &key).await?.ok_or_else(|| {
                    StoreError::Internal(format!("run with idempotency key {key} collided but cannot be read"))
                })?;
                Ok((existing, false))
            }
            Err(err) => {
                txn.rollback().await?;
                Err(err.into())
            }
        }
    }

    async fn run_by_idempotency_key(&self, workflow: &str, key: &str) -> Result<Option<RunRecord>, StoreError> {
        let row = workflow_run::Entity::find()
            .filter(workflow_run::Column::Workflow.eq(workflow))
            .filter(workflow_run::Column::IdempotencyKey.eq(key))
            .one(&self.db)
            .await?;
        self.opened_run_opt(row).await
    }

    pub async fn get_run(&self, id: &str) -> Result<Option<RunRecord>, StoreError> {
        let row = workflow_run::Entity::find_by_id(id.to_owned()).one(&self.db).await?;
        self.opened_run_opt(row).await
    }

    /// A stored run with its sealed columns opened.
    pub(crate) async fn opened_run(&self, m: workflow_run::Model) -> Result<RunRecord, StoreError> {
        let mut record = to_record(m)?;
        let id = record.id.clone();
        record.ticket = self.open_json(&self.db, run_slot(&id, "ticket"), record.ticket).await?;
        record.state = self.open_json(&self.db, run_slot(&id, "state"), record.state).await?;
        record.decision = self.open_json_opt(&self.db, run_slot(&id, "decision"), record.decision).await?;
        Ok(record)
    }

    async fn opened_run_opt(&self, m: Option<workflow_run::Model>) -> Result<Option<RunRecord>, StoreError> {
        match m {
            Some(m) => Ok(Some(self.opened_run(m).await?)),
            None => Ok(None),
        }
    }

    async fn opened_runs(&self, rows: Vec<workflow_run::Model>) -> Result<Vec<RunRecord>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.opened_run(row).await?);
        }
        Ok(out)
    }

    /// A stored attempt with its sealed columns opened.
    pub(crate) async fn opened_attempt(&self, m: workflow_attempt::Model) -> Result<AttemptRecord, StoreError> {
        let row = attempt_row(&m.run_id, &m.kind, &m.step, m.attempt);
        let mut record = attempt_record(m);
        record.input = self.open_json(&self.db, attempt_slot(&row, "input"), record.input).await?;
        record.decision = self.open_json_opt(&self.db, attempt_slot(&row, "decision"), record.decision).await?;
        record.effects = self.open_json(&self.db, attempt_slot(&row, "effects"), record.effects).await?;
        Ok(record)
    }

    /// The data key of the run's customer (the tenant key for runs recorded before encryption).
    pub(crate) async fn run_data_key(&self, run_id: &str) -> Result<std::sync::Arc<DataKey>, StoreError> {
        let customer = run_customer::Entity::find_by_id(run_id.to_owned()).one(&self.db).await?;
        let customer = customer.map(|c| c.customer_id).unwrap_or_default();
        self.data_key_for(&customer).await
    }

    /// Newest first.
    pub async fn list_runs(&self, filter: RunFilter) -> Result<Vec<RunRecord>, StoreError> {
        let mut query = workflow_run::Entity::find();
        if let Some(w) = filter.workflow {
            query = query.filter(workflow_run::Column::Workflow.eq(w));
        }
        if let Some(s) = filter.status {
            query = query.filter(workflow_run::Column::Status.eq(s.as_str()));
        }
        if let Some(before) = filter.before {
            let cursor = workflow_run::Entity::find_by_id(before.clone()).one(&self.db).await?.ok_or_else(|| {
                StoreError::Invalid(format!(
                    "the cursor `before={before}` is not a run id; pass the `next_before` of the previous page"
                ))
            })?;
            use workflow_run::Column as C;
            query = query.filter(
                Condition::any()
                    .add(C::CreatedAt.lt(cursor.created_at))
                    .add(Condition::all().add(C::CreatedAt.eq(cursor.created_at)).add(C::Id.lt(before))),
            );
        }
        let limit = if filter.limit == 0 { 100 } else { filter.limit.min(1000) };
        let rows = query
            .order_by_desc(workflow_run::Column::CreatedAt)
            .order_by_desc(workflow_run::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.opened_runs(rows).await
    }

    /// Every run that was running or compensating: what start-up resumes.
    pub async fn active_runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        let rows = workflow_run::Entity::find()
            .filter(workflow_run::Column::Status.is_in(RunStatus::ACTIVE))
            .order_by_asc(workflow_run::Column::CreatedAt)
            .all(&self.db)
            .await?;
        self.opened_runs(rows).await
    }

    pub async fn run_attempts(&self, run_id: &str) -> Result<Vec<AttemptRecord>, StoreError> {
        let rows = workflow_attempt::Entity::find()
            .filter(workflow_attempt::Column::RunId.eq(run_id))
            .order_by_asc(workflow_attempt::Column::Id)
            .all(&self.db)
            .await?;
        self.opened_attempts(rows).await
    }

    pub(crate) async fn opened_attempts(
        &self,
        rows: Vec<workflow_attempt::Model>,
    ) -> Result<Vec<AttemptRecord>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.opened_attempt(row).await?);
        }
        Ok(out)
    }

    /// Records an attempt with its effects and the run's new cursor, atomically. Refused (and
    /// nothing written) when the run is no longer active, e.g. cancelled meanwhile.
    pub async fn commit_step(&self, run: &RunRecord, commit: StepCommit) -> Result<(), StoreError> {
        let now = crate::now();
        let dek = self.data_key_for(customer_of(&run.ticket)).await?;
        let state = seal_json(&dek, run_slot(&run.id, "state"), &commit.state)?;
        let txn = self.db.begin().await?;
        let mut update = workflow_run::Entity::update_many()
            .col_expr(workflow_run::Column::State, Expr::value(state))
            .col_expr(workflow_run::Column::Status, Expr::value(commit.status.as_str()))
            .col_expr(workflow_run::Column::UpdatedAt, Expr::value(now))
            .filter(workflow_run::Column::Id.eq(&run.id))
            .filter(workflow_run::Column::Status.is_in(RunStatus::ACTIVE));
        if let Some(since) = commit.if_unchanged_since {
            update = update.filter(workflow_run::Column::UpdatedAt.eq(since));
        }
        let updated = update.exec(&txn).await?.rows_affected;
        if updated != 1 {
            txn.rollback().await?;
            return Err(not_active(&run.id));
        }
        record_attempt(&txn, &dek, &run.id, &run.ticket_id, commit.attempt, commit.outbox, now).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Replaces an active run's cursor (and status) if nobody changed the run since
    /// `unchanged_since`; `false` when someone did, so the caller re-reads and decides again.
    pub async fn update_run_state(
        &self,
        id: &str,
        unchanged_since: DateTime<Utc>,
        state: serde_json::Value,
        status: RunStatus,
    ) -> Result<bool, StoreError> {
        let dek = self.run_data_key(id).await?;
        let state = seal_json(&dek, run_slot(id, "state"), &state)?;
        let updated = workflow_run::Entity::update_many()
            .col_expr(workflow_run::Column::State, Expr::value(state))
            .col_expr(workflow_run::Column::Status, Expr::value(status.as_str()))
            .col_expr(workflow_run::Column::UpdatedAt, Expr::value(crate::now()))
            .filter(workflow_run::Column::Id.eq(id))
            .filter(workflow_run::Column::Status.is_in(RunStatus::ACTIVE))
            .filter(workflow_run::Column::UpdatedAt.eq(unchanged_since))
            .exec(&self.db)
            .await?
            .rows_affected;
        Ok(updated == 1)
    }

    /// Ends an active run. `Conflict` if it had already ended (e.g. cancelled meanwhile).
    pub async fn finish_run(
        &self,
        id: &str,
        status: RunStatus,
        state: serde_json::Value,
        decision: Option<serde_json::Value>,
        error: Option<serde_json::Value>,
    ) -> Result<(), StoreError> {
        let now = crate::now();
        let dek = self.run_data_key(id).await?;
        let state = seal_json(&dek, run_slot(id, "state"), &state)?;
        let decision = decision.map(|d| seal_json(&dek, run_slot(id, "decision"), &d)).transpose()?;
        let txn = self.db.begin().await?;
        let event_error = error.clone();
        let updated = workflow_run::Entity::update_many()
            .col_expr(workflow_run::Column::Status, Expr::value(status.as_str()))
            .col_expr(workflow_run::Column::State, Expr::value(state))
            .col_expr(workflow_run::Column::Decision, Expr::value(decision))
            .col_expr(workflow_run::Column::Error, Expr::value(error))
            .col_expr(workflow_run::Column::UpdatedAt, Expr::value(now))
            .col_expr(workflow_run::Column::FinishedAt, Expr::value(Some(now)))
            .filter(workflow_run::Column::Id.eq(id))
            .filter(workflow_run::Column::Status.is_in(RunStatus::ACTIVE))
            .exec(&txn)
            .await?
            .rows_affected;
        if updated != 1 {
            return Err(not_active(id));
        }
        // Integrators hear about the outcome exactly when it is committed.
        if let Some(run) = workflow_run::Entity::find_by_id(id.to_owned()).one(&txn).await?
            && let Some((kind, data)) = crate::events::workflow::run_event(status, &run, event_error.as_ref())
        {
            self.enqueue_event_in(&txn, kind, &data).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Cancels an active run; its current step's result, if it arrives, is discarded.
    pub async fn cancel_run(&self, id: &str, by: &str) -> Result<RunRecord, StoreError> {
        let run = self.get_run(id).await?.ok_or_else(|| StoreError::NotFound(format!("run {id} does not exist")))?;
        if run.status.is_finished() {
            return Err(StoreError::Conflict(format!(
                "run {id} already ended as {}; only running runs can be cancelled",
                run.status.as_str()
            )));
        }
        let error = serde_json::json!({"kind": "cancelled", "message": format!("cancelled by {by}")});
        self.finish_run(id, RunStatus::Cancelled, run.state.clone(), None, Some(error)).await?;
        // A cancelled run's SLA no longer applies.
        workflow_timer::Entity::update_many()
            .col_expr(workflow_timer::Column::Status, Expr::value("cancelled"))
            .filter(workflow_timer::Column::RunId.eq(id))
            .filter(workflow_timer::Column::Status.is_in(["armed", "paused"]))
            .exec(&self.db)
            .await?;
        self.get_run(id).await?.ok_or_else(|| StoreError::Internal(format!("run {id} vanished")))
    }
}
