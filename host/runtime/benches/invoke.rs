//! Instantiate + invoke a routing step: Weft's full path versus bare wasmtime on the same
//! component, measured in the same run on one core (a current-thread tokio runtime).
//!
//! `cargo bench -p weft-runtime --bench invoke` (or `cargo xtask bench`). Criterion reports the
//! mean; the closing table adds p50/p99 per call, calls/s and the Weft/bare ratio.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use serde_json::json;
use wasmtime::component::{HasSelf, Linker, ResourceTable};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use weft_runtime::model::StepInput;
use weft_runtime::{
    Capability, Deployment, DeploymentSpec, InvocationContext, LimitSettings, MemoryServices, Runtime, RuntimeConfig,
};

mod bare {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "step",
        imports: {
            "weft:plugin/host.kv-get": async,
            "weft:plugin/host.kb-search": async,
            "weft:plugin/host.agent-directory": async,
            "weft:plugin/host.credit-history": async,
        },
        exports: { default: async },
    });
}
use bare::weft::plugin::host as h;

const CONFIG: &str =
    r#"{"queues": {"zh": "billing-cn", "en": "billing-en"}, "default_queue": "general", "vip_queue": "vip"}"#;

fn input() -> StepInput {
    serde_json::from_value(json!({
        "run_id": "run-1", "step": "route",
        "ticket": {
            "id": "T-1", "channel": "chat", "subject": "发票", "body": "我的账单有问题，请帮我看看", "language": "zh-CN",
            "tags": ["billing"], "customer": {"id": "C-1", "name": "Li Lei", "tier": "standard"}
        }
    }))
    .expect("valid input")
}

/// The bare baseline's store: WASI denied by default, host imports answered with constants.
struct BareState {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for BareState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl bare::weft::plugin::types::Host for BareState {}
impl bare::weft::plugin::effects::Host for BareState {}
impl h::Host for BareState {
    fn log(&mut self, _level: h::LogLevel, _message: String) {}
    fn now(&mut self) -> i64 {
        0
    }
    fn random(&mut self) -> u64 {
        4
    }
    fn config(&mut self) -> String {
        CONFIG.to_string()
    }
    async fn kv_get(&mut self, _key: String) -> Result<Option<String>, h::HostError> {
        Ok(None)
    }
    fn kv_set(&mut self, _key: String, _value: String) -> Result<(), h::HostError> {
        Ok(())
    }
    fn kv_delete(&mut self, _key: String) -> Result<(), h::HostError> {
        Ok(())
    }
    async fn kb_search(&mut self, _query: h::KbQuery) -> Result<Vec<h::KbHit>, h::HostError> {
        Ok(vec![])
    }
    async fn agent_directory(&mut self, _query: h::AgentQuery) -> Result<h::Directory, h::HostError> {
        Ok(h::Directory { agents: vec![], queues: vec![] })
    }
    async fn credit_history(&mut self, _c: String, _s: i64) -> Result<Vec<h::CreditRecord>, h::HostError> {
        Ok(vec![])
    }
}

struct Bare {
    engine: Engine,
    pre: bare::StepPre<BareState>,
    input: bare::exports::weft::plugin::decider::StepInput,
}

impl Bare {
    fn new(bytes: &[u8], input: bare::exports::weft::plugin::decider::StepInput) -> Self {
        // The same code-generation settings as Weft's engine (fuel and epochs change the compiled
        // code), and the same pooling allocator: the difference measured is Weft's own layers.
        let mut config = Config::new();
        config.consume_fuel(true);
        config.epoch_interruption(true);
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(16);
        pool.max_memory_size(256 << 20);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).expect("engine");
        let component = wasmtime::component::Component::new(&engine, bytes).expect("compiles");
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("wasi links");
        bare::Step::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s).expect("host links");
        let pre = bare::StepPre::new(linker.instantiate_pre(&component).expect("pre")).expect("step pre");
        Self { engine, pre, input }
    }

    async fn call(&self) {
        let (mut store, step) = self.instantiate().await;
        let out = step.weft_plugin_decider().call_decide(&mut store, &self.input).await.expect("runs");
        assert!(out.is_ok());
    }

    /// Store + WASI context + instantiation, without calling the guest: the fixed cost of a fresh
    /// instance, to separate wasmtime's share from the guest's own work.
    async fn instantiate(&self) -> (Store<BareState>, bare::Step) {
        let state = BareState { wasi: WasiCtx::builder().build(), table: ResourceTable::new() };
        let mut store = Store::new(&self.engine, state);
        store.set_fuel(u64::MAX).expect("fuel");
        store.set_epoch_deadline(u64::MAX);
        let step = self.pre.instantiate_async(&mut store).await.expect("instantiates");
        (store, step)
    }
}

/// Builds the bare bindings' input by hand from the same ticket.
fn bare_input(input: &StepInput) -> bare::exports::weft::plugin::decider::StepInput {
    use bare::exports::weft::plugin::decider as d;
    use bare::weft::plugin::types as t;
    let tk = &input.ticket;
    d::StepInput {
        run_id: input.run_id.clone(),
        step: input.step.clone(),
        attempt: input.attempt,
        ticket: t::Ticket {
            id: tk.id.clone(),
            channel: t::Channel::Chat,
            subject: tk.subject.clone(),
            body: tk.body.clone(),
            language: tk.language.clone(),
            priority: t::Priority::Normal,
            tags: tk.tags.clone(),
            customer: t::Customer {
                id: tk.customer.id.clone(),
                name: tk.customer.name.clone(),
                email: None,
                phone: None,
                tier: t::Tier::Standard,
                language: None,
                consent: t::Consent { service: true, marketing: false, analytics: false },
                lifetime_value_cents: 0,
                fields: vec![],
            },
            created_at: 0,
            conversation: vec![],
            incident: None,
            fields: vec![],
        },
        prior: vec![],
        sla: None,
    }
}

struct Setup {
    runtime: Runtime,
    deployment: Deployment,
    ctx: InvocationContext,
    input: StepInput,
    bare: Bare,
}

fn setup() -> Setup {
    let bytes = weft_e2e::plugins::component("router");
    let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime");
    let plugin = runtime.load(&bytes, None).expect("loads");
    let spec = DeploymentSpec {
        name: "bench".into(),
        grants: vec![Capability::EffectAssign, Capability::EffectTag],
        config: serde_json::from_str(CONFIG).expect("config"),
        limits: LimitSettings::default(),
    };
    let deployment = runtime.deploy(plugin, &spec).expect("deploys");
    let ctx = InvocationContext { now_ms: 0, seed: 1, services: Arc::new(MemoryServices::default()) };
    let input = input();
    let bare = Bare::new(&bytes, bare_input(&input));
    Setup { runtime, deployment, ctx, input, bare }
}

fn one_core() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio")
}

fn criterion_bench(c: &mut Criterion) {
    let s = setup();
    let rt = one_core();
    let mut group = c.benchmark_group("instantiate+invoke router");
    group.bench_function("weft", |b| {
        b.to_async(&rt).iter(|| async {
            let report = s.runtime.invoke(&s.deployment, &s.input, &s.ctx).await;
            assert!(report.result.is_ok());
        })
    });
    group.bench_function("bare wasmtime", |b| b.to_async(&rt).iter(|| s.bare.call()));
    group.finish();
}

/// p50/p99 and throughput over many single calls, interleaved so both see the same machine state.
fn latency_table() {
    const CALLS: usize = 20_000;
    let s = setup();
    let rt = one_core();
    let (mut weft, mut bare, mut inst) =
        (Vec::with_capacity(CALLS), Vec::with_capacity(CALLS), Vec::with_capacity(CALLS));
    rt.block_on(async {
        for _ in 0..500 {
            s.runtime.invoke(&s.deployment, &s.input, &s.ctx).await;
            s.bare.call().await;
        }
        for _ in 0..CALLS {
            let t = Instant::now();
            let report = s.runtime.invoke(&s.deployment, &s.input, &s.ctx).await;
            weft.push(t.elapsed());
            assert!(report.result.is_ok());
            let t = Instant::now();
            s.bare.call().await;
            bare.push(t.elapsed());
            let t = Instant::now();
            drop(s.bare.instantiate().await);
            inst.push(t.elapsed());
        }
    });
    let stats = |v: &mut Vec<Duration>| {
        v.sort();
        let total: Duration = v.iter().sum();
        let pct = |p: f64| v[((v.len() as f64 * p) as usize).min(v.len() - 1)].as_secs_f64() * 1e6;
        (pct(0.50), pct(0.99), v.len() as f64 / total.as_secs_f64())
    };
    let (w50, w99, wps) = stats(&mut weft);
    let (b50, b99, bps) = stats(&mut bare);
    let (i50, i99, ips) = stats(&mut inst);
    println!("\n{CALLS} calls each, one core, interleaved");
    println!("{:<16} {:>10} {:>10} {:>12}", "", "p50 µs", "p99 µs", "calls/s");
    println!("{:<16} {:>10.1} {:>10.1} {:>12.0}", "weft", w50, w99, wps);
    println!("{:<16} {:>10.1} {:>10.1} {:>12.0}", "bare wasmtime", b50, b99, bps);
    println!("{:<16} {:>10.2} {:>10.2} {:>12.2}", "ratio weft/bare", w50 / b50, w99 / b99, bps / wps);
    println!("{:<16} {:>10.1} {:>10.1} {:>12.0}", "bare, no call", i50, i99, ips);
    let fuel = rt.block_on(s.runtime.invoke(&s.deployment, &s.input, &s.ctx)).fuel_used;
    println!("router fuel per invocation: {fuel}");
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(5));
    targets = criterion_bench
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    latency_table();
}
