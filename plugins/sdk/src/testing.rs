//! Native unit tests for plugins: a stand-in host, input builders and a fixture runner.
//!
//! Only in native builds (`cargo test`); a component never contains it. The [`crate::host`]
//! functions talk to the [`TestHost`] of the current [`TestHost::run`], so `decide` runs
//! unchanged:
//!
//! ```
//! use weft_plugin::prelude::*;
//! use weft_plugin::testing::{TestHost, ticket};
//!
//! fn decide(input: StepInput) -> Result<Decision, StepError> {
//!     let queue = if input.ticket.primary_language().as_deref() == Some("zh") { "cn" } else { "general" };
//!     Ok(Decision::proceed().output("queue", queue).effect(effect::assign(queue)))
//! }
//!
//! let run = TestHost::new()
//!     .grant("effect.assign")
//!     .run(decide, ticket("T-1").language("zh-CN"));
//! assert_eq!(run.decision().get_output("queue"), Some(weft_plugin::json!("cn")));
//! ```
//!
//! [`assert_fixtures`] runs the plugin's `fixtures/*.json` natively too, so a broken fixture is
//! caught by `cargo test` before `weft plugin test` runs it against the real host and its limits.

mod builders;
mod fixture;
mod json_directory;
mod json_model;
mod test_host;

pub use builders::{InputBuilder, TicketBuilder, input, ticket};
pub use fixture::{Fixture, FixtureResult, assert_fixtures, declared_capabilities};
pub use test_host::{DEFAULT_NOW, TestHost, TestRun, denial, denial_message};

pub(crate) use test_host::imports;
