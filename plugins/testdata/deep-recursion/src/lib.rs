//! Recurses without end. The host's stack limit must stop it and fail only this step.

use std::hint::black_box;

use weft_plugin::prelude::*;

/// Not a tail call: the addition after the call keeps every frame alive. The frames hold only
/// scalars, so they live on the wasm call stack (what the host limits and reports as
/// `stack-overflow`) rather than on Rust's shadow stack in linear memory.
fn descend(depth: u64) -> u64 {
    // Never true at run time, but the compiler cannot know: keeps rustc's
    // `unconditional_recursion` lint quiet and stops LLVM turning the recursion into a loop.
    if black_box(depth) == u64::MAX {
        return depth;
    }
    descend(black_box(depth + 1)).wrapping_add(depth)
}

fn decide(_input: StepInput) -> Result<Decision, StepError> {
    let depth = descend(0);
    Ok(Decision::proceed().output("depth", &depth))
}

weft_plugin::export_step!(decide);
