//! `router` 0.2.0, the candidate the rollout and back-test tests try: the same manifest name and
//! config schema as `router` 0.1.0 (`testdata/router`), but it no longer routes by language:
//! premium and VIP customers go to the VIP queue, everyone else to the default queue. Its
//! decisions therefore differ from 0.1.0's exactly on non-VIP tickets whose language has a queue.

use std::collections::BTreeMap;

use serde::Deserialize;
use weft_plugin::prelude::*;

/// Accepts 0.1.0's configuration unchanged, so a rollout can swap it in on the same step.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// Accepted for compatibility; 0.2.0 does not route by language.
    #[serde(default)]
    #[allow(dead_code)]
    queues: BTreeMap<String, String>,
    #[serde(default = "default_queue")]
    default_queue: String,
    #[serde(default = "vip_queue")]
    vip_queue: String,
}

fn default_queue() -> String {
    "general".to_owned()
}

fn vip_queue() -> String {
    "vip".to_owned()
}

fn decide(input: StepInput) -> Result<Decision, StepError> {
    let config: Config = host::config()?;
    let tier = input.ticket.customer.tier;
    let (queue, why) = if tier.is_high_value() {
        (config.vip_queue, format!("{} customer", tier.as_str()))
    } else {
        (config.default_queue, "not a high-value customer".to_owned())
    };
    Ok(Decision::proceed()
        .reason(format!("{why} → {queue}"))
        .output("queue", &queue)
        .effect(effect::assign(queue).reason(why))
        .effect(effect::tag().add("routed")))
}

weft_plugin::export_step!(decide);
