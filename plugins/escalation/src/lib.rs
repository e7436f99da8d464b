//! Escalation: decides whether a human (and which humans) must take over, and hands over.
//!
//! Signals: bot confidence below a threshold, a high share of negative emotion, the SLA timer's
//! warning or breach, a complaint from a VIP, and incident flags. Each raises a level (general:
//! handled in team; important: cross-team; major: incident response); the ticket gets the
//! highest. The `escalate` effect carries the level, every reason, the notification targets of
//! that level and a hand-over summary with the whole conversation. No signal: no effect.
//! See README.md for the rules and config.

mod config;
mod signals;
mod summary;

use weft_plugin::prelude::*;

use crate::config::{Config, rank};
use crate::signals::{fired, read};
use crate::summary::{Context, summary};

fn decide(input: StepInput) -> Result<Decision, StepError> {
    let config: Config = host::config()?;
    let resolved = config.resolve()?;
    let readings = read(&input, &config, &resolved);
    let fired = fired(&input, &config, &readings);
    let signal_names: Vec<&str> = fired.iter().map(|f| f.signal.as_str()).collect();

    let Some(level) = fired.iter().map(|f| resolved.levels[&f.signal]).max_by_key(|level| rank(*level)) else {
        weft_plugin::info!("ticket {}: no escalation", input.ticket.id);
        return Ok(Decision::proceed()
            .reason("no escalation signal: the bot is confident, the customer is calm, the SLA holds")
            .output("escalate", &false)
            .output("level", &None::<String>)
            .output("signals", &signal_names));
    };
    let reasons: Vec<String> = fired.iter().map(|f| f.reason.clone()).collect();
    let queue = readings.queue.clone().unwrap_or_else(|| "unrouted".into());
    let notify: Vec<String> = resolved.notify[&rank(level)].iter().map(|t| t.replace("{queue}", &queue)).collect();
    let name = level.as_str();
    let summary = summary(&Context {
        input: &input,
        level: name,
        reasons: &reasons,
        readings: &readings,
        max_bytes: config.summary_max_bytes,
    });
    weft_plugin::info!("ticket {}: escalate {name} ({})", input.ticket.id, signal_names.join(", "));

    let mut escalation = effect::escalate(level).summary(&summary);
    for reason in &reasons {
        escalation = escalation.reason(reason);
    }
    for target in &notify {
        escalation = escalation.notify(target);
    }
    let mut decision = Decision::proceed().reason(format!("escalate {name}: notify {}", notify.join(", ")));
    for reason in &reasons {
        decision = decision.reason(reason);
    }
    Ok(decision
        .output("escalate", &true)
        .output("level", name)
        .output("signals", &signal_names)
        .output("reasons", &reasons)
        .output("notify", &notify)
        .output("summary", &summary)
        .effect(escalation))
}

weft_plugin::export_step!(decide);

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
