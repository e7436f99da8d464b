//! Shadow executions: the candidate runs on exactly the input (and logical time and seed) the
//! stable version saw, after the stable decision is committed, on its own task so the run never
//! waits for it. Its decision is recorded and compared; its effects and kv writes are dropped.
//! A crash between the stable commit and the shadow's record loses that one comparison, never
//! anything of the run's.

use std::sync::Arc;

use serde_json::{Value, json};
use weft_runtime::model::StepInput;
use weft_runtime::{Deployment, InvocationContext};
use weft_store::Observation;

use super::compare::differences;
use crate::engine::Engine;

pub(crate) struct ShadowJob {
    pub rollout_id: String,
    pub ticket_id: String,
    pub deployment: Arc<Deployment>,
    pub input: StepInput,
    pub ctx: InvocationContext,
    /// The stable version's decision, as applied.
    pub applied: Value,
}

impl Engine {
    pub(crate) fn spawn_shadow(&self, job: ShadowJob) {
        let engine = self.clone();
        tokio::spawn(async move {
            // Bounded: under load shadows queue here instead of taking every core from live runs.
            let Ok(_permit) = engine.inner.shadow_slots.acquire().await else { return };
            let report = engine.inner.runtime.invoke(&job.deployment, &job.input, &job.ctx).await;
            let (status, candidate, error, fields) = match report.result {
                Ok(decision) => {
                    let candidate = serde_json::to_value(&decision).unwrap_or_default();
                    let fields = differences(&job.applied, &candidate);
                    ("succeeded", Some(candidate), None, fields)
                }
                Err(e) => {
                    let error = json!({"kind": e.kind(), "message": e.to_string()});
                    ("failed", None, Some(error), vec!["error".to_owned()])
                }
            };
            let observation = Observation {
                rollout_id: job.rollout_id.clone(),
                run_id: job.input.run_id.clone(),
                ticket_id: job.ticket_id,
                arm: "shadow".into(),
                status: status.into(),
                decision: Some(job.applied),
                candidate,
                error,
                fields,
                observed_at: None,
            };
            if let Err(error) = engine.inner.store.observe_rollout(observation).await {
                tracing::warn!(rollout = %job.rollout_id, run = %job.input.run_id, %error, "shadow comparison not recorded");
            }
        });
    }
}
