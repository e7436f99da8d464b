//! Never returns. The host must stop it with fuel exhaustion (or, with fuel off, the deadline)
//! and fail only this step.

use std::hint::black_box;

use weft_plugin::prelude::*;

fn decide(_input: StepInput) -> Result<Decision, StepError> {
    let mut spins: u64 = 0;
    loop {
        // black_box: without it the optimizer may prove the loop has no effect and keep only an
        // empty `loop {}`, which still never returns but burns far less fuel per iteration,
        // making fuel-accounting tests less representative.
        spins = black_box(spins.wrapping_add(1));
    }
}

weft_plugin::export_step!(decide);
