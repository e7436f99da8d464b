//! The sandbox, specified against real components from `plugins/testdata` run by real wasmtime.
//! Each test states the rule it proves.

use std::sync::Arc;

use serde_json::json;
use weft_e2e::plugins::component;
use weft_runtime::model::{Effect, Outcome, StepInput};
use weft_runtime::{
    Capability, CompileSource, Deployment, DeploymentSpec, InvocationContext, LimitSettings, MemoryServices,
    PluginError, Report, Runtime, RuntimeConfig,
};

fn runtime() -> Runtime {
    Runtime::new(RuntimeConfig::default()).expect("runtime starts")
}

fn input(subject: &str, language: &str, tier: &str) -> StepInput {
    serde_json::from_value(json!({
        "run_id": "run-1", "step": "route",
        "ticket": {
            "id": "T-1", "channel": "email", "subject": subject, "body": "我的账单有问题", "language": language,
            "customer": {"id": "C-1", "name": "Li Lei", "email": "li.lei@example.cn", "tier": tier}
        }
    }))
    .expect("valid input")
}

fn router_config() -> serde_json::Value {
    json!({"queues": {"zh": "billing-cn", "en": "billing-en"}, "default_queue": "general", "vip_queue": "vip"})
}

fn deploy(rt: &Runtime, crate_name: &str, grants: &[Capability], limits: LimitSettings) -> Deployment {
    let plugin = rt.load(&component(crate_name), None).expect("component loads");
    let config = if crate_name == "router" { router_config() } else { json!({}) };
    let spec = DeploymentSpec { name: format!("{crate_name}-test"), grants: grants.to_vec(), config, limits };
    rt.deploy(plugin, &spec).expect("deployment is valid")
}

fn ctx() -> InvocationContext {
    InvocationContext { now_ms: 1_700_000_000_000, seed: 7, services: Arc::new(MemoryServices::default()) }
}

async fn run(rt: &Runtime, dep: &Deployment, input: &StepInput) -> Report {
    rt.invoke(dep, input, &ctx()).await
}

fn router_grants() -> Vec<Capability> {
    vec![Capability::EffectAssign, Capability::EffectTag]
}

fn error(report: &Report) -> &PluginError {
    match &report.result {
        Err(err) => err,
        Ok(decision) => panic!("expected a failure, got {decision:?}"),
    }
}

// A healthy plugin returns its typed decision, and the report carries fuel, memory and logs.
#[tokio::test]
async fn healthy_plugin_decides_and_reports_costs() {
    let rt = runtime();
    let dep = deploy(&rt, "router", &router_grants(), LimitSettings::default());
    let report = run(&rt, &dep, &input("invoice", "zh-CN", "standard")).await;
    let decision = report.result.as_ref().expect("decision");
    assert_eq!(decision.outcome, Outcome::Proceed);
    assert!(decision.effects.iter().any(|e| matches!(e, Effect::Assign(a) if a.queue == "billing-cn")), "{decision:?}");
    assert!(report.fuel_used > 0 && report.fuel_used < report.fuel_budget);
    assert!(report.peak_memory_bytes > 0 && report.peak_memory_bytes <= report.memory_limit_bytes);
    assert!(!report.logs.is_empty(), "the router logs a line");
}

// The same input, clock and seed give the same decision and the same fuel: replays are honest.
#[tokio::test]
async fn invocations_are_deterministic() {
    let rt = runtime();
    let dep = deploy(&rt, "router", &router_grants(), LimitSettings::default());
    let a = run(&rt, &dep, &input("invoice", "en", "vip")).await;
    let b = run(&rt, &dep, &input("invoice", "en", "vip")).await;
    assert_eq!(a.result.as_ref().ok(), b.result.as_ref().ok());
    assert_eq!(a.fuel_used, b.fuel_used);
}

// An infinite loop runs out of fuel, by default long before the deadline.
#[tokio::test]
async fn infinite_loop_exhausts_fuel() {
    let rt = runtime();
    let dep = deploy(&rt, "infinite-loop", &[], LimitSettings { fuel: Some(5_000_000), ..Default::default() });
    let report = run(&rt, &dep, &input("x", "en", "standard")).await;
    assert_eq!(error(&report).kind(), "fuel-exhausted");
    assert!(error(&report).to_string().contains("5000000"), "{}", error(&report));
    assert_eq!(report.fuel_used, 5_000_000);
}

// With fuel to spare, the wall-clock deadline stops the same loop.
#[tokio::test]
async fn infinite_loop_hits_the_deadline() {
    let rt = runtime();
    let limits = LimitSettings { fuel: Some(10_000_000_000), deadline_ms: Some(100), ..Default::default() };
    let dep = deploy(&rt, "infinite-loop", &[], limits);
    let report = run(&rt, &dep, &input("x", "en", "standard")).await;
    assert_eq!(error(&report).kind(), "deadline");
    assert!(report.wall_time_us < 2_000_000, "stopped promptly, took {} µs", report.wall_time_us);
}

// Unbounded allocation stops at the memory cap with a typed error naming the limit.
#[tokio::test]
async fn memory_hog_hits_the_memory_limit() {
    let rt = runtime();
    let dep = deploy(&rt, "memory-hog", &[], LimitSettings { memory_mib: Some(16), ..Default::default() });
    let report = run(&rt, &dep, &input("x", "en", "standard")).await;
    match error(&report) {
        PluginError::MemoryLimit { limit, desired } => {
            assert_eq!(*limit, 16 * 1024 * 1024);
            assert!(desired > limit);
        }
        other => panic!("expected memory-limit, got {other}"),
    }
    assert!(report.peak_memory_bytes <= 16 * 1024 * 1024);
}

// Deep recursion overflows the wasm stack and is reported as such, with a backtrace.
#[tokio::test]
async fn deep_recursion_overflows_the_stack() {
    let rt = runtime();
    let dep = deploy(&rt, "deep-recursion", &[], LimitSettings::default());
    let report = run(&rt, &dep, &input("x", "en", "standard")).await;
    match error(&report) {
        PluginError::StackOverflow { backtrace, .. } => assert!(!backtrace.is_empty()),
        other => panic!("expected stack-overflow, got {other}"),
    }
}

// A panic becomes a trap whose message is the plugin's panic message, with a backtrace.
#[tokio::test]
async fn panic_is_a_trap_with_the_panic_message() {
    let rt = runtime();
    let dep = deploy(&rt, "panics", &[], LimitSettings::default());
    let report = run(&rt, &dep, &input("x", "en", "standard")).await;
    match error(&report) {
        PluginError::Trap { message, backtrace } => {
            assert!(message.contains("routing table is empty"), "{message}");
            assert!(!backtrace.is_empty());
        }
        other => panic!("expected trap, got {other}"),
    }
}

// A 50 MB decision is refused as too large, not passed on.
#[tokio::test]
async fn huge_output_is_refused() {
    let rt = runtime();
    let dep = deploy(&rt, "huge-output", &[], LimitSettings { memory_mib: Some(128), ..Default::default() });
    let report = run(&rt, &dep, &input("x", "en", "standard")).await;
    match error(&report) {
        PluginError::OutputTooLarge { size, limit } => {
            assert!(*size >= 50_000_000);
            assert_eq!(*limit, 1024 * 1024);
        }
        other => panic!("expected output-too-large, got {other}"),
    }
}

// An input over the input cap is refused before the plugin runs.
#[tokio::test]
async fn oversized_input_is_refused() {
    let rt = runtime();
    let dep = deploy(&rt, "router", &router_grants(), LimitSettings { input_kib: Some(1), ..Default::default() });
    let mut big = input("x", "en", "standard");
    big.ticket.body = "a".repeat(4096);
    let report = run(&rt, &dep, &big).await;
    assert_eq!(error(&report).kind(), "input-too-large");
    assert_eq!(report.fuel_used, 0, "the plugin never ran");
}

// A call to a capability the deployment was not granted is denied, naming it and the fix.
#[tokio::test]
async fn ungranted_import_is_denied_with_instructions() {
    let rt = runtime();
    let dep = deploy(&rt, "capability-probe", &[], LimitSettings::default());
    let report = run(&rt, &dep, &input("kv", "en", "standard")).await;
    match error(&report) {
        PluginError::CapabilityDenied { capability, message } => {
            assert_eq!(capability, "kv");
            assert!(message.contains("weft deployment grant capability-probe-test kv"), "{message}");
        }
        other => panic!("expected capability-denied, got {other}"),
    }
}

// Granted, the same call succeeds and its write comes back to be committed with the decision.
#[tokio::test]
async fn granted_kv_write_is_returned_for_commit() {
    let rt = runtime();
    let dep = deploy(&rt, "capability-probe", &[Capability::Kv], LimitSettings::default());
    let report = run(&rt, &dep, &input("kv", "en", "standard")).await;
    assert!(report.result.is_ok(), "{:?}", report.result);
    assert_eq!(report.kv_writes, vec![("k".to_string(), Some("v".to_string()))]);
    assert!(report.denials.is_empty());
}

// An effect the deployment may not apply fails the step; the plugin cannot smuggle it out.
#[tokio::test]
async fn ungranted_effect_is_denied() {
    let rt = runtime();
    let dep = deploy(&rt, "capability-probe", &[Capability::Kv], LimitSettings::default());
    let report = run(&rt, &dep, &input("credit", "en", "standard")).await;
    match error(&report) {
        PluginError::CapabilityDenied { capability, message } => {
            assert_eq!(capability, "effect.credit");
            assert!(message.contains("`credit` effect"), "{message}");
        }
        other => panic!("expected capability-denied, got {other}"),
    }
}

// A plugin may recover from a denial; the report still records what was denied.
#[tokio::test]
async fn swallowed_denial_is_still_recorded() {
    let rt = runtime();
    let dep = deploy(&rt, "capability-probe", &[], LimitSettings::default());
    let report = run(&rt, &dep, &input("swallow", "en", "standard")).await;
    assert!(report.result.is_ok(), "{:?}", report.result);
    assert_eq!(report.denials.len(), 1);
    assert_eq!(report.denials[0].capability, "kv");
}

// Granting what the plugin never declared is refused at deployment time.
#[tokio::test]
async fn undeclared_grant_is_refused() {
    let rt = runtime();
    let plugin = rt.load(&component("router"), None).unwrap();
    let spec = DeploymentSpec {
        name: "r".into(),
        grants: vec![Capability::PiiRaw],
        config: router_config(),
        ..Default::default()
    };
    let err = rt.deploy(plugin, &spec).err().expect("refused");
    assert!(err.to_string().contains("does not declare it"), "{err}");
}

// A plugin built against a future major contract is refused with both versions named.
#[tokio::test]
async fn incompatible_contract_is_refused() {
    let err = runtime().load(&component("incompatible-contract"), None).expect_err("refused");
    assert_eq!(err.kind(), "incompatible-contract");
    let message = err.to_string();
    assert!(message.contains("weft:plugin@1.0.0") && message.contains("weft:plugin@0.1.0"), "{message}");
}

// Files that are not loadable components are refused with what they are.
#[tokio::test]
async fn bad_files_are_refused_precisely() {
    let rt = runtime();
    let router = component("router");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not wasm", b"PK\x03\x04 a zip file".to_vec(), "not a WebAssembly component"),
        ("core module", b"\0asm\x01\0\0\0".to_vec(), "core WebAssembly module"),
        ("truncated", router[..router.len() / 2].to_vec(), "truncated or corrupt"),
    ];
    for (what, bytes, expected) in cases {
        let err = rt.load(&bytes, None).err().unwrap_or_else(|| panic!("{what} was accepted"));
        assert_eq!(err.kind(), "invalid-component", "{what}");
        assert!(err.to_string().contains(expected), "{what}: {err}");
    }
    // And the host still serves healthy plugins afterwards.
    let dep = deploy(&rt, "router", &router_grants(), LimitSettings::default());
    assert!(run(&rt, &dep, &input("x", "en", "standard")).await.result.is_ok());
}

// Hostile plugins running at the same time do not change a healthy plugin's results.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_plugins_do_not_disturb_a_healthy_one() {
    let rt = Arc::new(runtime());
    let healthy = Arc::new(deploy(&rt, "router", &router_grants(), LimitSettings::default()));
    let expected = run(&rt, &healthy, &input("invoice", "zh-CN", "vip")).await.result.expect("baseline decision");

    let hostile: Vec<Arc<Deployment>> = [
        ("infinite-loop", LimitSettings { fuel: Some(10_000_000_000), deadline_ms: Some(300), ..Default::default() }),
        ("memory-hog", LimitSettings { memory_mib: Some(32), ..Default::default() }),
        ("deep-recursion", LimitSettings::default()),
        ("panics", LimitSettings::default()),
        ("huge-output", LimitSettings { memory_mib: Some(128), ..Default::default() }),
    ]
    .into_iter()
    .map(|(name, limits)| Arc::new(deploy(&rt, name, &[], limits)))
    .collect();

    let mut tasks = Vec::new();
    for dep in &hostile {
        for _ in 0..2 {
            let (rt, dep) = (rt.clone(), dep.clone());
            tasks.push(tokio::spawn(async move { (false, run(&rt, &dep, &input("x", "en", "standard")).await) }));
        }
    }
    for _ in 0..40 {
        let (rt, dep) = (rt.clone(), healthy.clone());
        tasks.push(tokio::spawn(async move { (true, run(&rt, &dep, &input("invoice", "zh-CN", "vip")).await) }));
    }
    let (mut healthy_ok, mut hostile_failed) = (0, 0);
    for task in tasks {
        let (is_healthy, report) = task.await.expect("task completes");
        if is_healthy {
            assert_eq!(report.result.as_ref().ok(), Some(&expected), "healthy result changed under load");
            healthy_ok += 1;
        } else {
            assert!(report.result.is_err());
            hostile_failed += 1;
        }
    }
    assert_eq!((healthy_ok, hostile_failed), (40, 10));
}

// Compiled code is cached on disk by digest: a second runtime (a restart) does not recompile.
#[tokio::test]
async fn restart_loads_compiled_code_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let config = RuntimeConfig { cache_dir: Some(dir.path().to_path_buf()), ..RuntimeConfig::default() };
    let bytes = component("router");
    let first = Runtime::new(config.clone()).unwrap().load(&bytes, None).unwrap();
    assert_eq!(first.compiled_from, CompileSource::Compiled);
    let second = Runtime::new(config).unwrap().load(&bytes, None).unwrap();
    assert_eq!(second.compiled_from, CompileSource::DiskCache);
    assert_eq!(first.digest, second.digest);
}

// Without `pii.raw` the plugin sees masked customer contact data.
#[tokio::test]
async fn pii_is_masked_without_the_grant() {
    let rt = runtime();
    let dep = deploy(&rt, "capability-probe", &[], LimitSettings::default());
    let report = run(&rt, &dep, &input("echo", "en", "standard")).await;
    let decision = report.result.expect("decision");
    assert_eq!(decision.outputs.get("email"), Some(&json!("l***@example.cn")));
    assert_eq!(decision.outputs.get("name"), Some(&json!("L***")));
}

// WASI is deny-by-default: no filesystem, no environment, no sockets, and the wall clock is the
// run's logical time, even for a plugin that uses plain `std`.
#[tokio::test]
async fn wasi_is_deny_by_default() {
    let rt = runtime();
    let dep = deploy(&rt, "capability-probe", &[], LimitSettings::default());
    let report = run(&rt, &dep, &input("wasi", "en", "standard")).await;
    let outputs = report.result.expect("decision").outputs;
    assert_eq!(outputs.get("fs_denied"), Some(&json!(true)));
    assert_eq!(outputs.get("env_vars"), Some(&json!(0)));
    assert_eq!(outputs.get("tcp_denied"), Some(&json!(true)));
    assert_eq!(outputs.get("wall_ms"), Some(&json!(ctx().now_ms)));
    assert_eq!(outputs.get("host_now_ms"), Some(&json!(ctx().now_ms)));
}
