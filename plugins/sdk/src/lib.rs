//! The guest SDK for Weft plugins.
//!
//! A plugin author writes one function over typed records and exports it with
//! [`export_step!`]; this crate hides wit-bindgen, the canonical ABI and the manifest embedding:
//!
//! ```ignore
//! use weft_plugin::prelude::*;
//!
//! fn decide(input: StepInput) -> Result<Decision, StepError> {
//!     let queue = if input.ticket.customer.tier.is_high_value() { "vip" } else { "general" };
//!     weft_plugin::info!("routing {} to {queue}", input.ticket.id);
//!     Ok(Decision::proceed()
//!         .reason(format!("tier → {queue}"))
//!         .output("queue", queue)
//!         .effect(effect::assign(queue).reason("by tier")))
//! }
//!
//! weft_plugin::export_step!(decide);
//! ```
//!
//! Built for `wasm32-wasip2`, the crate is a component that imports the contract's `host`
//! interface and exports `decider`. Built natively (`cargo test`), the [`host`] functions talk to
//! the thread-local test host in [`testing`], so the same `decide` runs in unit tests.
//!
//! See `README.md` beside this crate for a complete worked example, the capability table and the
//! limits the host enforces.

#![deny(missing_docs)]

mod decision;
pub mod effect;
mod error;
mod export;
pub mod host;
mod input;
mod logging;
mod names;
mod query;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;

/// The wit-bindgen output for the `step` world of `weft:plugin@0.1.0`.
///
/// Public only because [`export_step!`] expands in the plugin's crate and must reach the
/// generated export glue; plugin code uses the re-exports at the crate root instead.
#[doc(hidden)]
#[allow(missing_docs)] // documented by the WIT comments, where the contract has them
pub mod bindings {
    wit_bindgen::generate!({
        // Relative to this crate's manifest, so a plugin outside the repository that depends on
        // the SDK by path still finds the contract.
        path: "../../wit",
        world: "step",
        // `export_step!` expands in the plugin's crate, so the generated export macro must be
        // reachable from there; its name is hidden behind our own macro.
        pub_export_macro: true,
        export_macro_name: "__export_step_bindings",
        default_bindings_module: "weft_plugin::bindings",
        // Tests compare decisions and effects with `assert_eq!`. (wit-bindgen already derives it
        // for enums and flat records; this adds it to the rest.)
        additional_derives: [PartialEq],
    });
}

pub use bindings::exports::weft::plugin::decider::{Decision, Outcome, PriorStep, StepError, StepErrorKind, StepInput};
pub use bindings::weft::plugin::effects::{
    ApprovalRequest, Assignment, Credit, CreditKind, Effect, Escalation, EscalationLevel, Notification, NotifyChannel,
    Redaction, Span, TagChange,
};
pub use bindings::weft::plugin::host::{
    AgentQuery, CreditRecord, Denial, Directory, HostError, KbHit, KbQuery, LogLevel,
};
pub use bindings::weft::plugin::types::{
    Agent, AuthorKind, Channel, ChannelLoad, Consent, Customer, Field, Message, Presence, Priority, Queue, Skill,
    SlaStatus, Ticket, Tier,
};

#[doc(hidden)]
pub use export::__private;
pub use input::primary_subtag;

/// The JSON value type used for outputs and extension fields, re-exported so plugins need not
/// depend on `serde_json` for simple cases.
pub use serde_json::{Value as JsonValue, json};

/// The version of the WIT contract this SDK builds components for (`weft:plugin@…`).
pub const CONTRACT_VERSION: &str = "0.1.0";

/// Everything a plugin usually needs: `use weft_plugin::prelude::*;`.
///
/// The logging macros are not in the prelude (a glob-imported `warn` macro would be ambiguous
/// with the `#[warn]` attribute); call them as `weft_plugin::info!(...)`.
pub mod prelude {
    pub use crate::effect;
    pub use crate::host;
    pub use crate::{
        Agent, AgentQuery, ApprovalRequest, Assignment, AuthorKind, Channel, ChannelLoad, Consent, Credit, CreditKind,
        CreditRecord, Customer, Decision, Denial, Directory, Effect, Escalation, EscalationLevel, Field, HostError,
        KbHit, KbQuery, LogLevel, Message, Notification, NotifyChannel, Outcome, Presence, PriorStep, Priority, Queue,
        Redaction, Skill, SlaStatus, Span, StepError, StepErrorKind, StepInput, TagChange, Ticket, Tier,
    };
}

#[cfg(test)]
mod tests {
    // The SDK's idea of the contract version must be the package it generates bindings from.
    #[test]
    fn contract_version_matches_the_wit_package() {
        let wit = include_str!("../../../wit/step.wit");
        let package = format!("package weft:plugin@{};", super::CONTRACT_VERSION);
        assert!(wit.contains(&package), "wit/step.wit does not declare `{package}`");
    }
}
