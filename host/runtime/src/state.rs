//! Per-invocation store data: the deny-by-default WASI context, the limiter, logs, buffered kv
//! writes and what was denied. A fresh one is built for every invocation, so nothing leaks from
//! one run into the next.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

use crate::capability::{Denial, Grants};
use crate::limits::{Limits, StoreLimiter};
use crate::logs::LogBuffer;
use crate::services::HostServices;

/// What the embedder decides for one invocation besides the input.
#[derive(Clone)]
pub struct InvocationContext {
    /// The run's logical time (ms since the epoch): what `now` and WASI clocks return.
    pub now_ms: i64,
    /// Seed for `random` and WASI randomness; derive it from run, step and attempt for replays.
    pub seed: u64,
    pub services: Arc<dyn HostServices>,
}

pub(crate) struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limiter: StoreLimiter,
    pub(crate) logs: LogBuffer,
    pub(crate) stdout: MemoryOutputPipe,
    pub(crate) stderr: MemoryOutputPipe,
    pub(crate) grants: Arc<Grants>,
    pub(crate) config: Arc<str>,
    pub(crate) kv_scope: Arc<str>,
    pub(crate) kv_writes: BTreeMap<String, Option<String>>,
    pub(crate) denials: Vec<Denial>,
    pub(crate) services: Arc<dyn HostServices>,
    pub(crate) now_ms: i64,
    rng: u64,
    pub(crate) deadline: Instant,
    pub(crate) deadline_hit: bool,
}

impl HostState {
    pub(crate) fn new(
        limits: &Limits,
        grants: Arc<Grants>,
        config: Arc<str>,
        kv_scope: Arc<str>,
        ctx: &InvocationContext,
    ) -> Self {
        let log_cap = usize::try_from(limits.log_bytes).unwrap_or(usize::MAX);
        let stdout = MemoryOutputPipe::new(log_cap);
        let stderr = MemoryOutputPipe::new(log_cap);
        let clock = FixedClock(ctx.now_ms);
        // Deny by default: no preopened directories, no environment, no arguments, no sockets, and
        // clocks and randomness that replay identically.
        let wasi = WasiCtx::builder()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .wall_clock(clock)
            .monotonic_clock(clock)
            .insecure_random_seed(u128::from(ctx.seed))
            .secure_random(SplitMix64(ctx.seed ^ 0x5eed))
            .build();
        Self {
            wasi,
            table: ResourceTable::new(),
            limiter: StoreLimiter::new(limits),
            logs: LogBuffer::new(log_cap),
            stdout,
            stderr,
            grants,
            config,
            kv_scope,
            kv_writes: BTreeMap::new(),
            denials: Vec::new(),
            services: ctx.services.clone(),
            now_ms: ctx.now_ms,
            rng: ctx.seed,
            deadline: Instant::now() + limits.deadline(),
            deadline_hit: false,
        }
    }

    pub(crate) fn next_random(&mut self) -> u64 {
        splitmix64(&mut self.rng)
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// A clock frozen at the run's logical time, for both WASI wall and monotonic clocks.
#[derive(Clone, Copy)]
struct FixedClock(i64);

impl HostWallClock for FixedClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }
    fn now(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.0).unwrap_or(0))
    }
}

impl HostMonotonicClock for FixedClock {
    fn resolution(&self) -> u64 {
        1_000_000
    }
    fn now(&self) -> u64 {
        u64::try_from(self.0).unwrap_or(0).saturating_mul(1_000_000)
    }
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Seeded randomness for `wasi:random`, so guest hash maps iterate the same way on every replay.
struct SplitMix64(u64);

impl rand_core::TryRng for SplitMix64 {
    type Error = std::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok((splitmix64(&mut self.0) >> 32) as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(splitmix64(&mut self.0))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let bytes = splitmix64(&mut self.0).to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}
