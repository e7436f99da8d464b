//! The host's typed, serde-friendly view of the plugin contract.
//!
//! The wasmtime bindings derive their names from WIT (`Channel::Email`), which would leak into JSON
//! as `"Email"`. Integrators, fixtures and stored runs instead speak the JSON documented in
//! `docs/conventions.md`; `convert.rs` maps between the two at the sandbox boundary.

mod decision;
mod directory;
mod effect;
mod ticket;

pub use decision::{Decision, Outcome, PriorStep, StepError, StepErrorKind, StepInput};
pub use directory::{Agent, AgentQuery, ChannelLoad, CreditRecord, Directory, KbHit, KbQuery, Presence, Queue, Skill};
pub use effect::{
    ApprovalRequest, Assignment, Credit, CreditKind, Effect, Escalation, EscalationLevel, Notification, NotifyChannel,
    Redaction, Span, TagChange,
};
pub use ticket::{AuthorKind, Channel, Consent, Customer, Message, Priority, SlaStatus, Ticket, Tier};

/// Extension values and step outputs: a JSON object in the API, `list<field>` in WIT.
pub type Fields = serde_json::Map<String, serde_json::Value>;
