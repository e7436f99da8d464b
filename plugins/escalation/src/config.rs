//! The deployment's configuration: thresholds, which level each signal raises, and whom each
//! level notifies. Unknown keys are an error, so a typo cannot silently disable a signal.

use std::collections::BTreeMap;

use serde::Deserialize;
use weft_plugin::prelude::*;

use crate::signals::Signal;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Below this bot confidence, a human takes over. 0.85: the default; below it, one
    /// answer in six or more is wrong, which customers notice.
    pub confidence_threshold: f64,
    /// Where the bot confidence comes from: `<step>.<output>`. "triage.confidence" in the demo
    /// workflow; point it at an answer bot's step when there is one.
    pub confidence_source: String,
    /// Above this share of negative-emotion sentences (triage's `negative_share`), escalate.
    /// 0.3: about a third of what the customer wrote is upset.
    pub negative_share_threshold: f64,
    /// The triage step (intent, negative share).
    pub triage_step: String,
    /// The routing step (its `queue` output fills `{queue}` in notification targets).
    pub routing_step: String,
    /// Tiers whose complaints escalate. ["vip"].
    pub complaint_tiers: Vec<String>,
    /// Ticket tags that flag an incident, besides the ticket's `incident` link.
    pub incident_tags: Vec<String>,
    /// The level each signal raises; the ticket gets the highest. Defaults in [`default_levels`].
    pub levels: BTreeMap<String, String>,
    /// Whom each level notifies. `{queue}` becomes the routing step's queue (or `unrouted`).
    pub notify: BTreeMap<String, Vec<String>>,
    /// The hand-over summary's size cap in bytes; the newest turns are kept in full.
    pub summary_max_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            confidence_threshold: 0.85,
            confidence_source: "triage.confidence".into(),
            negative_share_threshold: 0.3,
            triage_step: "triage".into(),
            routing_step: "routing".into(),
            complaint_tiers: vec!["vip".into()],
            incident_tags: vec!["incident".into(), "outage".into(), "security".into()],
            levels: BTreeMap::new(),
            notify: BTreeMap::new(),
            summary_max_bytes: 32 * 1024,
        }
    }
}

/// The levels signals raise unless configured: a human for doubt or upset (general), a
/// supervisor for a breached SLA or an upset VIP (important), incident response for incidents.
pub fn default_level(signal: Signal) -> EscalationLevel {
    match signal {
        Signal::LowConfidence | Signal::NegativeEmotion | Signal::SlaWarning => EscalationLevel::General,
        Signal::SlaBreach | Signal::VipComplaint => EscalationLevel::Important,
        Signal::Incident => EscalationLevel::Major,
    }
}

/// Whom each level notifies unless configured.
pub fn default_notify(level: EscalationLevel) -> Vec<String> {
    let targets: &[&str] = match level {
        EscalationLevel::General => &["team:{queue}"],
        EscalationLevel::Important => &["team:{queue}", "supervisor:on-duty"],
        EscalationLevel::Major => &["oncall:incident", "supervisor:on-duty", "team:{queue}"],
    };
    targets.iter().map(|t| (*t).to_owned()).collect()
}

/// Every level, lowest first.
const LEVELS: [EscalationLevel; 3] = [EscalationLevel::General, EscalationLevel::Important, EscalationLevel::Major];

pub fn parse_level(text: &str) -> Option<EscalationLevel> {
    LEVELS.into_iter().find(|level| level.as_str() == text)
}

/// The configuration checked and resolved, so `decide` never sees an unknown name.
pub struct Resolved {
    pub levels: BTreeMap<Signal, EscalationLevel>,
    pub notify: BTreeMap<u8, Vec<String>>,
    pub confidence_step: String,
    pub confidence_output: String,
}

impl Config {
    pub fn resolve(&self) -> Result<Resolved, StepError> {
        let invalid = |message: String| Err(StepError::invalid_config(message));
        for (name, value) in [
            ("confidence_threshold", self.confidence_threshold),
            ("negative_share_threshold", self.negative_share_threshold),
        ] {
            if !(value.is_finite() && (0.0..=1.0).contains(&value)) {
                return invalid(format!("{name} must be between 0 and 1 (it was {value})"));
            }
        }
        let Some((step, output)) =
            self.confidence_source.split_once('.').filter(|(s, o)| !s.is_empty() && !o.is_empty())
        else {
            return invalid(format!(
                "confidence_source must be `<step>.<output>`, such as `triage.confidence` (it was {:?})",
                self.confidence_source
            ));
        };
        if self.summary_max_bytes < 1024 {
            return invalid(format!(
                "summary_max_bytes must be at least 1024 (it was {}); the default is 32768",
                self.summary_max_bytes
            ));
        }
        let mut levels = BTreeMap::new();
        for signal in Signal::ALL {
            levels.insert(signal, default_level(signal));
        }
        for (name, level) in &self.levels {
            let signal = Signal::parse(name).ok_or_else(|| {
                StepError::invalid_config(format!(
                    "levels has an unknown signal `{name}`; use one of {}",
                    Signal::ALL.map(Signal::as_str).join(", ")
                ))
            })?;
            let level = parse_level(level).ok_or_else(|| {
                StepError::invalid_config(format!("levels.{name} is `{level}`; use general, important or major"))
            })?;
            levels.insert(signal, level);
        }
        let mut notify = BTreeMap::new();
        for level in LEVELS {
            notify.insert(rank(level), default_notify(level));
        }
        for (name, targets) in &self.notify {
            let level = parse_level(name).ok_or_else(|| {
                StepError::invalid_config(format!(
                    "notify has an unknown level `{name}`; use general, important or major"
                ))
            })?;
            if let Some(blank) = targets.iter().find(|t| t.trim().is_empty()) {
                return invalid(format!(
                    "notify.{name} has a blank target {blank:?}; name a team, role or on-call rota"
                ));
            }
            notify.insert(rank(level), targets.clone());
        }
        Ok(Resolved { levels, notify, confidence_step: step.to_owned(), confidence_output: output.to_owned() })
    }
}

/// general < important < major.
pub fn rank(level: EscalationLevel) -> u8 {
    match level {
        EscalationLevel::General => 0,
        EscalationLevel::Important => 1,
        EscalationLevel::Major => 2,
    }
}
