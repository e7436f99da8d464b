//! The native stand-in for the host: capability checks, deterministic clock and random source,
//! key-value state, and stubbed reads.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use crate::{
    AgentQuery, CreditRecord, Decision, Denial, Directory, HostError, KbHit, KbQuery, LogLevel, StepError, StepInput,
};

/// The clock a [`TestHost`] reports unless told otherwise: 2023-11-14T22:13:20Z.
pub const DEFAULT_NOW: i64 = 1_700_000_000_000;

/// The sentence the host uses to refuse a capability, naming it and the command that grants it.
///
/// `capability `kv` is not granted to this deployment; grant it with
/// `weft deployment grant <deployment> kv``
pub fn denial_message(capability: &str) -> String {
    format!(
        "capability `{capability}` is not granted to this deployment; \
         grant it with `weft deployment grant <deployment> {capability}`"
    )
}

/// The host error for a capability that is not granted, as the host builds it.
pub fn denial(capability: &str) -> HostError {
    HostError::Denied(Denial { capability: capability.to_owned(), message: denial_message(capability) })
}

/// A host for native unit tests, configured with builder methods and run with [`TestHost::run`].
///
/// ```
/// use weft_plugin::prelude::*;
/// use weft_plugin::testing::{TestHost, ticket};
/// use weft_plugin::json;
///
/// #[derive(serde::Deserialize)]
/// struct Config { queue: String }
///
/// fn decide(_: StepInput) -> Result<Decision, StepError> {
///     let config: Config = host::config()?;
///     Ok(Decision::proceed().effect(effect::assign(config.queue)))
/// }
///
/// let host = TestHost::new().config(json!({"queue": "billing-cn"}));
/// // Nothing is granted by default, so the host refuses the effect...
/// assert_eq!(host.run(decide, ticket("T-1")).error().kind, StepErrorKind::CapabilityDenied);
/// // ...until the deployment is granted it.
/// let run = host.grant("effect.assign").run(decide, ticket("T-1"));
/// assert_eq!(run.decision().effects, [Effect::from(effect::assign("billing-cn"))]);
/// ```
///
/// Like the real host, it grants nothing by default: every capability the plugin uses must be
/// granted with [`TestHost::grant`], and a call without the grant fails with the host's denial.
/// Effects in the returned decision are checked too: one whose `effect.<kind>` is not granted
/// turns the run into a `capability-denied` error, as the host refuses to apply it.
///
/// What it does not do: mask PII (the input is passed as given), enforce fuel, memory or time
/// limits, or filter directory and search results (they are returned as stubbed; stub what the
/// host would return for the query). Those are the host's job; `weft plugin test` runs fixtures
/// against the real host.
#[derive(Clone, Debug)]
pub struct TestHost {
    config: String,
    grants: BTreeSet<String>,
    kv: BTreeMap<String, String>,
    now: i64,
    seed: u64,
    directory: Directory,
    kb_hits: Vec<KbHit>,
    credits: Vec<(String, CreditRecord)>,
    unavailable: BTreeMap<String, String>,
}

impl Default for TestHost {
    fn default() -> Self {
        Self::new()
    }
}

impl TestHost {
    /// A host with config `{}`, no grants, empty state, the clock at [`DEFAULT_NOW`] and seed 0.
    pub fn new() -> Self {
        Self {
            config: "{}".to_owned(),
            grants: BTreeSet::new(),
            kv: BTreeMap::new(),
            now: DEFAULT_NOW,
            seed: 0,
            directory: Directory { agents: Vec::new(), queues: Vec::new() },
            kb_hits: Vec::new(),
            credits: Vec::new(),
            unavailable: BTreeMap::new(),
        }
    }

    /// The deployment's configuration, as `host::config` returns it.
    pub fn config(mut self, config: serde_json::Value) -> Self {
        self.config = config.to_string();
        self
    }

    /// The configuration as raw text, to test how a plugin handles one that does not parse.
    pub fn config_json(mut self, config: impl Into<String>) -> Self {
        self.config = config.into();
        self
    }

    /// Grants a capability (`kv`, `kb.read`, `effect.assign`, ...).
    pub fn grant(mut self, capability: impl Into<String>) -> Self {
        self.grants.insert(capability.into());
        self
    }

    /// Grants several capabilities.
    pub fn grants<I: IntoIterator<Item = S>, S: Into<String>>(mut self, capabilities: I) -> Self {
        self.grants.extend(capabilities.into_iter().map(Into::into));
        self
    }

    /// Sets a key of the plugin's key-value state before the run.
    pub fn kv(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.kv.insert(key.into(), value.into());
        self
    }

    /// The run's logical clock, in milliseconds since the epoch.
    pub fn now(mut self, now: i64) -> Self {
        self.now = now;
        self
    }

    /// The seed of `host::random`: the same seed gives the same sequence.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// What `host::agent_directory` returns (whatever the query).
    pub fn agents(mut self, directory: Directory) -> Self {
        self.directory = directory;
        self
    }

    /// What `host::kb_search` returns (truncated to the query's limit).
    pub fn kb_hits(mut self, hits: Vec<KbHit>) -> Self {
        self.kb_hits = hits;
        self
    }

    /// A credit already issued to `customer`, for `host::credit_history`.
    pub fn credit(mut self, customer: impl Into<String>, record: CreditRecord) -> Self {
        self.credits.push((customer.into(), record));
        self
    }

    /// Makes every call needing `capability` fail with `unavailable` (a retryable dependency
    /// failure), to test how the plugin copes with an outage. Grants are checked first.
    pub fn unavailable(mut self, capability: impl Into<String>, message: impl Into<String>) -> Self {
        self.unavailable.insert(capability.into(), message.into());
        self
    }

    /// Runs `decide` on `input` against this host. The host itself is not changed, so one host
    /// can run many cases.
    ///
    /// A panic in `decide` propagates (failing the test, as a trap fails the step on the host).
    pub fn run<F>(&self, decide: F, input: impl Into<StepInput>) -> TestRun
    where
        F: FnOnce(StepInput) -> Result<Decision, StepError>,
    {
        let session = Session::new(self.clone());
        let active = ActiveSession::enter(session);
        let result = decide(input.into());
        let session = active.leave();

        let mut refused_effect = false;
        let result = result.and_then(|decision| {
            match decision
                .effects
                .iter()
                .map(|effect| effect.capability())
                .find(|capability| !self.grants.contains(*capability))
            {
                Some(capability) => {
                    refused_effect = true;
                    Err(StepError::capability_denied(denial_message(capability)))
                }
                None => Ok(decision),
            }
        });
        // Writes become durable with the decision, and only if the step succeeds.
        let kv = if result.is_ok() { session.kv } else { self.kv.clone() };
        TestRun { result, logs: session.logs, kv, refused_effect }
    }
}

/// What one [`TestHost::run`] produced.
#[derive(Clone, Debug)]
pub struct TestRun {
    /// The decision, or the step's error. A decision carrying an effect the deployment is not
    /// granted becomes a `capability-denied` error here, as on the host.
    pub result: Result<Decision, StepError>,
    /// Every line the step logged, in order.
    pub logs: Vec<(LogLevel, String)>,
    /// The key-value state after the run: with the step's writes if it succeeded, unchanged if
    /// it failed.
    pub kv: BTreeMap<String, String>,
    pub(crate) refused_effect: bool,
}

impl TestRun {
    /// The decision.
    ///
    /// # Panics
    ///
    /// If the step failed, with the error and the step's logs (this is for tests).
    pub fn decision(&self) -> &Decision {
        match &self.result {
            Ok(decision) => decision,
            Err(error) => panic!("the step failed: {error:?}\nlogs: {:#?}", self.logs),
        }
    }

    /// The step's error.
    ///
    /// # Panics
    ///
    /// If the step succeeded, with its decision (this is for tests).
    pub fn error(&self) -> &StepError {
        match &self.result {
            Ok(decision) => panic!("the step succeeded: {decision:?}"),
            Err(error) => error,
        }
    }

    /// Whether the step logged a line at `level` containing `text`.
    pub fn logged(&self, level: LogLevel, text: &str) -> bool {
        self.logs.iter().any(|(logged_level, line)| *logged_level == level && line.contains(text))
    }
}

/// The state of one run: the host's configuration plus what the run changed.
struct Session {
    host: TestHost,
    kv: BTreeMap<String, String>,
    logs: Vec<(LogLevel, String)>,
    random_state: u64,
}

impl Session {
    fn new(host: TestHost) -> Self {
        Self { kv: host.kv.clone(), random_state: host.seed, host, logs: Vec::new() }
    }

    fn check(&self, capability: &str) -> Result<(), HostError> {
        if !self.host.grants.contains(capability) {
            return Err(denial(capability));
        }
        match self.host.unavailable.get(capability) {
            Some(message) => Err(HostError::Unavailable(message.clone())),
            None => Ok(()),
        }
    }
}

thread_local! {
    // One run per thread at a time; the test harness runs each test on its own thread.
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
}

/// Restores the previous session when a run ends, also when `decide` panics, so one failing
/// test cannot leak its host into the next test on the same thread.
struct ActiveSession {
    previous: Option<Option<Session>>,
}

impl ActiveSession {
    fn enter(session: Session) -> Self {
        let previous = SESSION.with(|slot| slot.replace(Some(session)));
        Self { previous: Some(previous) }
    }

    fn leave(mut self) -> Session {
        let previous = self.previous.take().flatten();
        let session = SESSION.with(|slot| slot.replace(previous));
        // `enter` put a session there and nothing else removes it.
        session.unwrap_or_else(|| Session::new(TestHost::new()))
    }
}

impl Drop for ActiveSession {
    fn drop(&mut self) {
        if let Some(previous) = self.previous.take() {
            SESSION.with(|slot| slot.replace(previous));
        }
    }
}

/// Runs `f` on the current session. Outside [`TestHost::run`] (a test calling `decide`
/// directly), a default [`TestHost`] serves the call: nothing granted, config `{}`.
fn with_session<R>(f: impl FnOnce(&mut Session) -> R) -> R {
    SESSION.with(|slot| {
        let mut slot = slot.borrow_mut();
        f(slot.get_or_insert_with(|| Session::new(TestHost::new())))
    })
}

/// SplitMix64: small, fast, and the same sequence for the same seed on every platform.
fn split_mix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The native implementations of the contract's `host` imports, with the generated bindings'
/// signatures so `crate::host` can switch between them by target alone.
pub(crate) mod imports {
    use super::*;

    pub(crate) fn log(level: LogLevel, message: &str) {
        // Captured by the test harness and shown when a test fails.
        eprintln!("[{level:?}] {message}");
        with_session(|session| session.logs.push((level, message.to_owned())));
    }

    pub(crate) fn now() -> i64 {
        with_session(|session| session.host.now)
    }

    pub(crate) fn random() -> u64 {
        with_session(|session| split_mix64(&mut session.random_state))
    }

    pub(crate) fn config() -> String {
        with_session(|session| session.host.config.clone())
    }

    pub(crate) fn kv_get(key: &str) -> Result<Option<String>, HostError> {
        with_session(|session| {
            session.check("kv")?;
            check_key(key)?;
            Ok(session.kv.get(key).cloned())
        })
    }

    pub(crate) fn kv_set(key: &str, value: &str) -> Result<(), HostError> {
        with_session(|session| {
            session.check("kv")?;
            check_key(key)?;
            session.kv.insert(key.to_owned(), value.to_owned());
            Ok(())
        })
    }

    pub(crate) fn kv_delete(key: &str) -> Result<(), HostError> {
        with_session(|session| {
            session.check("kv")?;
            check_key(key)?;
            session.kv.remove(key);
            Ok(())
        })
    }

    pub(crate) fn kb_search(query: &KbQuery) -> Result<Vec<KbHit>, HostError> {
        with_session(|session| {
            session.check("kb.read")?;
            if query.limit == 0 {
                return Err(HostError::Invalid("kb-search limit must be at least 1".into()));
            }
            let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
            Ok(session.host.kb_hits.iter().take(limit).cloned().collect())
        })
    }

    pub(crate) fn agent_directory(_query: &AgentQuery) -> Result<Directory, HostError> {
        with_session(|session| {
            session.check("agents.read")?;
            Ok(session.host.directory.clone())
        })
    }

    pub(crate) fn credit_history(customer: &str, since: i64) -> Result<Vec<CreditRecord>, HostError> {
        with_session(|session| {
            session.check("credits.read")?;
            Ok(session
                .host
                .credits
                .iter()
                .filter(|(owner, record)| owner == customer && record.issued_at >= since)
                .map(|(_, record)| record.clone())
                .collect())
        })
    }

    fn check_key(key: &str) -> Result<(), HostError> {
        if key.is_empty() {
            return Err(HostError::Invalid("kv key must not be empty".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ticket;
    use crate::{Effect, StepErrorKind, effect, host, json};
    use serde::Deserialize;

    fn kv_step(_: StepInput) -> Result<Decision, StepError> {
        let seen = host::kv_get("count")?.unwrap_or_default();
        host::kv_set("count", &format!("{seen}I"))?;
        Ok(Decision::proceed().output("seen", &seen))
    }

    // Denials name the capability and the command that grants it, verbatim through `?`.
    #[test]
    fn an_ungranted_capability_is_denied_with_the_hosts_sentence() {
        let run = TestHost::new().run(kv_step, ticket("T-1"));
        let error = run.error();
        assert_eq!(error.kind, StepErrorKind::CapabilityDenied);
        assert!(!error.retryable);
        assert_eq!(
            error.message,
            "capability `kv` is not granted to this deployment; \
             grant it with `weft deployment grant <deployment> kv`"
        );
    }

    // Writes become durable with the decision: visible after a successful run only.
    #[test]
    fn kv_writes_are_kept_only_when_the_step_succeeds() {
        let host = TestHost::new().grant("kv").kv("count", "II");
        let run = host.run(kv_step, ticket("T-1"));
        assert_eq!(run.decision().get_output("seen"), Some(json!("II")));
        assert_eq!(run.kv.get("count").map(String::as_str), Some("III"));

        let failing = host.run(
            |input| {
                kv_step(input)?;
                Err(StepError::internal("after the write"))
            },
            ticket("T-1"),
        );
        assert_eq!(failing.kv.get("count").map(String::as_str), Some("II"));
    }

    #[test]
    fn an_empty_kv_key_is_an_invalid_request() {
        let run = TestHost::new().grant("kv").run(
            |_| {
                host::kv_set("", "v")?;
                Ok(Decision::proceed())
            },
            ticket("T-1"),
        );
        assert_eq!(run.error().kind, StepErrorKind::InvalidInput);
    }

    // The host refuses to apply an effect the deployment is not granted.
    #[test]
    fn an_ungranted_effect_fails_the_step() {
        let decide = |_| Ok(Decision::proceed().effect(effect::credit("C-1", 500, "EUR")));
        let run = TestHost::new().run(decide, ticket("T-1"));
        assert_eq!(run.error().kind, StepErrorKind::CapabilityDenied);
        assert!(run.error().message.contains("`effect.credit`"));

        let run = TestHost::new().grant("effect.credit").run(decide, ticket("T-1"));
        assert!(matches!(run.decision().effects[0], Effect::Credit(_)));
    }

    // Same seed, same numbers: what makes replays and back-tests honest.
    #[test]
    fn random_is_deterministic_per_seed() {
        let draw = |_| Ok(Decision::proceed().output("n", &[host::random(), host::random()]));
        let first = TestHost::new().seed(7).run(draw, ticket("T-1"));
        let again = TestHost::new().seed(7).run(draw, ticket("T-1"));
        let other = TestHost::new().seed(8).run(draw, ticket("T-1"));
        let numbers = first.decision().get_output("n");
        assert_eq!(numbers, again.decision().get_output("n"));
        assert_ne!(numbers, other.decision().get_output("n"));
        let pair = numbers.and_then(|n| n.as_array().cloned()).unwrap_or_default();
        assert_ne!(pair[0], pair[1]);
    }

    #[test]
    fn now_is_the_configured_clock() {
        let run = TestHost::new().now(42).run(|_| Ok(Decision::proceed().output("now", &host::now())), ticket("T-1"));
        assert_eq!(run.decision().get_output("now"), Some(json!(42)));
    }

    #[derive(Deserialize)]
    #[allow(dead_code)] // only deserialized
    struct Config {
        queues: std::collections::BTreeMap<String, String>,
    }

    // A config mismatch is the operator's to fix: invalid-config, with serde's explanation.
    #[test]
    fn a_config_that_does_not_fit_is_invalid_config_with_the_serde_message() {
        let read = |_| host::config::<Config>().map(|_| Decision::proceed());
        let run = TestHost::new().config(json!({"queue": {}})).run(read, ticket("T-1"));
        let error = run.error();
        assert_eq!(error.kind, StepErrorKind::InvalidConfig);
        assert!(!error.retryable);
        assert!(error.message.contains("missing field `queues`"), "{}", error.message);

        let run = TestHost::new().config_json("{not json").run(read, ticket("T-1"));
        assert_eq!(run.error().kind, StepErrorKind::InvalidConfig);

        let run = TestHost::new().config(json!({"queues": {"zh": "cn"}})).run(read, ticket("T-1"));
        assert!(run.result.is_ok());
    }

    #[test]
    fn an_unavailable_dependency_is_a_retryable_failure() {
        let search = |_| {
            let hits = host::kb_search(KbQuery::new("refund"))?;
            Ok(Decision::proceed().output("hits", &hits.len()))
        };
        let run =
            TestHost::new().grant("kb.read").unavailable("kb.read", "index rebuilding").run(search, ticket("T-1"));
        assert_eq!(run.error().kind, StepErrorKind::DependencyFailed);
        assert!(run.error().retryable);
    }

    #[test]
    fn kb_search_returns_the_stubbed_hits_up_to_the_limit() {
        let hit = |n: u32| KbHit {
            article: format!("A-{n}"),
            version: 1,
            title: String::new(),
            snippet: String::new(),
            score: 1.0,
        };
        let search = |_| {
            let hits = host::kb_search(KbQuery::new("refund").limit(2))?;
            Ok(Decision::proceed().output("hits", &hits.len()))
        };
        let run = TestHost::new().grant("kb.read").kb_hits(vec![hit(1), hit(2), hit(3)]).run(search, ticket("T-1"));
        assert_eq!(run.decision().get_output("hits"), Some(json!(2)));

        let zero = |_| host::kb_search(KbQuery::new("x").limit(0)).map_err(StepError::from);
        let run = TestHost::new().grant("kb.read").run(|input| zero(input).map(|_| Decision::proceed()), ticket("T-1"));
        assert_eq!(run.error().kind, StepErrorKind::InvalidInput);
    }

    #[test]
    fn credit_history_is_the_customers_credits_since_the_given_time() {
        let record = |key: &str, issued_at| CreditRecord {
            key: key.into(),
            amount_cents: 100,
            currency: "EUR".into(),
            issued_at,
            reason: String::new(),
        };
        let history = |_| {
            let credits = host::credit_history("C-1", 10)?;
            let keys: Vec<String> = credits.into_iter().map(|credit| credit.key).collect();
            Ok(Decision::proceed().output("keys", &keys))
        };
        let run = TestHost::new()
            .grant("credits.read")
            .credit("C-1", record("old", 5))
            .credit("C-1", record("new", 10))
            .credit("C-2", record("other", 20))
            .run(history, ticket("T-1"));
        assert_eq!(run.decision().get_output("keys"), Some(json!(["new"])));
    }

    #[test]
    fn logs_are_recorded_in_order_with_their_level() {
        let run = TestHost::new().run(
            |_| {
                crate::info!("routing {}", "T-1");
                crate::warn!("no queue for {}", "xx");
                Ok(Decision::proceed())
            },
            ticket("T-1"),
        );
        assert_eq!(
            run.logs,
            [(LogLevel::Info, "routing T-1".to_owned()), (LogLevel::Warn, "no queue for xx".to_owned())]
        );
        assert!(run.logged(LogLevel::Warn, "no queue"));
    }

    // A panicking test must not leave its host behind for the next test on the thread.
    #[test]
    fn a_panicking_step_does_not_leak_its_host() {
        let granted = TestHost::new().grant("kv");
        let outcome = std::panic::catch_unwind(|| {
            granted.run(|_| panic!("boom"), ticket("T-1"));
        });
        assert!(outcome.is_err());
        // Outside a run the default host serves calls: nothing is granted.
        assert!(matches!(host::kv_get("k"), Err(HostError::Denied(_))));
    }
}
