//! Allocates without end. The host's memory cap must refuse the growth and fail only this step.

use std::hint::black_box;

use weft_plugin::prelude::*;

/// Small enough that the cap is hit close to its value, large enough to get there quickly.
const CHUNK_BYTES: usize = 4 << 20;

fn decide(_input: StepInput) -> Result<Decision, StepError> {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        // Filled with non-zero bytes so every page is really written, and black_boxed so the
        // optimizer cannot drop allocations nobody reads.
        hoard.push(black_box(vec![0xA5; CHUNK_BYTES]));
        black_box(&hoard);
    }
}

weft_plugin::export_step!(decide);
