//! Workflow definitions: the YAML an operator writes, and its validation against the plugin
//! registry. Every problem is reported with its line and field, all at once, so one edit-validate
//! round fixes them all.

mod check;
pub mod yaml;

use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use check::{Catalog, CatalogEntry, Resolved, validate};

/// Defaults keep a small workflow small; each says why it is what it is.
fn one() -> u32 {
    1
}
fn default_backoff() -> Option<Duration> {
    // Long enough that a busy host or a flapping dependency recovers; short enough that a
    // synchronous webhook caller (`?wait=2s`) still sees a second attempt.
    Some(Duration::from_millis(100))
}
fn default_max_backoff() -> Option<Duration> {
    Some(Duration::from_secs(30))
}
fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

/// A workflow file. Unknown keys are errors: a typo must not silently change behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// `[a-z0-9-]{1,64}`; the name the workflow is deployed and versioned under.
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub trigger: Trigger,
    /// The whole run's deadline, retries and backoff included; past it the run fails (and is
    /// compensated). Default: none.
    #[serde(default, with = "crate::duration::option")]
    pub timeout: Option<Duration>,
    /// Run in order (or as `next` says), starting with the first.
    pub steps: Vec<StepDef>,
    /// Steps that undo others, run in reverse order when a run fails for good; each is named by a
    /// step's `compensate`.
    #[serde(default)]
    pub compensations: Vec<StepDef>,
    /// Service-level targets counted in business time from the run's start.
    #[serde(default)]
    pub sla: Option<SlaDef>,
    /// Steps SLA timers run (named by `sla.escalate`); they get `sla` in their input.
    #[serde(default)]
    pub escalations: Vec<StepDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaDef {
    pub calendar: crate::calendar::CalendarDef,
    /// Business time until the warn timer fires the escalation step.
    #[serde(default, with = "crate::duration::option")]
    pub warn: Option<Duration>,
    /// Business time until the breach timer fires it.
    #[serde(with = "crate::duration::required")]
    pub breach: Duration,
    /// The id of the step under `escalations` both timers run.
    pub escalate: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// Integrators start runs with `POST /v1/hooks/<webhook>`.
    pub webhook: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    pub id: String,
    /// `name@semver-range`, e.g. `router@^1.2`; resolved to the newest published match on deploy.
    /// Every step names a plugin or is an `approval`.
    #[serde(default)]
    pub plugin: String,
    /// A human decision instead of a plugin: the run waits for approvers.
    #[serde(default)]
    pub approval: Option<ApprovalDef>,
    /// The plugin's configuration, checked against its config schema on deploy.
    #[serde(default = "empty_object")]
    pub config: serde_json::Value,
    /// Capabilities granted to the plugin in this step; default: all it declares.
    #[serde(default)]
    pub grants: Option<Vec<String>>,
    /// Limit overrides (fuel, deadline_ms, memory_mib, …) as in a deployment.
    #[serde(default = "empty_object")]
    pub limits: serde_json::Value,
    /// CEL over `ticket` and `steps.<id>`; the step is skipped when false.
    #[serde(default)]
    pub when: Option<String>,
    #[serde(default)]
    pub retry: Retry,
    /// Deadline for one attempt (on top of the plugin's own wall-clock limit).
    #[serde(default, with = "crate::duration::option")]
    pub timeout: Option<Duration>,
    /// The id of a step in `compensations` that undoes this one.
    #[serde(default)]
    pub compensate: Option<String>,
    /// The step to run after this one (`end` to finish); default: the next in the list.
    #[serde(default)]
    pub next: Option<String>,
}

/// What happens when approvers do not decide in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutOutcome {
    Approve,
    Reject,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalDef {
    /// Approvers need one of these roles (admins have every role).
    pub roles: Vec<String>,
    /// Distinct approvers needed; one rejection rejects.
    #[serde(default = "one")]
    pub quorum: u32,
    /// How long the run waits; the timer survives restarts and fires once.
    #[serde(with = "crate::duration::required")]
    pub timeout: Duration,
    /// The outcome when the timeout passes without a decision.
    pub on_timeout: TimeoutOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Attempts in total, the first included.
    #[serde(default = "one")]
    pub max_attempts: u32,
    /// Wait before the second attempt; doubles each time, with full jitter.
    #[serde(default = "default_backoff", with = "crate::duration::option")]
    pub backoff: Option<Duration>,
    #[serde(default = "default_max_backoff", with = "crate::duration::option")]
    pub max_backoff: Option<Duration>,
}

impl Default for Retry {
    fn default() -> Self {
        Retry { max_attempts: 1, backoff: default_backoff(), max_backoff: default_max_backoff() }
    }
}

impl StepDef {
    /// `(name, range)` of `plugin`.
    pub fn plugin_ref(&self) -> Option<(&str, &str)> {
        self.plugin.split_once('@')
    }
}

/// One problem in a workflow file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub line: usize,
    /// The field path, e.g. `steps[2].when`; empty for the whole file.
    pub field: String,
    pub message: String,
}

impl Diagnostic {
    /// `file:line: field: message`, the shape editors and CI logs link to.
    pub fn render(&self, file: &str) -> String {
        if self.field.is_empty() {
            format!("{file}:{}: {}", self.line, self.message)
        } else {
            format!("{file}:{}: {}: {}", self.line, self.field, self.message)
        }
    }
}
