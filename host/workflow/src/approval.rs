//! Approval steps: the run waits (status `waiting`) until enough distinct approvers with the
//! required role approve, one rejects, or the durable timeout fires with its declared outcome.
//!
//! Votes and the timeout race; every state change is a compare-and-swap on the run's
//! `updated_at`, so exactly one of them decides and the others see a run that is no longer waiting.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::Notify;
use weft_store::{RunRecord, RunStatus, StoreError};

use crate::definition::{StepDef, TimeoutOutcome};
use crate::engine::{Engine, Loaded};
use crate::error::EngineError;
use crate::state::{ApprovalState, RunState, Vote};

/// Why a vote was refused; the API maps these to 403/404/409.
#[derive(Debug, thiserror::Error)]
pub enum VoteError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    NotWaiting(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    AlreadyVoted(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl From<StoreError> for VoteError {
    fn from(e: StoreError) -> Self {
        VoteError::Engine(EngineError::Store(e))
    }
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Engine {
    fn waker(&self, run_id: &str) -> Arc<Notify> {
        let mut wakers = self.inner.wakers.lock().unwrap_or_else(|p| p.into_inner());
        wakers.entry(run_id.to_owned()).or_default().clone()
    }

    pub(crate) fn forget_waker(&self, run_id: &str) {
        self.inner.wakers.lock().unwrap_or_else(|p| p.into_inner()).remove(run_id);
    }

    /// Records one approver's decision on the approval step `step` of `run_id`.
    /// `holds_role` says whether the voter has one of the roles the step requires.
    pub async fn vote(
        &self,
        run_id: &str,
        step: &str,
        user: &str,
        holds_role: &(dyn Fn(&[String]) -> bool + Sync),
        approve: bool,
        comment: String,
    ) -> Result<RunRecord, VoteError> {
        for _ in 0..10 {
            let run = self
                .inner
                .store
                .get_run(run_id)
                .await?
                .ok_or_else(|| VoteError::NotFound(format!("run {run_id} does not exist")))?;
            let mut state = RunState::from_json(&run.state).map_err(EngineError::Corrupt)?;
            let loaded = self.load(&run.workflow, run.version).await?;
            let Some(def) = loaded.resolved.step(step).and_then(|s| s.approval.clone()) else {
                return Err(VoteError::NotWaiting(format!(
                    "step `{step}` of workflow `{}` is not an approval step",
                    run.workflow
                )));
            };
            let waiting_here =
                run.status == RunStatus::Waiting && state.approval.as_ref().is_some_and(|a| a.step == step);
            if !waiting_here {
                return Err(VoteError::NotWaiting(format!(
                    "step `{step}` of run {run_id} is not waiting for approval (the run is {}{}); nothing was recorded",
                    run.status.as_str(),
                    state.approval.as_ref().map(|a| format!(", waiting on `{}`", a.step)).unwrap_or_default()
                )));
            }
            if !holds_role(&def.roles) {
                return Err(VoteError::Forbidden(format!(
                    "user `{user}` may not decide step `{step}`: it needs the role {}",
                    def.roles.join(" or ")
                )));
            }
            if state.started_by.as_deref() == Some(user) {
                return Err(VoteError::Forbidden(format!(
                    "user `{user}` started run {run_id} and so may not approve or reject it; ask another {}",
                    def.roles.join(" or ")
                )));
            }
            let Some(approval) = state.approval.as_mut() else { continue };
            if approval.approvals.iter().chain(&approval.rejections).any(|v| v.user == user) {
                return Err(VoteError::AlreadyVoted(format!(
                    "user `{user}` already decided step `{step}` of run {run_id}"
                )));
            }
            let vote = Vote { user: user.to_owned(), at_ms: now_ms(), comment: comment.clone() };
            if approve {
                approval.approvals.push(vote);
            } else {
                approval.rejections.push(vote);
            }
            if self.inner.store.update_run_state(run_id, run.updated_at, state.to_json(), RunStatus::Waiting).await? {
                tracing::info!(run = %run_id, step, user, approve, "approval vote recorded");
                self.waker(run_id).notify_one();
                return Ok(self.inner.store.get_run(run_id).await?.unwrap_or(run));
            }
            // Someone else changed the run meanwhile: decide again on what it is now.
        }
        Err(VoteError::NotWaiting(format!("run {run_id} is changing too quickly to record the vote; retry")))
    }

    /// The forward path reached an approval step: start waiting (durably) on it.
    pub(crate) async fn begin_approval(
        &self,
        run: &mut RunRecord,
        state: &mut RunState,
        step: &StepDef,
        timeout: Duration,
    ) -> Result<(), EngineError> {
        let deadline_ms = now_ms() + i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX / 4);
        state.approval =
            Some(ApprovalState { step: step.id.clone(), deadline_ms, approvals: vec![], rejections: vec![] });
        let fresh = self.inner.store.get_run(&run.id).await?.ok_or_else(|| EngineError::NotFound(run.id.clone()))?;
        if !self.inner.store.update_run_state(&run.id, fresh.updated_at, state.to_json(), RunStatus::Waiting).await? {
            return Err(EngineError::Store(StoreError::Conflict(format!(
                "run {} changed while starting an approval",
                run.id
            ))));
        }
        run.status = RunStatus::Waiting;
        tracing::info!(run = %run.id, step = %step.id, deadline_ms, "waiting for approval");
        Ok(())
    }

    /// Waits for votes or the timeout, then commits the approval's outcome exactly once.
    pub(crate) async fn await_approval(
        &self,
        loaded: &Loaded,
        run: &mut RunRecord,
        state: &mut RunState,
    ) -> Result<(), EngineError> {
        let waker = self.waker(&run.id);
        loop {
            // Created before reading, so a vote between the read and the wait is not missed.
            let notified = waker.notified();
            let fresh =
                self.inner.store.get_run(&run.id).await?.ok_or_else(|| EngineError::NotFound(run.id.clone()))?;
            if fresh.status != RunStatus::Waiting {
                *run = fresh;
                *state = RunState::from_json(&run.state).map_err(EngineError::Corrupt)?;
                return Ok(());
            }
            *state = RunState::from_json(&fresh.state).map_err(EngineError::Corrupt)?;
            let Some(approval) = state.approval.clone() else {
                return Err(EngineError::Corrupt(format!("run {} is waiting but on no approval", run.id)));
            };
            let step = loaded.resolved.step(&approval.step).cloned().ok_or_else(|| {
                EngineError::Corrupt(format!("approval step `{}` is not in the workflow", approval.step))
            })?;
            let Some(def) = step.approval.clone() else {
                return Err(EngineError::Corrupt(format!("step `{}` is not an approval", step.id)));
            };
            let decided = if !approval.rejections.is_empty() {
                Some((false, false))
            } else if approval.approvals.len() >= def.quorum as usize {
                Some((true, false))
            } else if now_ms() >= approval.deadline_ms {
                Some((def.on_timeout == TimeoutOutcome::Approve, true))
            } else {
                None
            };
            if let Some((approved, timed_out)) = decided {
                match self
                    .settle_approval(loaded, run, fresh.updated_at, state, &step, &approval, approved, timed_out)
                    .await
                {
                    Err(EngineError::Store(StoreError::Conflict(_))) => continue,
                    other => {
                        self.forget_waker(&run.id);
                        return other;
                    }
                }
            }
            let left = Duration::from_millis(u64::try_from(approval.deadline_ms - now_ms()).unwrap_or(0));
            let _ = tokio::time::timeout(left, notified).await;
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn settle_approval(
        &self,
        loaded: &Loaded,
        run: &mut RunRecord,
        seen: chrono::DateTime<chrono::Utc>,
        state: &mut RunState,
        step: &StepDef,
        approval: &ApprovalState,
        approved: bool,
        timed_out: bool,
    ) -> Result<(), EngineError> {
        let approvers: Vec<&str> = approval.approvals.iter().map(|v| v.user.as_str()).collect();
        let rejecters: Vec<&str> = approval.rejections.iter().map(|v| v.user.as_str()).collect();
        let outputs =
            json!({"approved": approved, "timed_out": timed_out, "approvers": approvers, "rejected_by": rejecters});
        tracing::info!(run = %run.id, step = %step.id, approved, timed_out, "approval decided");
        state.approval = None;
        if approved {
            self.approval_succeeded(loaded, run, seen, state, step, outputs).await
        } else {
            let reason = if timed_out {
                format!("approval `{}` timed out and its on_timeout is reject", step.id)
            } else {
                format!("approval `{}` was rejected by {}", step.id, rejecters.join(", "))
            };
            let kind = if timed_out { "approval-timeout" } else { "approval-rejected" };
            self.approval_failed(loaded, run, seen, state, step, kind, reason, outputs).await
        }
    }
}

pub(crate) type Wakers = HashMap<String, Arc<Notify>>;
