//! Every way a plugin can fail, as one typed error with a stable `kind`.
//!
//! Each message says what happened and what to do next; `kind` is what operators count and alert
//! on, and what the workflow engine's retry policy keys on.

use serde::Serialize;

use crate::model::StepError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PluginError {
    #[error(
        "the plugin used its whole fuel budget of {budget} instructions; raise `fuel` in the \
         deployment limits if the work is legitimate, or look for a loop that does not end"
    )]
    FuelExhausted { budget: u64 },

    #[error(
        "the plugin did not finish within its {limit_ms} ms deadline; raise `deadline-ms` in the \
         deployment limits or make it do less per invocation"
    )]
    Deadline { limit_ms: u64 },

    #[error(
        "the plugin tried to use {desired} bytes of memory, over its {limit} byte limit; raise \
         `memory-mib` in the deployment limits or make it allocate less"
    )]
    MemoryLimit { desired: u64, limit: u64 },

    #[error(
        "the plugin overflowed its {limit_kib} KiB stack, most likely through unbounded recursion; \
         backtrace: {}", backtrace.join(" <- ")
    )]
    StackOverflow { limit_kib: u64, backtrace: Vec<String> },

    #[error("the plugin trapped: {message}; backtrace: {}", backtrace.join(" <- "))]
    Trap { message: String, backtrace: Vec<String> },

    #[error("the plugin returned output the host cannot accept: {reason}")]
    InvalidOutput { reason: String },

    #[error(
        "the plugin returned {size} bytes of output, over the {limit} byte limit; return less, or \
         raise `output-kib` in the deployment limits"
    )]
    OutputTooLarge { size: u64, limit: u64 },

    #[error(
        "the step input is {size} bytes, over the plugin's {limit} byte input limit; raise \
         `input-kib` in the deployment limits or trim the ticket (conversation, fields)"
    )]
    InputTooLarge { size: u64, limit: u64 },

    #[error("{message}")]
    CapabilityDenied { capability: String, message: String },

    #[error("{message}")]
    IncompatibleContract { message: String },

    #[error("{message}")]
    InvalidComponent { message: String },

    #[error("the plugin reported an error ({}): {}", kind_name(&error.kind), error.message)]
    PluginError { error: StepError },

    #[error("all {capacity} plugin instance slots are busy; retry shortly or raise the host's instance pool")]
    Busy { capacity: u32 },
}

fn kind_name(kind: &crate::model::StepErrorKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

impl PluginError {
    /// The stable, kebab-case name of this failure.
    pub fn kind(&self) -> &'static str {
        match self {
            PluginError::FuelExhausted { .. } => "fuel-exhausted",
            PluginError::Deadline { .. } => "deadline",
            PluginError::MemoryLimit { .. } => "memory-limit",
            PluginError::StackOverflow { .. } => "stack-overflow",
            PluginError::Trap { .. } => "trap",
            PluginError::InvalidOutput { .. } => "invalid-output",
            PluginError::OutputTooLarge { .. } => "output-too-large",
            PluginError::InputTooLarge { .. } => "input-too-large",
            PluginError::CapabilityDenied { .. } => "capability-denied",
            PluginError::IncompatibleContract { .. } => "incompatible-contract",
            PluginError::InvalidComponent { .. } => "invalid-component",
            PluginError::PluginError { .. } => "plugin-error",
            PluginError::Busy { .. } => "busy",
        }
    }

    /// Whether trying the same input again may succeed. Limits, bad output and denials are
    /// deterministic and never retried; a busy host, a deadline (which depends on host load) or a
    /// plugin that says so may be.
    pub fn retryable(&self) -> bool {
        match self {
            PluginError::Busy { .. } | PluginError::Deadline { .. } => true,
            PluginError::PluginError { error } => error.retryable,
            _ => false,
        }
    }

    pub(crate) fn invalid_component(message: impl Into<String>) -> Self {
        PluginError::InvalidComponent { message: message.into() }
    }
}
