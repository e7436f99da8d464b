//! Weft workflows: YAML definitions validated against the plugin registry, CEL conditions, and the
//! durable executor that runs steps as sandboxed plugins and applies their effects exactly once.
//!
//! ```text
//! YAML ──validate(catalog)──▶ Resolved ──deploy──▶ stored version ──trigger──▶ run ──steps──▶ outbox ──▶ case record
//! ```

pub mod approval;
pub mod calendar;
pub mod condition;
pub mod definition;
pub mod duration;

pub use definition::{Catalog, Definition, Diagnostic, Resolved, validate};
mod bind;
pub mod catalog;
mod drive;
mod effects;
mod engine;
mod error;
pub mod retry;
pub mod rollout;
pub mod sla;
pub mod state;

pub use approval::VoteError;
pub use engine::Engine;
pub use error::EngineError;
pub use rollout::{BacktestReport, RolloutRequest};
pub use sla::SlaError;
