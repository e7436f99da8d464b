use serde::{Deserialize, Serialize};

use super::{Effect, Fields, SlaStatus, Ticket};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Proceed,
    Complete,
    Block,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub outcome: Outcome,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub outputs: Fields,
    #[serde(default)]
    pub effects: Vec<Effect>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorStep {
    pub step: String,
    pub plugin: String,
    pub decision: Decision,
}

fn first_attempt() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    #[serde(default)]
    pub run_id: String,
    #[serde(default)]
    pub step: String,
    #[serde(default = "first_attempt")]
    pub attempt: u32,
    pub ticket: Ticket,
    #[serde(default)]
    pub prior: Vec<PriorStep>,
    #[serde(default)]
    pub sla: Option<SlaStatus>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepErrorKind {
    InvalidInput,
    InvalidConfig,
    CapabilityDenied,
    DependencyFailed,
    Internal,
}

/// A failure the plugin itself reported (as opposed to one the sandbox imposed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepError {
    pub kind: StepErrorKind,
    pub message: String,
    pub retryable: bool,
}
