//! What the host offers a plugin: logging, the run's clock and random source, the deployment's
//! configuration, and capability-gated reads.
//!
//! Time and randomness are deterministic for one step attempt, and reads go through the host, so
//! the same input and the same reads give the same decision (which is what makes replays, shadow
//! runs and back-tests honest). Do not reach for `std::time` or OS randomness instead: under the
//! host's deny-all WASI they are not available.
//!
//! Fallible calls return [`HostError`]; inside `decide`, `?` turns it into a [`StepError`]
//! (a denial becomes `capability-denied` with the host's message, see `From<HostError>`).
//!
//! In native builds these functions talk to the thread-local [`crate::testing::TestHost`] instead
//! of the component imports, so `decide` runs unchanged in unit tests.

use serde::de::DeserializeOwned;

use crate::{AgentQuery, CreditRecord, Directory, HostError, KbHit, KbQuery, LogLevel, StepError};

// One set of signatures, two implementations: the component imports, or the test host.
#[cfg(target_arch = "wasm32")]
use crate::bindings::weft::plugin::host as imports;
#[cfg(not(target_arch = "wasm32"))]
use crate::testing::imports;

/// Logs a line with the step attempt. Always available. The host caps how much one invocation
/// may log; lines past the cap are dropped, so log decisions, not loops.
pub fn log(level: LogLevel, message: &str) {
    imports::log(level, message);
}

/// The run's logical clock in milliseconds since the Unix epoch (UTC). Fixed for one step
/// attempt, so a replay sees the same time. Always available.
pub fn now() -> i64 {
    imports::now()
}

/// A deterministic random number, seeded from the run, the step and the attempt. Always
/// available. Successive calls in one attempt give successive numbers of the same sequence.
pub fn random() -> u64 {
    imports::random()
}

/// The deployment's configuration as JSON text, already validated by the host against the
/// manifest's `config-schema` (when it declares one). `{}` when the deployment sets none.
pub fn config_json() -> String {
    imports::config()
}

/// The deployment's configuration, deserialized into the plugin's own type.
///
/// A mismatch is the operator's to fix, so it becomes `invalid-config` (not retryable) with
/// serde's message, which names the field and position:
/// `invalid deployment config: missing field `queues` at line 1 column 2`.
pub fn config<T: DeserializeOwned>() -> Result<T, StepError> {
    let text = config_json();
    serde_json::from_str(&text)
        .map_err(|error| StepError::invalid_config(format!("invalid deployment config: {error}")))
}

/// Reads a key of the plugin's key-value state (capability `kv`); `None` when it is unset.
pub fn kv_get(key: &str) -> Result<Option<String>, HostError> {
    imports::kv_get(key)
}

/// Writes a key (capability `kv`). The write becomes durable together with the step's decision,
/// and only if the step succeeds; later reads in the same attempt already see it.
pub fn kv_set(key: &str, value: &str) -> Result<(), HostError> {
    imports::kv_set(key, value)
}

/// Deletes a key (capability `kv`), with the same durability as [`kv_set`].
pub fn kv_delete(key: &str) -> Result<(), HostError> {
    imports::kv_delete(key)
}

/// Searches published, approved knowledge-base articles (capability `kb.read`), best first.
pub fn kb_search(query: KbQuery) -> Result<Vec<KbHit>, HostError> {
    imports::kb_search(&query)
}

/// Agents and queues matching the query (capability `agents.read`).
pub fn agent_directory(query: AgentQuery) -> Result<Directory, HostError> {
    imports::agent_directory(&query)
}

/// Credits already issued to `customer` at or after `since` (ms since the epoch; capability
/// `credits.read`), so a plugin can hold a cap across runs.
pub fn credit_history(customer: &str, since: i64) -> Result<Vec<CreditRecord>, HostError> {
    imports::credit_history(customer, since)
}
