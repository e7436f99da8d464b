//! The signals that call for a human, each with the sentence an operator reads.

use weft_plugin::prelude::*;

use crate::config::{Config, Resolved};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Signal {
    LowConfidence,
    NegativeEmotion,
    SlaWarning,
    SlaBreach,
    VipComplaint,
    Incident,
}

impl Signal {
    pub const ALL: [Signal; 6] = [
        Signal::LowConfidence,
        Signal::NegativeEmotion,
        Signal::SlaWarning,
        Signal::SlaBreach,
        Signal::VipComplaint,
        Signal::Incident,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Signal::LowConfidence => "low_confidence",
            Signal::NegativeEmotion => "negative_emotion",
            Signal::SlaWarning => "sla_warning",
            Signal::SlaBreach => "sla_breach",
            Signal::VipComplaint => "vip_complaint",
            Signal::Incident => "incident",
        }
    }

    pub fn parse(name: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|signal| signal.as_str() == name)
    }
}

/// A signal that fired, with why.
pub struct Fired {
    pub signal: Signal,
    pub reason: String,
}

/// What the earlier steps said, read once.
pub struct Readings {
    pub confidence: Option<f64>,
    pub negative_share: Option<f64>,
    pub intent: Option<String>,
    pub queue: Option<String>,
    pub agent: Option<String>,
}

pub fn read(input: &StepInput, config: &Config, resolved: &Resolved) -> Readings {
    let number =
        |step: &str, name: &str| input.output_of(step, name).and_then(|v| v.as_f64()).filter(|v| v.is_finite());
    let text = |step: &str, name: &str| {
        input.output_of(step, name).and_then(|v| v.as_str().map(str::to_owned)).filter(|v| !v.is_empty())
    };
    Readings {
        confidence: number(&resolved.confidence_step, &resolved.confidence_output),
        negative_share: number(&config.triage_step, "negative_share"),
        intent: text(&config.triage_step, "intent")
            .or_else(|| input.ticket.tags.iter().find_map(|t| t.strip_prefix("intent:").map(str::to_owned))),
        queue: text(&config.routing_step, "queue"),
        agent: text(&config.routing_step, "agent"),
    }
}

pub fn fired(input: &StepInput, config: &Config, readings: &Readings) -> Vec<Fired> {
    let ticket = &input.ticket;
    let mut fired = Vec::new();
    let mut fire = |signal, reason: String| fired.push(Fired { signal, reason });
    match readings.confidence {
        Some(confidence) if confidence < config.confidence_threshold => fire(
            Signal::LowConfidence,
            format!("bot confidence {confidence} is below {}: hand over to a human", config.confidence_threshold),
        ),
        Some(_) => {}
        // No confidence at all is not confidence: a human decides.
        None => fire(
            Signal::LowConfidence,
            format!("no bot confidence from {}: hand over to a human", config.confidence_source),
        ),
    }
    if let Some(share) = readings.negative_share.filter(|share| *share > config.negative_share_threshold) {
        fire(
            Signal::NegativeEmotion,
            format!("negative-emotion share {share} is above {}", config.negative_share_threshold),
        );
    }
    if let Some(sla) = &input.sla {
        if sla.breached {
            fire(Signal::SlaBreach, format!("SLA breached (due {})", crate::summary::utc(sla.due)));
        } else if sla.warned {
            fire(Signal::SlaWarning, format!("SLA warning (due {})", crate::summary::utc(sla.due)));
        }
    }
    let tier = ticket.customer.tier.as_str();
    let complaint = readings.intent.as_deref() == Some("complaint") || ticket.tags.iter().any(|t| t == "complaint");
    if complaint && config.complaint_tiers.iter().any(|t| t == tier) {
        fire(Signal::VipComplaint, format!("complaint from a {tier} customer"));
    }
    let flags: Vec<&str> =
        ticket.tags.iter().filter(|t| config.incident_tags.contains(t)).map(String::as_str).collect();
    match (&ticket.incident, flags.is_empty()) {
        (Some(incident), _) => fire(Signal::Incident, format!("linked to incident {incident}")),
        (None, false) => fire(Signal::Incident, format!("incident flag: {}", flags.join(", "))),
        (None, true) => {}
    }
    fired
}
