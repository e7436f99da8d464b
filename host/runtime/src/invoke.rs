//! One invocation: a fresh instance from the pre-linked plugin, run under every limit, with each
//! failure mapped to its typed kind.

use std::io::Write;
use std::time::Instant;

use wasmtime::{Store, Trap, UpdateDeadline, WasmBacktrace};

use crate::bindings::wit_decider as d;
use crate::capability::Capability;
use crate::convert;
use crate::deployment::Deployment;
use crate::error::PluginError;
use crate::limits::LimitExceeded;
use crate::logs::LogLevel;
use crate::model::StepInput;
use crate::pii;
use crate::report::Report;
use crate::runtime::{Runtime, TICK};
use crate::state::{HostState, InvocationContext};

/// Extra time the async timeout allows past the epoch deadline, so the precise epoch check (which
/// reports what the guest was doing) normally fires first; the timeout catches host calls that hang.
const TIMEOUT_GRACE: std::time::Duration = std::time::Duration::from_millis(100);

type CallResult = wasmtime::Result<Result<d::Decision, d::StepError>>;

impl Runtime {
    pub async fn invoke(&self, deployment: &Deployment, input: &StepInput, ctx: &InvocationContext) -> Report {
        let started = Instant::now();
        let limits = deployment.limits;
        let mut report = Report {
            result: Err(PluginError::Busy { capacity: self.config.max_concurrent }),
            fuel_used: 0,
            fuel_budget: limits.fuel,
            peak_memory_bytes: 0,
            memory_limit_bytes: limits.memory_bytes,
            wall_time_us: 0,
            logs: Vec::new(),
            logs_truncated: false,
            kv_writes: Vec::new(),
            denials: Vec::new(),
        };

        let input_size = json_size(input);
        if input_size > limits.input_bytes {
            report.result = Err(PluginError::InputTooLarge { size: input_size, limit: limits.input_bytes });
            return report;
        }
        let wit_input = if deployment.grants.allows(Capability::PiiRaw) {
            convert::step_input(input)
        } else {
            let mut masked = input.clone();
            pii::mask_customer(&mut masked);
            convert::step_input(&masked)
        };

        // Waiting for a slot (rather than failing) smooths bursts; the wait counts against nothing.
        let Ok(_permit) = self.slots.acquire().await else { return report };

        let state = HostState::new(
            &limits,
            deployment.grants.clone(),
            deployment.config.clone(),
            deployment.kv_scope.clone(),
            ctx,
        );
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limiter);
        if let Err(err) = store.set_fuel(limits.fuel) {
            report.result = Err(PluginError::Trap { message: format!("could not set fuel: {err}"), backtrace: vec![] });
            return report;
        }
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|mut ctx| {
            let state = ctx.data_mut();
            if Instant::now() >= state.deadline {
                state.deadline_hit = true;
                return Ok(UpdateDeadline::Interrupt);
            }
            // Yield every tick so one busy guest cannot hold an executor thread from the others.
            Ok(UpdateDeadline::Yield(1))
        });

        let call = async {
            let instance = deployment.plugin.pre.instantiate_async(&mut store).await?;
            instance.weft_plugin_decider().call_decide(&mut store, &wit_input).await
        };
        let timed = tokio::time::timeout(limits.deadline() + TIMEOUT_GRACE + TICK, call).await;

        report.fuel_used = limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0));
        let state = store.data_mut();
        collect_stdio(state);
        report.peak_memory_bytes = state.limiter.peak_memory as u64;
        report.result = match timed {
            Err(_elapsed) => Err(PluginError::Deadline { limit_ms: limits.deadline_ms }),
            Ok(call) => classify(call, state, &limits, self.config.max_stack_bytes),
        };
        report.denials = std::mem::take(&mut state.denials);
        if report.result.is_ok() {
            report.kv_writes = std::mem::take(&mut state.kv_writes).into_iter().collect();
        }
        report.logs_truncated = state.logs.truncated;
        report.logs = std::mem::take(&mut state.logs.lines);
        report.wall_time_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        if let Err(error) = &report.result {
            tracing::info!(
                error.type = error.kind(),
                plugin = %deployment.plugin.manifest.id(),
                deployment = %deployment.name,
                run_id = %input.run_id,
                step = %input.step,
                fuel_used = report.fuel_used,
                "plugin invocation failed"
            );
        }
        report
    }
}

fn classify(
    call: CallResult,
    state: &HostState,
    limits: &crate::limits::Limits,
    stack_bytes: usize,
) -> Result<crate::model::Decision, PluginError> {
    let returned = match call {
        Ok(returned) => returned,
        Err(err) => return Err(trap_error(err, state, limits, stack_bytes)),
    };
    let decision = match returned {
        Ok(decision) => decision,
        Err(step_error) => {
            // A denial the plugin passed on with `?` is reported as the host saw it.
            if step_error.kind == d::StepErrorKind::CapabilityDenied
                && let Some(denial) = state.denials.last()
            {
                return Err(PluginError::CapabilityDenied {
                    capability: denial.capability.clone(),
                    message: denial.message.clone(),
                });
            }
            return Err(PluginError::PluginError { error: convert::step_error_out(step_error) });
        }
    };
    let decision = convert::decision_out(decision).map_err(|reason| PluginError::InvalidOutput { reason })?;
    let size = json_size(&decision);
    if size > limits.output_bytes {
        return Err(PluginError::OutputTooLarge { size, limit: limits.output_bytes });
    }
    for effect in &decision.effects {
        state.grants.check(effect.capability()).map_err(|denial| PluginError::CapabilityDenied {
            capability: denial.capability,
            message: format!(
                "the plugin returned a `{}` effect, but {}",
                effect_name(effect.capability().as_str()),
                denial.message
            ),
        })?;
    }
    Ok(decision)
}

fn effect_name(capability: &str) -> &str {
    capability.strip_prefix("effect.").unwrap_or(capability)
}

fn trap_error(
    err: wasmtime::Error,
    state: &HostState,
    limits: &crate::limits::Limits,
    stack_bytes: usize,
) -> PluginError {
    if state.deadline_hit {
        return PluginError::Deadline { limit_ms: limits.deadline_ms };
    }
    if let Some(exceeded) = err.downcast_ref::<LimitExceeded>().copied().or(state.limiter.exceeded) {
        return match exceeded {
            LimitExceeded::Memory { desired, limit } => {
                PluginError::MemoryLimit { desired: desired as u64, limit: limit as u64 }
            }
            LimitExceeded::Table { desired, limit } => PluginError::Trap {
                message: format!(
                    "the plugin grew a table to {desired} elements, over the {limit} limit; raise \
                     `table-elements` in the deployment limits"
                ),
                backtrace: backtrace(&err),
            },
        };
    }
    match err.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => PluginError::FuelExhausted { budget: limits.fuel },
        Some(Trap::Interrupt) => PluginError::Deadline { limit_ms: limits.deadline_ms },
        Some(Trap::StackOverflow) => {
            PluginError::StackOverflow { limit_kib: (stack_bytes / 1024) as u64, backtrace: backtrace(&err) }
        }
        other => {
            let cause = match other {
                Some(trap) => trap.to_string(),
                None => format!("{err:#}"),
            };
            let message = match state.logs.panic_message() {
                Some(panic) => format!("{panic} ({cause})"),
                None => cause,
            };
            PluginError::Trap { message, backtrace: backtrace(&err) }
        }
    }
}

/// The innermost frames, function names only: enough to find the spot, short enough to log.
fn backtrace(err: &wasmtime::Error) -> Vec<String> {
    let Some(trace) = err.downcast_ref::<WasmBacktrace>() else { return Vec::new() };
    trace
        .frames()
        .iter()
        .take(8)
        .map(|frame| frame.func_name().map(str::to_string).unwrap_or_else(|| format!("func[{}]", frame.func_index())))
        .collect()
}

/// Anything the guest printed goes into its log, after what it logged through the host.
fn collect_stdio(state: &mut HostState) {
    for pipe in [state.stdout.contents(), state.stderr.contents()] {
        if pipe.is_empty() {
            continue;
        }
        for line in String::from_utf8_lossy(&pipe).lines().filter(|l| !l.trim().is_empty()) {
            state.logs.push(LogLevel::Stdio, line.to_string());
        }
    }
}

/// Size of a value's JSON encoding, counted without building it.
fn json_size<T: serde::Serialize>(value: &T) -> u64 {
    struct Counter(u64);
    impl Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    match serde_json::to_writer(&mut counter, value) {
        Ok(()) => counter.0,
        Err(_) => u64::MAX,
    }
}
