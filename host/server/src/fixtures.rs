//! Plugin fixtures: a JSON file with an input and the expected decision (or failure), run
//! against the real compiled component by `weft plugin test`. Format: docs/conventions.md.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use weft_runtime::model::{Effect, KbHit, Outcome, StepInput};
use weft_runtime::{
    Capability, DeploymentSpec, InvocationContext, LimitSettings, LoadedPlugin, MemoryServices, Report, Runtime,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    #[serde(default)]
    pub description: String,
    #[serde(default = "empty_object")]
    pub config: serde_json::Value,
    /// Defaults to every capability the manifest declares.
    #[serde(default)]
    pub grants: Option<Vec<Capability>>,
    #[serde(default)]
    pub host: FixtureHost,
    #[serde(default)]
    pub limits: LimitSettings,
    pub input: StepInput,
    pub expect: Expect,
}

fn empty_object() -> serde_json::Value {
    serde_json::json!({})
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureHost {
    #[serde(default)]
    pub now: i64,
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub kv: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub kb_hits: Vec<KbHit>,
    #[serde(default)]
    pub directory: weft_runtime::model::Directory,
    /// Credit history per customer id, for plugins that read `credits.read`.
    #[serde(default)]
    pub credits: std::collections::BTreeMap<String, Vec<weft_runtime::model::CreditRecord>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub outcome: Option<Outcome>,
    /// Compared exactly, in order.
    pub effects: Option<Vec<Effect>>,
    /// Compared as a subset: every listed output must be present and equal.
    pub outputs: Option<serde_json::Map<String, serde_json::Value>>,
    /// `{"kind": "fuel-exhausted"}`: expect this failure instead of a decision.
    pub error: Option<ExpectError>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectError {
    pub kind: String,
    /// Optional substring of the error message.
    #[serde(default)]
    pub message: Option<String>,
}

pub struct FixtureResult {
    pub description: String,
    pub report: Option<Report>,
    /// Empty when the fixture passed; otherwise a readable diff or the reason.
    pub failure: Option<String>,
}

pub fn discover(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

pub async fn run(runtime: &Runtime, plugin: &Arc<LoadedPlugin>, path: &Path) -> FixtureResult {
    let mut outcome = FixtureResult { description: String::new(), report: None, failure: None };
    let fixture: Fixture = match std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| format!("not a valid fixture: {e}")))
    {
        Ok(f) => f,
        Err(err) => {
            outcome.failure = Some(err);
            return outcome;
        }
    };
    outcome.description = fixture.description.clone();
    let spec = DeploymentSpec {
        name: "fixture".into(),
        grants: fixture.grants.clone().unwrap_or_else(|| plugin.manifest.capabilities.iter().copied().collect()),
        config: fixture.config.clone(),
        limits: fixture.limits,
    };
    let deployment = match runtime.deploy(plugin.clone(), &spec) {
        Ok(d) => d,
        Err(err) => {
            outcome.failure = Some(err.to_string());
            return outcome;
        }
    };
    let services = MemoryServices {
        kb_hits: fixture.host.kb_hits.clone(),
        directory: fixture.host.directory.clone(),
        credits: fixture.host.credits.clone(),
        ..MemoryServices::default()
    };
    let writes: Vec<(String, Option<String>)> =
        fixture.host.kv.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect();
    services.apply_kv(&plugin.manifest.name, &writes);
    let ctx = InvocationContext { now_ms: fixture.host.now, seed: fixture.host.seed, services: Arc::new(services) };
    let report = runtime.invoke(&deployment, &fixture.input, &ctx).await;
    outcome.failure = compare(&fixture.expect, &report);
    outcome.report = Some(report);
    outcome
}

fn compare(expect: &Expect, report: &Report) -> Option<String> {
    match (&expect.error, &report.result) {
        (Some(want), Err(got)) => {
            if want.kind != got.kind() {
                return Some(format!("expected a `{}` failure, got `{}`: {got}", want.kind, got.kind()));
            }
            if let Some(part) = &want.message
                && !got.to_string().contains(part.as_str())
            {
                return Some(format!("the `{}` message does not contain {part:?}: {got}", want.kind));
            }
            None
        }
        (Some(want), Ok(_)) => Some(format!("expected a `{}` failure, but the plugin returned a decision", want.kind)),
        (None, Err(got)) => Some(format!("the plugin failed ({}): {got}", got.kind())),
        (None, Ok(decision)) => {
            let mut diffs = Vec::new();
            if let Some(want) = expect.outcome
                && want != decision.outcome
            {
                diffs.push(diff("outcome", &want, &decision.outcome));
            }
            if let Some(want) = &expect.effects
                && want != &decision.effects
            {
                diffs.push(diff("effects", want, &decision.effects));
            }
            if let Some(want) = &expect.outputs {
                let got: serde_json::Map<_, _> =
                    want.keys().filter_map(|k| decision.outputs.get(k).map(|v| (k.clone(), v.clone()))).collect();
                if &got != want {
                    diffs.push(diff("outputs", want, &got));
                }
            }
            if diffs.is_empty() { None } else { Some(diffs.join("\n")) }
        }
    }
}

fn diff<T: serde::Serialize>(what: &str, expected: &T, actual: &T) -> String {
    let expected = serde_json::to_string_pretty(expected).unwrap_or_default();
    let actual = serde_json::to_string_pretty(actual).unwrap_or_default();
    similar::TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .header(&format!("expected {what}"), &format!("actual {what}"))
        .to_string()
}
