//! Fuel and time per invocation of the five standard plugins (compliance, triage, routing,
//! escalation, compensation), each on a representative fixture of its own, against the `router`
//! example plugin on the runtime benchmark's input as the baseline, measured in the same run on
//! one core (a current-thread tokio runtime).
//!
//! `cargo bench -p weft-runtime --bench standard_plugins` (or `cargo xtask bench`). Criterion
//! reports the mean; the closing table adds p50/p99, fuel per call and the ratio to the baseline.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use serde_json::{Value, json};
use weft_runtime::model::{CreditRecord, Directory, StepInput};
use weft_runtime::{
    Capability, Deployment, DeploymentSpec, InvocationContext, LimitSettings, MemoryServices, Runtime, RuntimeConfig,
};

/// (label, plugin crate, fixture under plugins/<crate>/fixtures/).
const CASES: &[(&str, &str, &str)] = &[
    ("compliance (PII in zh ticket)", "compliance", "cn-pii-masked.json"),
    ("triage (en complaint)", "triage", "complaint-en.json"),
    ("routing (3 agents)", "routing", "billing-least-loaded.json"),
    ("routing (1000 agents)", "routing", "hostile-large-directory.json"),
    ("escalation (2-turn handover)", "escalation", "low-confidence-general.json"),
    ("compensation (delay voucher)", "compensation", "delay-voucher.json"),
];

struct Case {
    label: String,
    deployment: Deployment,
    ctx: InvocationContext,
    input: StepInput,
}

fn runtime() -> Runtime {
    Runtime::new(RuntimeConfig::default()).expect("runtime")
}

/// The baseline: the `router` example on the same ticket the `invoke` bench uses.
fn baseline(runtime: &Runtime) -> Case {
    let plugin = runtime.load(&weft_e2e::plugins::component("router"), None).expect("loads");
    let spec = DeploymentSpec {
        name: "baseline".into(),
        grants: vec![Capability::EffectAssign, Capability::EffectTag],
        config: json!({"queues": {"zh": "billing-cn", "en": "billing-en"}, "default_queue": "general", "vip_queue": "vip"}),
        limits: LimitSettings::default(),
    };
    let input = serde_json::from_value(json!({
        "run_id": "run-1", "step": "route",
        "ticket": {
            "id": "T-1", "channel": "chat", "subject": "发票", "body": "我的账单有问题，请帮我看看", "language": "zh-CN",
            "tags": ["billing"], "customer": {"id": "C-1", "name": "Li Lei", "tier": "standard"}
        }
    }))
    .expect("valid input");
    let ctx = InvocationContext { now_ms: 0, seed: 1, services: Arc::new(MemoryServices::default()) };
    Case {
        label: "baseline: router example".into(),
        deployment: runtime.deploy(plugin, &spec).expect("deploys"),
        ctx,
        input,
    }
}

/// A case from a fixture file: its config, grants, host state and input, as `weft plugin test` runs it.
fn from_fixture(runtime: &Runtime, label: &str, crate_name: &str, file: &str) -> Case {
    let path = weft_e2e::plugins::repo_root().join("plugins").join(crate_name).join("fixtures").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let fixture: Value = serde_json::from_str(&text).expect("fixture JSON");
    let plugin = runtime.load(&weft_e2e::plugins::component(crate_name), None).expect("loads");
    let grants: Vec<Capability> = match fixture.get("grants") {
        Some(grants) => serde_json::from_value(grants.clone()).expect("grants"),
        None => plugin.manifest.capabilities.iter().copied().collect(),
    };
    let spec = DeploymentSpec {
        name: crate_name.into(),
        grants,
        config: fixture.get("config").cloned().unwrap_or_else(|| json!({})),
        limits: LimitSettings::default(),
    };
    let host = fixture.get("host").cloned().unwrap_or_default();
    let directory: Directory =
        host.get("directory").cloned().map(|d| serde_json::from_value(d).expect("directory")).unwrap_or_default();
    let credits: BTreeMap<String, Vec<CreditRecord>> =
        host.get("credits").cloned().map(|c| serde_json::from_value(c).expect("credits")).unwrap_or_default();
    let services = MemoryServices { kv: Mutex::default(), kb_hits: Vec::new(), directory, credits };
    let ctx = InvocationContext {
        now_ms: host.get("now").and_then(Value::as_i64).unwrap_or(0),
        seed: host.get("seed").and_then(Value::as_u64).unwrap_or(0),
        services: Arc::new(services),
    };
    let input = serde_json::from_value(fixture["input"].clone()).expect("fixture input");
    Case { label: label.into(), deployment: runtime.deploy(plugin, &spec).expect("deploys"), ctx, input }
}

fn cases(runtime: &Runtime) -> Vec<Case> {
    let mut all = vec![baseline(runtime)];
    all.extend(CASES.iter().map(|(label, crate_name, file)| from_fixture(runtime, label, crate_name, file)));
    all
}

fn one_core() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio")
}

fn criterion_bench(c: &mut Criterion) {
    let runtime = runtime();
    let cases = cases(&runtime);
    let rt = one_core();
    let mut group = c.benchmark_group("standard plugins: instantiate+invoke");
    for case in &cases {
        group.bench_function(&case.label, |b| {
            b.to_async(&rt).iter(|| async {
                let report = runtime.invoke(&case.deployment, &case.input, &case.ctx).await;
                assert!(report.result.is_ok(), "{}: {:?}", case.label, report.result.err());
            })
        });
    }
    group.finish();
}

/// p50/p99 per call and fuel, interleaved round-robin over the cases so all see the same machine.
fn table() {
    const CALLS: usize = 2_000;
    let runtime = runtime();
    let cases = cases(&runtime);
    let rt = one_core();
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(CALLS); cases.len()];
    let mut fuel = vec![0u64; cases.len()];
    rt.block_on(async {
        for case in &cases {
            for _ in 0..50 {
                runtime.invoke(&case.deployment, &case.input, &case.ctx).await;
            }
        }
        for _ in 0..CALLS {
            for (i, case) in cases.iter().enumerate() {
                let t = Instant::now();
                let report = runtime.invoke(&case.deployment, &case.input, &case.ctx).await;
                times[i].push(t.elapsed());
                assert!(report.result.is_ok(), "{}", case.label);
                fuel[i] = report.fuel_used;
            }
        }
    });
    let pct = |v: &mut Vec<Duration>, p: f64| {
        v.sort();
        v[((v.len() as f64 * p) as usize).min(v.len() - 1)].as_secs_f64() * 1e6
    };
    let base50 = pct(&mut times[0], 0.50);
    let base_fuel = fuel[0].max(1) as f64;
    println!("\n{CALLS} calls each, one core, interleaved");
    println!("{:<32} {:>10} {:>10} {:>12} {:>10} {:>10}", "", "p50 µs", "p99 µs", "fuel", "time ×", "fuel ×");
    for (i, case) in cases.iter().enumerate() {
        let (p50, p99) = (pct(&mut times[i], 0.50), pct(&mut times[i], 0.99));
        println!(
            "{:<32} {:>10.1} {:>10.1} {:>12} {:>10.2} {:>10.2}",
            case.label,
            p50,
            p99,
            fuel[i],
            p50 / base50,
            fuel[i] as f64 / base_fuel
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = criterion_bench
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    table();
}
