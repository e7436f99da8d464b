//! The run's cursor, stored as JSON on the run row and rewritten with every step commit. Together
//! with the attempts table it is everything a restarted server needs to carry on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use weft_runtime::model::PriorStep;

/// What conditions see as `steps.<id>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    pub outcome: String,
    #[serde(default)]
    pub outputs: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub skipped: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    /// The step to run next; `None` once the forward path is done.
    pub next: Option<String>,
    pub results: BTreeMap<String, StepResult>,
    /// Earlier decisions, handed to each plugin as `prior`.
    pub prior: Vec<PriorStep>,
    /// Steps that succeeded, in order: what a saga compensates, newest first.
    pub completed: Vec<String>,
    /// Failed attempts so far, per step (also compensation steps): survives restarts, so a crash
    /// never hands a step extra attempts.
    pub failures: BTreeMap<String, u32>,
    /// Compensation steps still to run, in the order they run.
    pub compensations: Vec<String>,
    /// Whether any compensation failed for good.
    pub compensation_failed: bool,
    /// The error that made the run fail (and start compensating).
    pub failure: Option<serde_json::Value>,
    /// The step whose decision ended the forward path (`complete`/`block`), if any.
    pub decided_by: Option<String>,
    /// Who started the run (the webhook caller): they may not approve its approval steps.
    #[serde(default)]
    pub started_by: Option<String>,
    /// The approval the run is waiting on, with the votes so far.
    #[serde(default)]
    pub approval: Option<ApprovalState>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vote {
    pub user: String,
    pub at_ms: i64,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalState {
    pub step: String,
    /// When the approval's timeout fires (ms since the epoch); durable, so a restart keeps it.
    pub deadline_ms: i64,
    pub approvals: Vec<Vote>,
    pub rejections: Vec<Vote>,
}

impl RunState {
    pub fn starting_at(first: &str) -> Self {
        RunState { next: Some(first.to_owned()), ..RunState::default() }
    }

    pub fn from_json(value: &serde_json::Value) -> Result<Self, String> {
        serde_json::from_value(value.clone()).map_err(|e| format!("the run's stored state is unreadable: {e}"))
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}
