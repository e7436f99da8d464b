//! Panics in `decide`. The SDK's panic hook logs the message and location at level error before
//! the instance traps, so the host can report `panicked at src/lib.rs:…: routing table is empty`.

use weft_plugin::prelude::*;

fn decide(_input: StepInput) -> Result<Decision, StepError> {
    panic!("routing table is empty");
}

weft_plugin::export_step!(decide);
