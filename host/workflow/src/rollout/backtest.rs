//! Back-tests: replay recorded step inputs against a candidate plugin version and report what
//! would have changed. Nothing is applied: no effects, no kv writes, no run is touched. Each
//! replay gets the original attempt's logical time and seed, so a deterministic plugin that
//! behaves the same gives the same decision; capability reads (kb search, agent directory,
//! credit history) see today's data, which the report says.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use weft_runtime::InvocationContext;
use weft_runtime::model::StepInput;

use super::compare::differences;
use super::registry::parse_candidate;
use crate::engine::Engine;
use crate::error::EngineError;

/// How many differing replays the report shows in full.
const SAMPLES: usize = 10;

#[derive(Debug, Clone, Serialize)]
pub struct BacktestReport {
    pub candidate: String,
    pub since: DateTime<Utc>,
    /// Recorded executions replayed against the candidate.
    pub replayed: u64,
    /// Replays whose decision differed (including candidate failures).
    pub differed: u64,
    /// Replays where the candidate failed.
    pub failed: u64,
    /// How often each field differed.
    pub fields: BTreeMap<String, u64>,
    /// Recorded executions that could not be replayed, and why (deduplicated).
    pub skipped: Vec<String>,
    pub samples: Vec<BacktestSample>,
    pub note: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct BacktestSample {
    pub run_id: String,
    pub workflow: String,
    pub step: String,
    /// The version that made the recorded decision.
    pub recorded_plugin: String,
    pub fields: Vec<String>,
    pub recorded: Value,
    pub candidate: Option<Value>,
    pub error: Option<Value>,
}

impl Engine {
    /// Replays up to `limit` recorded executions (newest first) of any version of the
    /// candidate's plugin since `since`, in `workflow` only if given.
    pub async fn backtest(
        &self,
        candidate: &str,
        since: DateTime<Utc>,
        workflow: Option<&str>,
        limit: u64,
    ) -> Result<BacktestReport, EngineError> {
        let (name, version) = parse_candidate(candidate)?;
        let pin = format!("{name}@{version}");
        if self.inner.store.get_plugin(&name, &version.to_string()).await?.is_none() {
            return Err(EngineError::NotFound(format!("{pin} is not in the registry; publish it first")));
        }
        let recorded = self.inner.store.recorded_steps(&name, since, workflow, limit).await?;
        let mut report = BacktestReport {
            candidate: pin.clone(),
            since,
            replayed: 0,
            differed: 0,
            failed: 0,
            fields: BTreeMap::new(),
            skipped: Vec::new(),
            samples: Vec::new(),
            note: "capability reads (kb search, agent directory, credit history) see current data, not the data at the time",
        };
        let mut skipped = BTreeSet::new();
        for step in recorded {
            // Executions the candidate made itself (under a canary) have nothing to compare.
            if step.attempt.plugin == pin {
                continue;
            }
            let where_ = format!("workflow `{}` v{} step `{}`", step.workflow, step.version, step.attempt.step);
            let (Some(recorded_decision), Ok(input)) =
                (step.attempt.decision.clone(), serde_json::from_value::<StepInput>(step.attempt.input.clone()))
            else {
                skipped.insert(format!("{where_}: the recorded input or decision is unreadable"));
                continue;
            };
            let loaded = match self.load(&step.workflow, step.version).await {
                Ok(l) => l,
                Err(e) => {
                    skipped.insert(format!("{where_}: {e}"));
                    continue;
                }
            };
            let Some(def) = loaded.resolved.step(&step.attempt.step).cloned() else {
                skipped.insert(format!("{where_}: the step is not in the stored workflow"));
                continue;
            };
            let deployment = match self.deployment_of(&loaded, &def, &name, &version).await {
                Ok(d) => d,
                Err(e) => {
                    skipped.insert(format!("{where_}: the candidate cannot run this step: {e}"));
                    continue;
                }
            };
            let ctx = InvocationContext {
                now_ms: step.attempt.started_at.timestamp_millis(),
                seed: crate::drive::seed(&step.run_id, &def.id, u32::try_from(step.attempt.attempt).unwrap_or(1)),
                services: self.inner.services.clone(),
            };
            let result = self.inner.runtime.invoke(&deployment, &input, &ctx).await.result;
            report.replayed += 1;
            let (candidate, error, fields) = match result {
                Ok(decision) => {
                    let candidate = serde_json::to_value(&decision).unwrap_or_default();
                    let fields = differences(&recorded_decision, &candidate);
                    (Some(candidate), None, fields)
                }
                Err(e) => {
                    report.failed += 1;
                    (None, Some(json!({"kind": e.kind(), "message": e.to_string()})), vec!["error".to_owned()])
                }
            };
            if fields.is_empty() {
                continue;
            }
            report.differed += 1;
            for field in &fields {
                *report.fields.entry(field.clone()).or_default() += 1;
            }
            if report.samples.len() < SAMPLES {
                report.samples.push(BacktestSample {
                    run_id: step.run_id,
                    workflow: step.workflow,
                    step: def.id,
                    recorded_plugin: step.attempt.plugin,
                    fields,
                    recorded: recorded_decision,
                    candidate,
                    error,
                });
            }
        }
        report.skipped = skipped.into_iter().collect();
        tracing::info!(candidate = %pin, replayed = report.replayed, differed = report.differed, failed = report.failed, "back-test finished");
        Ok(report)
    }
}
