//! Resource limits: on by default, requested by the manifest, set per deployment, capped by the host.

use std::time::Duration;

use serde::{Deserialize, Serialize};

const MIB: u64 = 1024 * 1024;

/// Optional limit settings, as written in a manifest's `[limits]` or a deployment's `limits`.
/// Unset values fall back to the next level: deployment → manifest → host default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LimitSettings {
    /// Instruction budget per invocation (wasmtime fuel units, about one per wasm instruction).
    #[serde(alias = "fuel", skip_serializing_if = "Option::is_none")]
    pub fuel: Option<u64>,
    /// Wall-clock deadline per invocation, in milliseconds.
    #[serde(alias = "deadline_ms", skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    /// Linear memory cap across all of the plugin's memories, in MiB.
    #[serde(alias = "memory_mib", skip_serializing_if = "Option::is_none")]
    pub memory_mib: Option<u64>,
    /// Maximum elements in any table.
    #[serde(alias = "table_elements", skip_serializing_if = "Option::is_none")]
    pub table_elements: Option<u64>,
    /// Maximum size of the step input handed to the plugin, in KiB.
    #[serde(alias = "input_kib", skip_serializing_if = "Option::is_none")]
    pub input_kib: Option<u64>,
    /// Maximum size of the decision the plugin returns, in KiB.
    #[serde(alias = "output_kib", skip_serializing_if = "Option::is_none")]
    pub output_kib: Option<u64>,
    /// Log bytes kept per invocation; later lines are dropped and the report says so.
    #[serde(alias = "log_kib", skip_serializing_if = "Option::is_none")]
    pub log_kib: Option<u64>,
}

/// The limits one invocation runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub fuel: u64,
    pub deadline_ms: u64,
    pub memory_bytes: u64,
    pub table_elements: u64,
    pub input_bytes: u64,
    pub output_bytes: u64,
    pub log_bytes: u64,
}

impl Default for Limits {
    /// Generous for a routing or triage step (which use well under a million instructions and a
    /// few MiB), small enough that a runaway plugin fails in milliseconds rather than starving
    /// the host.
    fn default() -> Self {
        Self {
            fuel: 50_000_000,
            deadline_ms: 2_000,
            memory_bytes: 64 * MIB,
            table_elements: 20_000,
            input_bytes: MIB,
            output_bytes: MIB,
            log_bytes: 64 * 1024,
        }
    }
}

impl Limits {
    /// The most an operator may configure on this host. Memory is also bounded by the pooling
    /// allocator's slot size, which is sized from `memory_bytes` here.
    pub fn host_maximum() -> Self {
        Self {
            fuel: 10_000_000_000,
            deadline_ms: 60_000,
            memory_bytes: 256 * MIB,
            table_elements: 1_000_000,
            input_bytes: 16 * MIB,
            output_bytes: 16 * MIB,
            log_bytes: MIB,
        }
    }

    pub fn deadline(&self) -> Duration {
        Duration::from_millis(self.deadline_ms)
    }

    /// Applies settings on top of `self`, refusing anything above `max` with the setting's name.
    pub fn with(mut self, settings: &LimitSettings, max: &Limits) -> Result<Self, LimitError> {
        fn set(slot: &mut u64, value: Option<u64>, scale: u64, max: u64, name: &'static str) -> Result<(), LimitError> {
            let Some(value) = value else { return Ok(()) };
            let bytes = value.saturating_mul(scale);
            if value == 0 || bytes > max {
                return Err(LimitError { name, value, max: max / scale });
            }
            *slot = bytes;
            Ok(())
        }
        set(&mut self.fuel, settings.fuel, 1, max.fuel, "fuel")?;
        set(&mut self.deadline_ms, settings.deadline_ms, 1, max.deadline_ms, "deadline-ms")?;
        set(&mut self.memory_bytes, settings.memory_mib, MIB, max.memory_bytes, "memory-mib")?;
        set(&mut self.table_elements, settings.table_elements, 1, max.table_elements, "table-elements")?;
        set(&mut self.input_bytes, settings.input_kib, 1024, max.input_bytes, "input-kib")?;
        set(&mut self.output_bytes, settings.output_kib, 1024, max.output_bytes, "output-kib")?;
        set(&mut self.log_bytes, settings.log_kib, 1024, max.log_bytes, "log-kib")?;
        Ok(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("limit `{name}` = {value} is out of range: it must be between 1 and {max} on this host")]
pub struct LimitError {
    pub name: &'static str,
    pub value: u64,
    pub max: u64,
}

/// The store's `ResourceLimiter`: refuses growth past the caps and remembers the peak, so a run
/// reports how much memory it used as well as being stopped when it uses too much.
#[derive(Debug)]
pub(crate) struct StoreLimiter {
    memory_limit: usize,
    table_limit: usize,
    memory_in_use: usize,
    pub(crate) peak_memory: usize,
    pub(crate) exceeded: Option<LimitExceeded>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LimitExceeded {
    #[error("memory limit exceeded: wanted {desired} bytes, limit {limit}")]
    Memory { desired: usize, limit: usize },
    #[error("table limit exceeded: wanted {desired} elements, limit {limit}")]
    Table { desired: usize, limit: usize },
}

impl StoreLimiter {
    pub(crate) fn new(limits: &Limits) -> Self {
        Self {
            memory_limit: usize::try_from(limits.memory_bytes).unwrap_or(usize::MAX),
            table_limit: usize::try_from(limits.table_elements).unwrap_or(usize::MAX),
            memory_in_use: 0,
            peak_memory: 0,
            exceeded: None,
        }
    }
}

impl wasmtime::ResourceLimiter for StoreLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        // The cap covers every memory of the component together, not each one separately.
        let total = self.memory_in_use - current.min(self.memory_in_use) + desired;
        if total > self.memory_limit {
            tracing::warn!(
                error.type = "memory_limit_exceeded",
                current = self.memory_in_use,
                desired = total,
                limit = self.memory_limit,
                "plugin memory growth refused"
            );
            let exceeded = LimitExceeded::Memory { desired: total, limit: self.memory_limit };
            self.exceeded = Some(exceeded);
            // An error (rather than `Ok(false)`) traps right here with a typed cause, instead of
            // letting the guest's allocator abort with a generic `unreachable`.
            return Err(exceeded.into());
        }
        self.memory_in_use = total;
        self.peak_memory = self.peak_memory.max(total);
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.table_limit {
            tracing::warn!(error.type = "table_limit_exceeded", desired, limit = self.table_limit, "plugin table growth refused");
            let exceeded = LimitExceeded::Table { desired, limit: self.table_limit };
            self.exceeded = Some(exceeded);
            return Err(exceeded.into());
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::ResourceLimiter;

    // Settings override defaults and are scaled to bytes.
    #[test]
    fn settings_apply_in_units() {
        let settings = LimitSettings { memory_mib: Some(8), fuel: Some(10), ..Default::default() };
        let limits = Limits::default().with(&settings, &Limits::host_maximum()).unwrap();
        assert_eq!(limits.memory_bytes, 8 * MIB);
        assert_eq!(limits.fuel, 10);
        assert_eq!(limits.deadline_ms, Limits::default().deadline_ms);
    }

    // Anything above the host maximum is refused with the setting's name and the maximum.
    #[test]
    fn settings_above_host_maximum_are_refused() {
        let settings = LimitSettings { memory_mib: Some(4096), ..Default::default() };
        let err = Limits::default().with(&settings, &Limits::host_maximum()).unwrap_err();
        assert_eq!(err.name, "memory-mib");
        assert!(err.to_string().contains("256"), "{err}");
    }

    // The limiter counts all memories together and records the peak.
    #[test]
    fn limiter_tracks_total_and_peak() {
        let mut limiter = StoreLimiter::new(&Limits { memory_bytes: 100, ..Limits::default() });
        assert!(limiter.memory_growing(0, 60, None).unwrap());
        assert!(limiter.memory_growing(0, 30, None).unwrap());
        assert_eq!(limiter.peak_memory, 90);
        assert!(limiter.memory_growing(30, 50, None).is_err());
        assert_eq!(limiter.exceeded, Some(LimitExceeded::Memory { desired: 110, limit: 100 }));
    }
}
