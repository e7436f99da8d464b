//! One run's loop: evaluate the condition, invoke the step's plugin, commit the attempt with its
//! effects and the new cursor in one transaction, apply the effects, move on. Failures retry with
//! backoff or, for good, start the saga: completed steps' compensations in reverse order.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use weft_runtime::model::{Decision, Outcome, PriorStep, StepInput, Ticket};
use weft_runtime::{Deployment, InvocationContext, PluginError};
use weft_store::{NewAttempt, Observation, RolloutMode, RunRecord, RunStatus, StepCommit, StoreError};

use crate::approval::now_ms;
use crate::definition::StepDef;
use crate::engine::{Engine, Loaded};
use crate::error::EngineError;
use crate::retry;
use crate::rollout::{Active, ShadowJob, takes_candidate};
use crate::state::{RunState, StepResult};

/// Why an attempt failed, as stored and shown: `{kind, message, retryable, ...}`.
pub(crate) struct Failure {
    pub(crate) body: Value,
    retryable: bool,
}

impl Failure {
    fn plugin(error: &PluginError) -> Self {
        let mut body = serde_json::to_value(error).unwrap_or_else(|_| json!({}));
        if let Some(obj) = body.as_object_mut() {
            obj.insert("kind".into(), error.kind().into());
            obj.insert("message".into(), error.to_string().into());
            obj.insert("retryable".into(), error.retryable().into());
        }
        Failure { body, retryable: error.retryable() }
    }

    fn engine(kind: &str, message: String, retryable: bool) -> Self {
        Failure { body: json!({"kind": kind, "message": message, "retryable": retryable}), retryable }
    }
}

pub(crate) enum Attempt {
    Done(Box<Decision>, AttemptCost),
    Failed(Failure, AttemptCost),
}

#[derive(Default)]
pub(crate) struct AttemptCost {
    pub(crate) fuel: i64,
    pub(crate) duration_us: i64,
    pub(crate) input: Value,
    /// The `plugin@version` that ran, when the attempt got as far as choosing one (a canary may
    /// have picked the candidate instead of the pinned version).
    pub(crate) plugin: Option<String>,
}

/// The version an attempt ran: what it chose, else the step's pin.
pub(crate) fn ran(loaded: &Loaded, step: &str, cost: &AttemptCost) -> String {
    cost.plugin.clone().unwrap_or_else(|| pin(loaded, step))
}

impl Engine {
    pub(crate) async fn drive(&self, run_id: &str) -> Result<(), EngineError> {
        let store = &self.inner.store;
        let Some(mut run) = store.get_run(run_id).await? else { return Ok(()) };
        let loaded = self.load(&run.workflow, run.version).await?;
        let mut state = RunState::from_json(&run.state).map_err(EngineError::Corrupt)?;
        let ticket: Ticket = serde_json::from_value(run.ticket.clone())
            .map_err(|e| EngineError::Corrupt(format!("run {run_id}: stored ticket is unreadable ({e})")))?;
        // A crash may have come between committing a step and applying its effects.
        self.apply_effects(run_id).await?;

        loop {
            let outcome = match run.status {
                RunStatus::Running => self.forward(&loaded, &mut run, &mut state, &ticket).await,
                RunStatus::Compensating => self.compensate(&loaded, &mut run, &mut state, &ticket).await,
                RunStatus::Waiting => self.await_approval(&loaded, &mut run, &mut state).await,
                _ => return Ok(()),
            };
            match outcome {
                Ok(()) => {}
                // Cancelled (or finished elsewhere) while we worked: nothing more to do.
                Err(EngineError::Store(StoreError::Conflict(_))) => {
                    self.apply_effects(run_id).await?;
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One step of the forward path, or finishing the run when there is none left.
    async fn forward(
        &self,
        loaded: &Loaded,
        run: &mut RunRecord,
        state: &mut RunState,
        ticket: &Ticket,
    ) -> Result<(), EngineError> {
        let Some(step_id) = state.next.clone() else {
            let decision = json!({
                "outcome": state.decided_by.as_ref().and_then(|s| state.results.get(s)).map_or("proceed", |r| r.outcome.as_str()),
                "decided_by": state.decided_by,
                "steps": state.results,
            });
            self.finish(run, state, RunStatus::Succeeded, Some(decision), None).await?;
            return Ok(());
        };
        let Some(step) = loaded.resolved.step(&step_id).cloned() else {
            return Err(EngineError::Corrupt(format!("run {}: step `{step_id}` is not in its workflow", run.id)));
        };
        let started = chrono::Utc::now();

        if let Some(deadline) = run.deadline_ms
            && now_ms() >= deadline
        {
            let failure = Failure::engine(
                "run-timeout",
                format!("the run passed its {} deadline before step `{step_id}`", self.timeout_text(loaded)),
                false,
            );
            return self.fail_step(loaded, run, state, &step, failure, AttemptCost::default(), started, None).await;
        }

        if let Some(condition) = loaded.resolved.conditions.get(&step_id) {
            let ticket_json = serde_json::to_value(ticket).unwrap_or_default();
            let steps_json =
                state.results.iter().map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or_default())).collect();
            match condition.evaluate(&ticket_json, &steps_json) {
                Ok(true) => {}
                Ok(false) => {
                    state.results.insert(
                        step_id.clone(),
                        StepResult { outcome: "skipped".into(), skipped: true, ..Default::default() },
                    );
                    state.next = successor(loaded, &step);
                    let attempt = attempt_row(
                        &step,
                        "step",
                        0,
                        "skipped",
                        pin(loaded, &step_id),
                        AttemptCost::default(),
                        None,
                        None,
                        started,
                    );
                    return self.commit(run, state, attempt, Vec::new(), RunStatus::Running).await;
                }
                Err(message) => {
                    let failure = Failure::engine("condition-error", message, false);
                    return self
                        .fail_step(loaded, run, state, &step, failure, AttemptCost::default(), started, None)
                        .await;
                }
            }
        }

        if let Some(approval) = &step.approval {
            return self.begin_approval(run, state, &step, approval.timeout).await;
        }

        let attempt_no = state.failures.get(&step_id).copied().unwrap_or(0) + 1;
        match self.attempt(loaded, run, state, &step, attempt_no, ticket).await {
            Attempt::Done(decision, cost) => {
                let plugin = ran(loaded, &step_id, &cost);
                state.failures.remove(&step_id);
                state.results.insert(
                    step_id.clone(),
                    StepResult {
                        outcome: outcome_name(decision.outcome),
                        outputs: decision.outputs.clone(),
                        reasons: decision.reasons.clone(),
                        skipped: false,
                    },
                );
                state.prior.push(PriorStep {
                    step: step_id.clone(),
                    plugin: plugin.clone(),
                    decision: (*decision).clone(),
                });
                state.completed.push(step_id.clone());
                state.next = match decision.outcome {
                    Outcome::Proceed => successor(loaded, &step),
                    Outcome::Complete | Outcome::Block => {
                        state.decided_by = Some(step_id.clone());
                        None
                    }
                };
                let changes = crate::effects::to_changes(&run.id, &step_id, &decision.effects, now_ms());
                let attempt = decided_row(&step, "step", attempt_no, plugin, cost, &decision, started);
                self.commit(run, state, attempt, changes, RunStatus::Running).await?;
                self.apply_effects(&run.id).await
            }
            Attempt::Failed(failure, cost) => {
                self.fail_step(loaded, run, state, &step, failure, cost, started, None).await
            }
        }
    }

    /// Records a failed attempt; retries after backoff, or starts compensation / fails the run.
    /// `since`: commit only if the run is unchanged since then (an approval racing its timeout).
    #[allow(clippy::too_many_arguments)]
    async fn fail_step(
        &self,
        loaded: &Loaded,
        run: &mut RunRecord,
        state: &mut RunState,
        step: &StepDef,
        failure: Failure,
        cost: AttemptCost,
        started: chrono::DateTime<chrono::Utc>,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<(), EngineError> {
        let failures = state.failures.get(&step.id).copied().unwrap_or(0) + 1;
        state.failures.insert(step.id.clone(), failures);
        let attempt = attempt_row(
            step,
            "step",
            failures,
            "failed",
            ran(loaded, &step.id, &cost),
            cost,
            None,
            Some(failure.body.clone()),
            started,
        );
        let run_left = run.deadline_ms.is_none_or(|d| now_ms() < d);
        if failure.retryable && failures < step.retry.max_attempts && run_left {
            self.commit(run, state, attempt, Vec::new(), RunStatus::Running).await?;
            let wait = retry::backoff(&step.retry, failures, retry::unit_from(seed(&run.id, &step.id, failures)));
            tracing::info!(run = %run.id, step = %step.id, attempt = failures, wait_ms = wait.as_millis() as u64, "step failed; retrying");
            tokio::time::sleep(wait).await;
            return Ok(());
        }
        tracing::warn!(run = %run.id, step = %step.id, attempts = failures, kind = %failure.body["kind"], error.type = "step_failed", "step failed for good");
        state.failure = Some(json!({"step": step.id, "attempts": failures, "error": failure.body}));
        state.next = None;
        state.compensations = state
            .completed
            .iter()
            .rev()
            .filter_map(|done| loaded.resolved.step(done).and_then(|s| s.compensate.clone()))
            .collect();
        if state.compensations.is_empty() {
            self.commit_since(run, state, attempt, Vec::new(), RunStatus::Running, since).await?;
            let error = state.failure.clone();
            self.finish(run, state, RunStatus::Failed, None, error).await
        } else {
            self.commit_since(run, state, attempt, Vec::new(), RunStatus::Compensating, since).await
        }
    }

    /// Runs the next compensation, or ends the saga.
    async fn compensate(
        &self,
        loaded: &Loaded,
        run: &mut RunRecord,
        state: &mut RunState,
        ticket: &Ticket,
    ) -> Result<(), EngineError> {
        let Some(comp_id) = state.compensations.first().cloned() else {
            let status = if state.compensation_failed { RunStatus::CompensationFailed } else { RunStatus::Compensated };
            let error = state.failure.clone();
            return self.finish(run, state, status, None, error).await;
        };
        let Some(step) = loaded.resolved.step(&comp_id).cloned() else {
            return Err(EngineError::Corrupt(format!(
                "run {}: compensation `{comp_id}` is not in its workflow",
                run.id
            )));
        };
        let started = chrono::Utc::now();
        let attempt_no = state.failures.get(&comp_id).copied().unwrap_or(0) + 1;
        match self.attempt(loaded, run, state, &step, attempt_no, ticket).await {
            Attempt::Done(decision, cost) => {
                state.compensations.remove(0);
                state.failures.remove(&comp_id);
                let changes = crate::effects::to_changes(&run.id, &comp_id, &decision.effects, now_ms());
                let plugin = ran(loaded, &comp_id, &cost);
                let attempt = decided_row(&step, "compensation", attempt_no, plugin, cost, &decision, started);
                self.commit(run, state, attempt, changes, RunStatus::Compensating).await?;
                self.apply_effects(&run.id).await
            }
            Attempt::Failed(failure, cost) => {
                state.failures.insert(comp_id.clone(), attempt_no);
                let attempt = attempt_row(
                    &step,
                    "compensation",
                    attempt_no,
                    "failed",
                    ran(loaded, &comp_id, &cost),
                    cost,
                    None,
                    Some(failure.body.clone()),
                    started,
                );
                if failure.retryable && attempt_no < step.retry.max_attempts {
                    self.commit(run, state, attempt, Vec::new(), RunStatus::Compensating).await?;
                    let wait =
                        retry::backoff(&step.retry, attempt_no, retry::unit_from(seed(&run.id, &comp_id, attempt_no)));
                    tokio::time::sleep(wait).await;
                    return Ok(());
                }
                tracing::error!(run = %run.id, step = %comp_id, error.type = "compensation_failed", "compensation failed for good");
                state.compensations.remove(0);
                state.compensation_failed = true;
                self.commit(run, state, attempt, Vec::new(), RunStatus::Compensating).await
            }
        }
    }

    /// Invokes the step's plugin once, under the step timeout and what is left of the run's.
    async fn attempt(
        &self,
        loaded: &Loaded,
        run: &RunRecord,
        state: &RunState,
        step: &StepDef,
        attempt: u32,
        ticket: &Ticket,
    ) -> Attempt {
        self.attempt_with(loaded, run, state, step, attempt, ticket, None).await
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn attempt_with(
        &self,
        loaded: &Loaded,
        run: &RunRecord,
        state: &RunState,
        step: &StepDef,
        attempt: u32,
        ticket: &Ticket,
        sla: Option<weft_runtime::model::SlaStatus>,
    ) -> Attempt {
        let input = StepInput {
            run_id: run.id.clone(),
            step: step.id.clone(),
            attempt,
            ticket: ticket.clone(),
            prior: state.prior.clone(),
            sla,
        };
        let mut cost = AttemptCost { input: serde_json::to_value(&input).unwrap_or_default(), ..Default::default() };
        let rollout = self.inner.rollouts.get(&loaded.version.name, &step.id);
        let canary =
            rollout.as_deref().filter(|a| a.rollout.mode == RolloutMode::Canary && takes_candidate(&a.rollout, ticket));
        let took_candidate = canary.is_some();
        let chosen = match (canary, loaded.resolved.pins.get(&step.id)) {
            (Some(a), _) => Ok((a.plugin.as_str(), &a.version)),
            (None, Some((plugin, version))) => Ok((plugin.as_str(), version)),
            (None, None) => Err(EngineError::Corrupt(format!("step `{}` has no pinned plugin", step.id))),
        };
        let deployment = match chosen {
            Ok((name, version)) => {
                cost.plugin = Some(format!("{name}@{version}"));
                self.deployment_of(loaded, step, name, version).await
            }
            Err(e) => Err(e),
        };
        let deployment = match deployment {
            Ok(d) => d,
            Err(e) => return Attempt::Failed(Failure::engine("binding", e.to_string(), false), cost),
        };
        let mut limit = step.timeout;
        if let Some(deadline) = run.deadline_ms {
            let left = Duration::from_millis(u64::try_from(deadline - now_ms()).unwrap_or(0));
            limit = Some(limit.map_or(left, |l| l.min(left)));
        }
        let ctx = InvocationContext {
            now_ms: now_ms(),
            seed: seed(&run.id, &step.id, attempt),
            services: self.inner.services.clone(),
        };
        let began = Instant::now();
        let invoke = self.inner.runtime.invoke(&deployment, &input, &ctx);
        let report = match limit {
            Some(limit) => match tokio::time::timeout(limit, invoke).await {
                Ok(report) => report,
                Err(_) => {
                    cost.duration_us = began.elapsed().as_micros() as i64;
                    let message =
                        format!("step `{}` did not finish within its {} ms timeout", step.id, limit.as_millis());
                    return Attempt::Failed(Failure::engine("step-timeout", message, true), cost);
                }
            },
            None => invoke.await,
        };
        cost.fuel = i64::try_from(report.fuel_used).unwrap_or(i64::MAX);
        cost.duration_us = i64::try_from(report.wall_time_us).unwrap_or(i64::MAX);
        let attempt = match report.result {
            Ok(decision) => {
                if !report.kv_writes.is_empty()
                    && let Err(e) = self.inner.store.kv_apply(&deployment.plugin.manifest.name, &report.kv_writes).await
                {
                    return Attempt::Failed(Failure::engine("store", e.to_string(), true), cost);
                }
                Attempt::Done(Box::new(decision), cost)
            }
            Err(error) => Attempt::Failed(Failure::plugin(&error), cost),
        };
        if let Some(rollout) = rollout {
            self.observe(loaded, step, rollout, took_candidate, &input, ticket, &attempt).await;
        }
        attempt
    }

    /// Records what a rollout saw: the arm a canary took, or (after a stable success) a shadow
    /// execution of the candidate on the same input. Never fails the attempt.
    #[allow(clippy::too_many_arguments)]
    async fn observe(
        &self,
        loaded: &Loaded,
        step: &StepDef,
        active: Arc<Active>,
        took_candidate: bool,
        input: &StepInput,
        ticket: &Ticket,
        attempt: &Attempt,
    ) {
        let (status, decision, error) = match attempt {
            Attempt::Done(decision, _) => ("succeeded", serde_json::to_value(decision).ok(), None),
            Attempt::Failed(failure, _) => ("failed", None, Some(failure.body.clone())),
        };
        let rollout = &active.rollout;
        match rollout.mode {
            RolloutMode::Canary => {
                let observation = Observation {
                    rollout_id: rollout.id.clone(),
                    run_id: input.run_id.clone(),
                    ticket_id: ticket.id.clone(),
                    arm: if took_candidate { "candidate" } else { "stable" }.into(),
                    status: status.into(),
                    decision,
                    error,
                    ..Observation::default()
                };
                let store = self.inner.store.clone();
                tokio::spawn(async move {
                    if let Err(error) = store.observe_rollout(observation).await {
                        tracing::warn!(%error, "canary observation not recorded");
                    }
                });
            }
            RolloutMode::Shadow => {
                let Some(applied) = decision else { return };
                let deployment = match self.deployment_of(loaded, step, &active.plugin, &active.version).await {
                    Ok(d) => d,
                    Err(error) => {
                        tracing::warn!(rollout = %rollout.id, %error, "shadow candidate cannot be bound; no comparison");
                        return;
                    }
                };
                let ctx = InvocationContext {
                    now_ms: now_ms(),
                    seed: seed(&input.run_id, &step.id, input.attempt),
                    services: self.inner.services.clone(),
                };
                self.spawn_shadow(ShadowJob {
                    rollout_id: rollout.id.clone(),
                    ticket_id: ticket.id.clone(),
                    deployment,
                    input: input.clone(),
                    ctx,
                    applied,
                });
            }
        }
    }

    /// The step bound to `plugin@version`, loaded once per workflow version, step and version.
    pub(crate) async fn deployment_of(
        &self,
        loaded: &Loaded,
        step: &StepDef,
        plugin: &str,
        version: &semver::Version,
    ) -> Result<Arc<Deployment>, EngineError> {
        let key = (step.id.clone(), format!("{plugin}@{version}"));
        let mut cache = loaded.deployments.lock().await;
        if let Some(d) = cache.get(&key) {
            return Ok(d.clone());
        }
        let d = Arc::new(
            crate::bind::bind(&self.inner.store, &self.inner.runtime, &loaded.version.name, step, plugin, version)
                .await?,
        );
        cache.insert(key, d.clone());
        Ok(d)
    }

    async fn commit(
        &self,
        run: &mut RunRecord,
        state: &RunState,
        attempt: NewAttempt,
        outbox: Vec<(String, weft_store::CaseChange)>,
        status: RunStatus,
    ) -> Result<(), EngineError> {
        self.commit_since(run, state, attempt, outbox, status, None).await
    }

    async fn commit_since(
        &self,
        run: &mut RunRecord,
        state: &RunState,
        attempt: NewAttempt,
        outbox: Vec<(String, weft_store::CaseChange)>,
        status: RunStatus,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<(), EngineError> {
        let json = state.to_json();
        let commit = StepCommit { attempt, outbox, state: json.clone(), status, if_unchanged_since: since };
        self.inner.store.commit_step(run, commit).await?;
        run.state = json;
        run.status = status;
        Ok(())
    }

    async fn finish(
        &self,
        run: &mut RunRecord,
        state: &RunState,
        status: RunStatus,
        decision: Option<Value>,
        error: Option<Value>,
    ) -> Result<(), EngineError> {
        self.apply_effects(&run.id).await?;
        self.inner.store.finish_run(&run.id, status, state.to_json(), decision, error).await?;
        run.status = status;
        tracing::info!(run = %run.id, workflow = %run.workflow, status = status.as_str(), "run finished");
        self.notify_finished(&run.id);
        Ok(())
    }

    /// Applies the run's pending outbox entries; each lands once, whoever applies it.
    pub(crate) async fn apply_effects(&self, run_id: &str) -> Result<(), EngineError> {
        for entry in self.inner.store.pending_outbox(Some(run_id), 1000).await? {
            self.inner.store.apply_outbox(&entry.key).await?;
        }
        Ok(())
    }

    fn timeout_text(&self, loaded: &Loaded) -> String {
        loaded.resolved.definition.timeout.map_or_else(|| "?".into(), |t| format!("{} ms", t.as_millis()))
    }
}

impl Engine {
    /// Commits a decided approval as a succeeded step and moves on.
    pub(crate) async fn approval_succeeded(
        &self,
        loaded: &Loaded,
        run: &mut RunRecord,
        seen: chrono::DateTime<chrono::Utc>,
        state: &mut RunState,
        step: &StepDef,
        outputs: Value,
    ) -> Result<(), EngineError> {
        let outputs_map = outputs.as_object().cloned().unwrap_or_default();
        state.failures.remove(&step.id);
        state.results.insert(
            step.id.clone(),
            StepResult { outcome: "proceed".into(), outputs: outputs_map.clone(), reasons: vec![], skipped: false },
        );
        state.completed.push(step.id.clone());
        state.next = successor(loaded, step);
        let decision = json!({"outcome": "proceed", "outputs": outputs});
        let attempt = attempt_row(
            step,
            "approval",
            1,
            "succeeded",
            String::new(),
            AttemptCost::default(),
            Some(decision),
            None,
            chrono::Utc::now(),
        );
        self.commit_since(run, state, attempt, Vec::new(), RunStatus::Running, Some(seen)).await
    }

    /// Commits a rejected (or timed-out) approval as a failed step: the saga takes over.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn approval_failed(
        &self,
        loaded: &Loaded,
        run: &mut RunRecord,
        seen: chrono::DateTime<chrono::Utc>,
        state: &mut RunState,
        step: &StepDef,
        kind: &str,
        reason: String,
        outputs: Value,
    ) -> Result<(), EngineError> {
        let mut failure = Failure::engine(kind, reason, false);
        if let Some(obj) = failure.body.as_object_mut() {
            obj.insert("outputs".into(), outputs);
        }
        let cost = AttemptCost { input: json!({}), ..AttemptCost::default() };
        self.fail_step(loaded, run, state, step, failure, cost, chrono::Utc::now(), Some(seen)).await
    }
}

fn successor(loaded: &Loaded, step: &StepDef) -> Option<String> {
    match step.next.as_deref() {
        Some("end") => None,
        Some(next) => Some(next.to_owned()),
        None => {
            let steps = &loaded.resolved.definition.steps;
            let i = steps.iter().position(|s| s.id == step.id)?;
            steps.get(i + 1).map(|s| s.id.clone())
        }
    }
}

pub(crate) fn pin(loaded: &Loaded, step: &str) -> String {
    loaded.resolved.pins.get(step).map(|(p, v)| format!("{p}@{v}")).unwrap_or_default()
}

fn outcome_name(outcome: Outcome) -> String {
    serde_json::to_value(outcome).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Same run, step and attempt give the same seed, so a replay sees the same randomness.
pub(crate) fn seed(run: &str, step: &str, attempt: u32) -> u64 {
    let mut h = DefaultHasher::new();
    (run, step, attempt).hash(&mut h);
    h.finish()
}

/// A succeeded attempt that returned `decision`, its effects recorded with it.
pub(crate) fn decided_row(
    step: &StepDef,
    kind: &str,
    attempt: u32,
    plugin: String,
    cost: AttemptCost,
    decision: &Decision,
    started: chrono::DateTime<chrono::Utc>,
) -> NewAttempt {
    let mut row =
        attempt_row(step, kind, attempt, "succeeded", plugin, cost, serde_json::to_value(decision).ok(), None, started);
    row.effects = serde_json::to_value(&decision.effects).unwrap_or_default();
    row
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn attempt_row(
    step: &StepDef,
    kind: &str,
    attempt: u32,
    status: &str,
    plugin: String,
    cost: AttemptCost,
    decision: Option<Value>,
    error: Option<Value>,
    started: chrono::DateTime<chrono::Utc>,
) -> NewAttempt {
    NewAttempt {
        step: step.id.clone(),
        kind: kind.to_owned(),
        attempt: i32::try_from(attempt).unwrap_or(i32::MAX),
        status: status.to_owned(),
        plugin,
        input: cost.input,
        decision,
        effects: json!([]),
        error,
        fuel: cost.fuel,
        duration_us: cost.duration_us,
        started_at: started,
    }
}
