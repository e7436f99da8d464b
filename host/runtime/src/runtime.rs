//! The engine, the linker and the loaded-plugin cache.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wasmtime::component::Linker;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::artifact;
use crate::bindings::{Step, StepPre};
use crate::cache::{CompileCache, CompileSource};
use crate::contract;
use crate::error::PluginError;
use crate::limits::Limits;
use crate::manifest::Manifest;
use crate::state::HostState;

/// How often the epoch ticks. Deadlines are checked, and long-running guests yield to the async
/// executor, at this granularity.
const EPOCH_TICK: Duration = Duration::from_millis(10);

#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Where compiled code is cached across restarts; `None` keeps it in memory only.
    pub cache_dir: Option<PathBuf>,
    /// Instances that may run at once. The pooling allocator reserves this many slots up front;
    /// further invocations wait for a free slot.
    pub max_concurrent: u32,
    /// Limits an invocation gets when neither manifest nor deployment says otherwise.
    pub default_limits: Limits,
    /// The most a manifest or deployment may ask for.
    pub max_limits: Limits,
    /// Wasm stack per invocation. Wasmtime enforces it per engine, so it is host-wide.
    pub max_stack_bytes: usize,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            cache_dir: None,
            max_concurrent: 128,
            default_limits: Limits::default(),
            max_limits: Limits::host_maximum(),
            max_stack_bytes: 512 * 1024,
        }
    }
}

/// A published plugin, compiled and pre-linked, ready to instantiate.
pub struct LoadedPlugin {
    pub digest: String,
    pub manifest: Manifest,
    pub manifest_text: String,
    /// The `weft:plugin` version the plugin was built against.
    pub contract_version: semver::Version,
    pub compiled_from: CompileSource,
    pub(crate) pre: StepPre<HostState>,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin").field("id", &self.manifest.id()).field("digest", &self.digest).finish()
    }
}

pub struct Runtime {
    pub(crate) engine: Engine,
    linker: Linker<HostState>,
    cache: CompileCache,
    loaded: Mutex<HashMap<String, Arc<LoadedPlugin>>>,
    pub(crate) config: RuntimeConfig,
    pub(crate) slots: Arc<tokio::sync::Semaphore>,
    _ticker: EpochTicker,
}

impl Runtime {
    pub fn new(config: RuntimeConfig) -> Result<Self, PluginError> {
        let engine = Engine::new(&engine_config(&config))
            .map_err(|err| PluginError::invalid_component(format!("could not start the wasm engine: {err:#}")))?;
        let mut linker = Linker::new(&engine);
        let link =
            |err: wasmtime::Error| PluginError::invalid_component(format!("could not link host functions: {err:#}"));
        // All of WASI is linked so any wasip2 guest instantiates, but the per-invocation context
        // denies everything (see `state.rs`).
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(link)?;
        Step::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |state| state).map_err(link)?;
        let cache = CompileCache::new(&engine, config.cache_dir.clone());
        let ticker = EpochTicker::start(engine.clone());
        Ok(Self {
            slots: Arc::new(tokio::sync::Semaphore::new(config.max_concurrent as usize)),
            engine,
            linker,
            cache,
            loaded: Mutex::new(HashMap::new()),
            config,
            _ticker: ticker,
        })
    }

    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// Checks, compiles (or loads from the cache) and pre-links a component. Loading the same
    /// digest twice returns the already-loaded plugin.
    pub fn load(&self, bytes: &[u8], side_manifest: Option<&str>) -> Result<Arc<LoadedPlugin>, PluginError> {
        // The digest alone identifies a loaded plugin; skip re-parsing the component when it is known.
        if let Some(plugin) = self.loaded.lock().ok().and_then(|l| l.get(&artifact::digest(bytes)).cloned()) {
            return Ok(plugin);
        }
        let artifact = artifact::inspect(bytes, side_manifest)?;
        let (component, compiled_from) = self.cache.load_or_compile(&self.engine, &artifact.digest, bytes)?;
        let contract_version = contract::check(&self.engine, &component)?;
        let pre = self.linker.instantiate_pre(&component).map_err(|err| PluginError::IncompatibleContract {
            message: format!(
                "the component needs imports this host does not provide: {err:#}; plugins may import \
                 only `weft:plugin/host` and WASI 0.2"
            ),
        })?;
        let pre = StepPre::new(pre).map_err(|err| PluginError::IncompatibleContract {
            message: format!("the component does not export the `step` world's interface: {err:#}"),
        })?;
        tracing::info!(
            plugin = %artifact.manifest.id(),
            digest = %artifact.digest,
            source = ?compiled_from,
            "plugin loaded"
        );
        let plugin = Arc::new(LoadedPlugin {
            digest: artifact.digest.clone(),
            manifest: artifact.manifest,
            manifest_text: artifact.manifest_text,
            contract_version,
            compiled_from,
            pre,
        });
        if let Ok(mut loaded) = self.loaded.lock() {
            loaded.insert(artifact.digest, plugin.clone());
        }
        Ok(plugin)
    }
}

fn engine_config(config: &RuntimeConfig) -> Config {
    let mut c = Config::new();
    // Fuel gives a deterministic instruction budget, reported per run.
    c.consume_fuel(true);
    // Epoch interruption enforces the wall-clock deadline cheaply (a counter check at loop
    // headers and function entries), and lets long guests yield to the executor.
    c.epoch_interruption(true);
    c.max_wasm_stack(config.max_stack_bytes);
    // Guests run on fibers; their stacks must hold the wasm stack plus host frames.
    c.async_stack_size(config.max_stack_bytes + 1024 * 1024);
    c.wasm_backtrace_max_frames(std::num::NonZeroUsize::new(16));

    // The pooling allocator pre-reserves instance slots, so instantiation is a few page-table
    // operations instead of mmap/munmap per call: the main reason a fresh instance per
    // invocation is affordable.
    let n = config.max_concurrent;
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(n);
    // A Rust wasip2 component is a handful of core modules (the program plus wit-component shims).
    pool.max_core_instances_per_component(16);
    pool.total_core_instances(n * 16);
    pool.max_memories_per_component(2);
    pool.total_memories(n * 2);
    pool.max_tables_per_component(8);
    pool.total_tables(n * 8);
    pool.total_stacks(n);
    // Slots are sized for the largest memory any deployment may configure; the per-store
    // limiter enforces each deployment's own, smaller cap.
    pool.max_memory_size(usize::try_from(config.max_limits.memory_bytes).unwrap_or(usize::MAX));
    pool.table_elements(usize::try_from(config.max_limits.table_elements).unwrap_or(usize::MAX));
    // Keep some slots warm so the kernel does not zero fresh pages on every call.
    pool.max_unused_warm_slots(n.min(32));
    // Measured: keeping 2 MiB of linear memory resident (memset instead of madvise on reuse)
    // doubled the per-call time for the router step, so wasmtime's default (decommit) stays.
    c.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    // Copy-on-write memory images make data-segment initialisation a mapping, not a copy.
    c.memory_init_cow(true);
    c
}

/// Increments the engine epoch on a background thread until dropped.
struct EpochTicker {
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl EpochTicker {
    fn start(engine: Engine) -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let spawned = std::thread::Builder::new().name("weft-epoch".into()).spawn(move || {
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        });
        if let Err(error) = spawned {
            // Without the ticker, deadlines fall back to the async timeout around each call.
            tracing::error!(%error, "could not start the epoch ticker thread");
        }
        Self { stop }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

pub(crate) const TICK: Duration = EPOCH_TICK;
