//! Returns a decision far over any sensible output cap: its reason is 50 MB. The host must refuse
//! it as `output-too-large` without copying it around or running out of memory itself.
//!
//! Producing it takes resources: about 53 M fuel and a 64 MiB memory cap (measured with wasmtime
//! 48). Under tighter limits the step fails earlier with `fuel-exhausted` or `memory-limit`
//! instead, so a test of the output cap must run it with at least those (its `weft.toml` asks for
//! them).

use weft_plugin::prelude::*;

const REASON_BYTES: usize = 50 * 1024 * 1024;

fn decide(_input: StepInput) -> Result<Decision, StepError> {
    // `repeat` allocates the exact size once: the fewest instructions and bytes to get there.
    Ok(Decision::proceed().reason("x".repeat(REASON_BYTES)))
}

weft_plugin::export_step!(decide);
