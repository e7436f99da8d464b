//! Runs `fixtures/*.json` natively against `decide`, the quick check before `weft plugin test`
//! runs the same files against the real host with its limits.

use std::collections::BTreeMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

use super::json_directory::{JsonCreditRecord, JsonDirectory};
use super::json_model::{JsonEffect, JsonOutcome, JsonStepInput, decision_json, effects_json};
use super::{TestHost, TestRun};
use crate::{CreditRecord, Decision, Directory, Effect, Outcome, StepError, StepErrorKind, StepInput};

/// Error kinds only the host can produce (limits, contract checks); a fixture expecting one is
/// reported as [`FixtureResult::NeedsHost`] natively.
const HOST_ONLY_KINDS: &[&str] = &[
    "fuel-exhausted",
    "deadline",
    "memory-limit",
    "stack-overflow",
    "invalid-output",
    "output-too-large",
    "input-too-large",
    "incompatible-contract",
    "invalid-component",
    "busy",
];

/// One fixture file, in the format of docs/conventions.md.
#[derive(Debug)]
pub struct Fixture {
    /// The file it was read from.
    pub path: PathBuf,
    /// What the fixture checks, in words.
    pub description: String,
    config: Value,
    grants: Option<Vec<String>>,
    host: FixtureHost,
    directory: Option<Directory>,
    credits: Vec<(String, CreditRecord)>,
    input: StepInput,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureFile {
    #[serde(default)]
    description: String,
    #[serde(default = "empty_object")]
    config: Value,
    #[serde(default)]
    grants: Option<Vec<String>>,
    #[serde(default)]
    host: FixtureHost,
    /// Enforced by the host only; natively there is no fuel or memory accounting.
    #[serde(default)]
    #[allow(dead_code)] // read so a fixture may carry it; natively it has nothing to limit
    limits: Value,
    input: JsonStepInput,
    #[serde(default)]
    expect: Expect,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureHost {
    now: Option<i64>,
    seed: Option<u64>,
    #[serde(default)]
    kv: BTreeMap<String, String>,
    /// What `agent_directory` returns (the test host does not filter by the query).
    #[serde(default)]
    directory: Option<JsonDirectory>,
    /// Credit history per customer id.
    #[serde(default)]
    credits: BTreeMap<String, Vec<JsonCreditRecord>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    outcome: Option<JsonOutcome>,
    effects: Option<Vec<JsonEffect>>,
    outputs: Option<Map<String, Value>>,
    error: Option<ExpectError>,
}

impl fmt::Debug for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Expect")
            .field("outcome", &self.outcome)
            .field("effects", &self.effects.as_ref().map(Vec::len))
            .field("outputs", &self.outputs)
            .field("error", &self.error)
            .finish()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectError {
    kind: String,
}

/// How a fixture fared natively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixtureResult {
    /// The step did what the fixture expects.
    Passed,
    /// It did not; the text says what differed.
    Failed(String),
    /// The fixture expects an error only the host produces (such as `fuel-exhausted`); run it
    /// with `weft plugin test`.
    NeedsHost(String),
}

impl Fixture {
    /// Reads and parses a fixture file. Unknown keys are an error, so a typo does not silently
    /// weaken a test.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, String> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        let file: FixtureFile = serde_json::from_str(&text)
            .map_err(|error| format!("{} is not a valid fixture: {error}", path.display()))?;
        require_ticket_identity(&text)
            .map_err(|error| format!("{} is not a valid fixture: {error}", path.display()))?;
        let mut host = file.host;
        let directory = host.directory.take().map(Directory::from);
        let credits = std::mem::take(&mut host.credits)
            .into_iter()
            .flat_map(|(customer, records)| records.into_iter().map(move |r| (customer.clone(), CreditRecord::from(r))))
            .collect();
        Ok(Self {
            path: path.to_owned(),
            description: file.description,
            config: file.config,
            grants: file.grants,
            host,
            directory,
            credits,
            input: file.input.into(),
            expect: file.expect,
        })
    }

    /// Runs the fixture. `declared` is what the manifest declares, granted when the fixture
    /// names no `grants` of its own.
    pub fn run<F>(&self, declared: &[String], decide: F) -> FixtureResult
    where
        F: Fn(StepInput) -> Result<Decision, StepError>,
    {
        let expected_error = self.expect.error.as_ref().map(|error| error.kind.as_str());
        if let Some(kind) = expected_error.filter(|kind| HOST_ONLY_KINDS.contains(kind)) {
            return FixtureResult::NeedsHost(format!(
                "expects `{kind}`, which only the host's limits and checks produce"
            ));
        }

        let mut host = TestHost::new()
            .config(self.config.clone())
            .grants(self.grants.as_deref().unwrap_or(declared).iter().cloned());
        if let Some(now) = self.host.now {
            host = host.now(now);
        }
        if let Some(seed) = self.host.seed {
            host = host.seed(seed);
        }
        for (key, value) in &self.host.kv {
            host = host.kv(key.clone(), value.clone());
        }
        if let Some(directory) = &self.directory {
            host = host.agents(directory.clone());
        }
        for (customer, record) in &self.credits {
            host = host.credit(customer.clone(), record.clone());
        }

        // A panic is a trap on the host; catch it so one fixture cannot stop the others.
        let run = catch_unwind(AssertUnwindSafe(|| host.run(&decide, self.input.clone())));
        match (run, expected_error) {
            (Err(_), Some("trap")) => FixtureResult::Passed,
            (Err(panic), _) => FixtureResult::Failed(format!("the step panicked: {}", panic_text(&*panic))),
            (Ok(run), Some(kind)) => check_error(&run, kind),
            (Ok(run), None) => self.check_decision(&run),
        }
    }

    fn check_decision(&self, run: &TestRun) -> FixtureResult {
        let decision = match &run.result {
            Ok(decision) => decision,
            Err(error) => {
                return FixtureResult::Failed(format!(
                    "expected a decision, the step failed with {} ({}): {}",
                    error.kind.as_str(),
                    if error.retryable { "retryable" } else { "not retryable" },
                    error.message
                ));
            }
        };
        let mut problems = Vec::new();
        if let Some(outcome) = self.expect.outcome {
            let outcome = Outcome::from(outcome);
            if decision.outcome != outcome {
                problems.push(format!("outcome: expected {}, got {}", outcome.as_str(), decision.outcome.as_str()));
            }
        }
        if let Some(effects) = &self.expect.effects {
            // Compared as contract values, so omitted fields count as their builder defaults.
            let expected: Vec<Effect> = effects.iter().cloned().map(Into::into).collect();
            if decision.effects != expected {
                problems.push(format!(
                    "effects: expected {}\n           got {}",
                    effects_json(&expected),
                    effects_json(&decision.effects)
                ));
            }
        }
        for (name, expected) in self.expect.outputs.iter().flatten() {
            match decision.get_output(name) {
                Some(actual) if actual == *expected => {}
                Some(actual) => problems.push(format!("output `{name}`: expected {expected}, got {actual}")),
                None => problems.push(format!("output `{name}`: expected {expected}, got none")),
            }
        }
        if problems.is_empty() {
            FixtureResult::Passed
        } else {
            FixtureResult::Failed(format!("{}\ndecision: {}", problems.join("\n"), decision_json(decision)))
        }
    }
}

/// Checks an expected invocation error kind against a native run.
///
/// - `plugin-error`: the plugin returned its own step error (any kind).
/// - `capability-denied`: the plugin propagated a host denial, or returned an effect the
///   deployment is not granted.
/// - `trap`: handled by the caller (a panic).
fn check_error(run: &TestRun, kind: &str) -> FixtureResult {
    let matches = match (&run.result, kind) {
        (Ok(_), _) => false,
        (Err(_), "plugin-error") => !run.refused_effect,
        (Err(error), "capability-denied") => error.kind == StepErrorKind::CapabilityDenied,
        (Err(_), "trap") => false,
        (Err(_), other) => {
            return FixtureResult::Failed(format!("unknown error kind `{other}` in expect.error"));
        }
    };
    if matches {
        return FixtureResult::Passed;
    }
    match &run.result {
        Ok(decision) => {
            FixtureResult::Failed(format!("expected error `{kind}`, the step decided {}", decision_json(decision)))
        }
        Err(error) => FixtureResult::Failed(format!(
            "expected error `{kind}`, got {}{}: {}",
            error.kind.as_str(),
            if run.refused_effect { " (an effect was refused)" } else { "" },
            error.message
        )),
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|text| (*text).to_owned()))
        .unwrap_or_else(|| "a non-string panic payload".to_owned())
}

/// The capabilities `weft.toml` in `manifest_dir` declares, which fixtures are granted by default.
pub fn declared_capabilities(manifest_dir: impl AsRef<Path>) -> Result<Vec<String>, String> {
    let path = manifest_dir.as_ref().join("weft.toml");
    let text = std::fs::read_to_string(&path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let manifest: toml::Table =
        toml::from_str(&text).map_err(|error| format!("{} is not valid TOML: {error}", path.display()))?;
    let Some(capabilities) = manifest.get("capabilities") else {
        return Ok(Vec::new());
    };
    let capabilities = capabilities
        .as_array()
        .ok_or_else(|| format!("{}: `capabilities` must be a list of strings", path.display()))?;
    capabilities
        .iter()
        .map(|capability| {
            capability
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("{}: `capabilities` must be a list of strings", path.display()))
        })
        .collect()
}

/// Runs every `fixtures/*.json` of the plugin in `manifest_dir` against `decide` and panics with
/// every failure if any fails. Call it from a unit test:
///
/// ```ignore
/// #[test]
/// fn fixtures() {
///     weft_plugin::testing::assert_fixtures(env!("CARGO_MANIFEST_DIR"), decide);
/// }
/// ```
///
/// Fixtures that expect host-only errors (`fuel-exhausted`, ...) are listed as skipped; a
/// directory without fixtures is an error, since it is nearly always a wrong path.
pub fn assert_fixtures<F>(manifest_dir: impl AsRef<Path>, decide: F)
where
    F: Fn(StepInput) -> Result<Decision, StepError>,
{
    let manifest_dir = manifest_dir.as_ref();
    let declared = match declared_capabilities(manifest_dir) {
        Ok(declared) => declared,
        Err(error) => panic!("{error}"),
    };
    let fixtures_dir = manifest_dir.join("fixtures");
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(&fixtures_dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect(),
        Err(error) => panic!("cannot read {}: {error}", fixtures_dir.display()),
    };
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", fixtures_dir.display());

    let mut failures = Vec::new();
    for path in &paths {
        let name = path.file_name().map(|name| name.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        let result = match Fixture::load(path) {
            Ok(fixture) => fixture.run(&declared, &decide),
            Err(error) => FixtureResult::Failed(error),
        };
        match result {
            FixtureResult::Passed => eprintln!("fixture {name}: ok"),
            FixtureResult::NeedsHost(why) => eprintln!("fixture {name}: skipped natively, {why}"),
            FixtureResult::Failed(why) => failures.push(format!("fixture {name}: {why}")),
        }
    }
    assert!(failures.is_empty(), "{} of {} fixtures failed:\n\n{}", failures.len(), paths.len(), failures.join("\n\n"));
}

/// The host's JSON model requires a ticket's `id`, `channel` and `customer.id` (every real ticket
/// has them); the native model fills defaults for everything else, so check these explicitly and
/// a fixture that passes here also parses under `weft plugin test`.
fn require_ticket_identity(text: &str) -> Result<(), String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|error| error.to_string())?;
    let ticket = &value["input"]["ticket"];
    for (field, present) in [
        ("input.ticket.id", ticket.get("id").is_some()),
        ("input.ticket.channel", ticket.get("channel").is_some()),
        ("input.ticket.customer", ticket.get("customer").is_some()),
        ("input.ticket.customer.id", ticket["customer"].get("id").is_some()),
    ] {
        if !present {
            return Err(format!("missing field `{field}`, which the host requires"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{effect, host};

    /// A plugin directory under the system temp dir, removed when dropped.
    struct PluginDir(PathBuf);

    impl PluginDir {
        fn new(name: &str, manifest: &str, fixtures: &[(&str, Value)]) -> Self {
            let dir = std::env::temp_dir().join(format!("weft-fixture-test-{name}-{}", std::process::id()));
            std::fs::create_dir_all(dir.join("fixtures")).unwrap();
            std::fs::write(dir.join("weft.toml"), manifest).unwrap();
            for (file, fixture) in fixtures {
                std::fs::write(dir.join("fixtures").join(file), fixture.to_string()).unwrap();
            }
            Self(dir)
        }
    }

    impl Drop for PluginDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const MANIFEST: &str = r#"
        name = "t"
        version = "0.1.0"
        capabilities = ["effect.assign"]
    "#;

    fn route(input: StepInput) -> Result<Decision, StepError> {
        #[derive(Deserialize)]
        struct Config {
            queue: String,
        }
        let config: Config = host::config()?;
        if input.ticket.subject == "panic" {
            panic!("routing table is empty");
        }
        if input.ticket.subject == "kv" {
            host::kv_get("k")?;
        }
        Ok(Decision::proceed().output("queue", &config.queue).effect(effect::assign(config.queue).reason("by config")))
    }

    fn fixture(expect: Value) -> Value {
        serde_json::json!({
            "description": "d",
            "config": {"queue": "billing"},
            "input": {"ticket": {"id": "T-1", "channel": "email", "subject": "hello", "customer": {"id": "C-1"}}},
            "expect": expect,
        })
    }

    fn run(dir: &PluginDir, file: &str) -> FixtureResult {
        let declared = declared_capabilities(&dir.0).unwrap();
        Fixture::load(dir.0.join("fixtures").join(file)).unwrap().run(&declared, route)
    }

    // Grants default to the manifest's capabilities; effects compare exactly, outputs as a subset.
    #[test]
    fn a_matching_fixture_passes_with_the_manifests_grants() {
        let dir = PluginDir::new(
            "pass",
            MANIFEST,
            &[(
                "ok.json",
                fixture(serde_json::json!({
                    "outcome": "proceed",
                    "effects": [{"type": "assign", "queue": "billing", "agent": null, "reason": "by config"}],
                    "outputs": {"queue": "billing"},
                    "error": null
                })),
            )],
        );
        assert_eq!(run(&dir, "ok.json"), FixtureResult::Passed);
        assert_fixtures(&dir.0, route);
    }

    #[test]
    fn a_mismatch_names_what_differed() {
        let dir = PluginDir::new(
            "mismatch",
            MANIFEST,
            &[(
                "bad.json",
                fixture(serde_json::json!({
                    "outcome": "block",
                    "effects": [{"type": "assign", "queue": "sales"}],
                    "outputs": {"queue": "sales"}
                })),
            )],
        );
        let FixtureResult::Failed(why) = run(&dir, "bad.json") else {
            panic!("the fixture must fail");
        };
        assert!(why.contains("outcome: expected block, got proceed"), "{why}");
        assert!(why.contains("effects: expected"), "{why}");
        assert!(why.contains("output `queue`"), "{why}");
    }

    #[test]
    fn expected_errors_are_matched_by_kind() {
        let mut denied = fixture(serde_json::json!({"error": {"kind": "capability-denied"}}));
        denied["input"]["ticket"]["subject"] = "kv".into();
        let mut trap = fixture(serde_json::json!({"error": {"kind": "trap"}}));
        trap["input"]["ticket"]["subject"] = "panic".into();
        let mut config = fixture(serde_json::json!({"error": {"kind": "plugin-error"}}));
        config["config"] = serde_json::json!({});
        let mut ungranted = fixture(serde_json::json!({"error": {"kind": "capability-denied"}}));
        ungranted["grants"] = serde_json::json!([]);
        let fuel = fixture(serde_json::json!({"error": {"kind": "fuel-exhausted"}}));
        let dir = PluginDir::new(
            "errors",
            MANIFEST,
            &[
                ("denied.json", denied),
                ("trap.json", trap),
                ("config.json", config),
                ("ungranted.json", ungranted),
                ("fuel.json", fuel),
            ],
        );
        assert_eq!(run(&dir, "denied.json"), FixtureResult::Passed);
        assert_eq!(run(&dir, "trap.json"), FixtureResult::Passed);
        assert_eq!(run(&dir, "config.json"), FixtureResult::Passed);
        assert_eq!(run(&dir, "ungranted.json"), FixtureResult::Passed);
        assert!(matches!(run(&dir, "fuel.json"), FixtureResult::NeedsHost(_)));
    }

    // A typo in a fixture is an error, not a silently weaker test.
    #[test]
    fn unknown_keys_make_a_fixture_invalid() {
        let mut typo = fixture(serde_json::json!({}));
        typo["expcet"] = serde_json::json!({});
        let dir = PluginDir::new("typo", MANIFEST, &[("typo.json", typo)]);
        let error = Fixture::load(dir.0.join("fixtures/typo.json")).unwrap_err();
        assert!(error.contains("expcet"), "{error}");
    }
}
