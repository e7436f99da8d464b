//! SLA timers: warn and breach targets counted in business time (the workflow's calendar), armed
//! with the run, paused while waiting on the customer, and fired exactly once by a timer loop
//! that runs the workflow's escalation step with `sla` in its input.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use weft_runtime::model::{SlaStatus, Ticket};
use weft_store::{RunStatus, TimerRecord};

use crate::calendar::Calendar;
use crate::definition::Resolved;
use crate::drive::{Attempt, attempt_row, decided_row, ran};
use crate::engine::Engine;
use crate::error::EngineError;
use crate::state::RunState;

/// The longest the timer loop sleeps before looking again (new runs arm new timers).
const TIMER_POLL: Duration = Duration::from_millis(200);

fn calendar(resolved: &Resolved) -> Option<(Calendar, &crate::definition::SlaDef)> {
    let sla = resolved.definition.sla.as_ref()?;
    Calendar::parse(&sla.calendar).ok().map(|c| (c, sla))
}

fn utc(ms: i64) -> chrono::DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_else(Utc::now)
}

/// `(kind, due_ms)` for a run starting at `now_ms`.
pub(crate) fn timers_for(resolved: &Resolved, now_ms: i64) -> Vec<(String, i64)> {
    let Some((cal, sla)) = calendar(resolved) else { return Vec::new() };
    let start = utc(now_ms);
    let mut timers = Vec::new();
    if let Some(warn) = sla.warn {
        timers.push(("warn".to_owned(), cal.add(start, warn).timestamp_millis()));
    }
    timers.push(("breach".to_owned(), cal.add(start, sla.breach).timestamp_millis()));
    timers
}

/// Why an SLA change was refused.
#[derive(Debug, thiserror::Error)]
pub enum SlaError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl Engine {
    pub(crate) fn start_timer_loop(&self) {
        let engine = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(error) = engine.fire_due_timers().await {
                    tracing::error!(%error, error.type = "sla_timer_loop_failed", "firing SLA timers failed; retrying");
                }
                let now = Utc::now().timestamp_millis();
                let wait = match engine.inner.store.next_timer_due().await {
                    Ok(Some(due)) => Duration::from_millis(u64::try_from(due - now).unwrap_or(0)).min(TIMER_POLL),
                    _ => TIMER_POLL,
                };
                tokio::time::sleep(wait).await;
            }
        });
    }

    async fn fire_due_timers(&self) -> Result<(), EngineError> {
        let due = self.inner.store.due_timers(Utc::now().timestamp_millis(), 100).await?;
        for timer in due {
            self.fire(&timer).await?;
        }
        Ok(())
    }

    /// Runs the escalation step for one due timer and commits it with the timer's `fired` mark.
    async fn fire(&self, timer: &TimerRecord) -> Result<(), EngineError> {
        let store = &self.inner.store;
        let Some(run) = store.get_run(&timer.run_id).await? else { return Ok(()) };
        let loaded = self.load(&run.workflow, run.version).await?;
        let Some(sla) = loaded.resolved.definition.sla.clone() else { return Ok(()) };
        let Some(step) = loaded.resolved.step(&sla.escalate).cloned() else { return Ok(()) };
        let state = RunState::from_json(&run.state).map_err(EngineError::Corrupt)?;
        let ticket: Ticket = serde_json::from_value(run.ticket.clone())
            .map_err(|e| EngineError::Corrupt(format!("run {}: stored ticket is unreadable ({e})", run.id)))?;
        let timers = store.run_timers(&run.id).await?;
        let breach_due = timers.iter().find(|t| t.kind == "breach").and_then(|t| t.due_ms).unwrap_or(0);
        let status = SlaStatus { due: breach_due, warned: true, breached: timer.kind == "breach" };
        let started = Utc::now();
        let step_name = format!("{}:{}", step.id, timer.kind);
        let (attempt, outbox, ok) =
            match self.attempt_with(&loaded, &run, &state, &step, 1, &ticket, Some(status)).await {
                Attempt::Done(decision, cost) => {
                    let changes = crate::effects::to_changes(
                        &run.id,
                        &format!("sla-{}", timer.kind),
                        &decision.effects,
                        Utc::now().timestamp_millis(),
                    );
                    let mut row =
                        decided_row(&step, "escalation", 1, ran(&loaded, &step.id, &cost), cost, &decision, started);
                    row.step = step_name;
                    (row, changes, true)
                }
                Attempt::Failed(failure, cost) => {
                    let mut row = attempt_row(
                        &step,
                        "escalation",
                        1,
                        "failed",
                        ran(&loaded, &step.id, &cost),
                        cost,
                        None,
                        Some(failure.body),
                        started,
                    );
                    row.step = step_name;
                    (row, Vec::new(), false)
                }
            };
        if store.fire_timer(timer, &run.ticket_id, attempt, outbox, ok).await? {
            tracing::info!(run = %run.id, timer = %timer.kind, escalated = ok, "SLA timer fired");
            self.apply_effects(&run.id).await?;
        }
        Ok(())
    }

    /// Pauses the run's SLA clock (waiting on the customer): armed timers keep the business
    /// time they had left.
    pub async fn pause_sla(&self, run_id: &str) -> Result<Vec<TimerRecord>, SlaError> {
        let (cal, timers) = self.sla_of(run_id).await?;
        let armed: Vec<&TimerRecord> = timers.iter().filter(|t| t.status == "armed").collect();
        if armed.is_empty() {
            return Err(SlaError::Conflict(format!(
                "run {run_id} has no running SLA clock to pause (paused already, or fired)"
            )));
        }
        let now = Utc::now();
        for t in armed {
            let left = t.due_ms.map(|due| cal.between(now, utc(due)).as_millis() as i64).unwrap_or(0);
            self.inner.store.set_timer(&t.id, "armed", "paused", None, Some(left)).await.map_err(EngineError::from)?;
        }
        tracing::info!(run = %run_id, "SLA clock paused");
        Ok(self.inner.store.run_timers(run_id).await.map_err(EngineError::from)?)
    }

    /// Restarts a paused SLA clock from now with the business time that was left.
    pub async fn resume_sla(&self, run_id: &str) -> Result<Vec<TimerRecord>, SlaError> {
        let (cal, timers) = self.sla_of(run_id).await?;
        let paused: Vec<&TimerRecord> = timers.iter().filter(|t| t.status == "paused").collect();
        if paused.is_empty() {
            return Err(SlaError::Conflict(format!("run {run_id} has no paused SLA clock to resume")));
        }
        let now = Utc::now();
        for t in paused {
            let left = Duration::from_millis(u64::try_from(t.left_ms.unwrap_or(0)).unwrap_or(0));
            let due = cal.add(now, left).timestamp_millis();
            self.inner.store.set_timer(&t.id, "paused", "armed", Some(due), None).await.map_err(EngineError::from)?;
        }
        tracing::info!(run = %run_id, "SLA clock resumed");
        Ok(self.inner.store.run_timers(run_id).await.map_err(EngineError::from)?)
    }

    async fn sla_of(&self, run_id: &str) -> Result<(Calendar, Vec<TimerRecord>), SlaError> {
        let run = self
            .inner
            .store
            .get_run(run_id)
            .await
            .map_err(EngineError::from)?
            .ok_or_else(|| SlaError::NotFound(format!("run {run_id} does not exist")))?;
        if run.status == RunStatus::Cancelled {
            return Err(SlaError::Conflict(format!("run {run_id} was cancelled; its SLA no longer applies")));
        }
        let loaded = self.load(&run.workflow, run.version).await?;
        let Some((cal, _)) = calendar(&loaded.resolved) else {
            return Err(SlaError::Conflict(format!("workflow `{}` declares no `sla`", run.workflow)));
        };
        let timers = self.inner.store.run_timers(run_id).await.map_err(EngineError::from)?;
        Ok((cal, timers))
    }
}
