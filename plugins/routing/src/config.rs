//! The deployment's configuration: which queue each intent goes to, the skills it needs, and the
//! thresholds. Unknown keys are an error, so a typo such as `overflow_queu` fails the step
//! instead of silently routing everything to the default.

use std::collections::BTreeMap;

use serde::Deserialize;
use weft_plugin::prelude::*;

/// Skill levels run from 0 (none) to 10 (expert), as in the agent directory.
pub const MAX_SKILL_LEVEL: u8 = 10;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Queue and skills per intent (`billing`, `refund`, ..., as triage names them). An intent
    /// without a route goes to `default_queue` with no extra skills.
    pub routes: BTreeMap<String, Route>,
    /// Where tickets go whose intent has no route. "general": every team has one.
    pub default_queue: String,
    /// Where tickets go when no agent fits, with the reason. Must be a queue a person watches.
    pub overflow_queue: String,
    /// The step whose `intent` and `sentiment` outputs routing reads. "triage", as in the demo
    /// workflow.
    pub triage_step: String,
    /// Sentiment at or below this (triage's scale, -1 to 1) goes to senior agents only. -0.5 is
    /// one strong negative word with nothing positive (README).
    pub senior_at_or_below_sentiment: f64,
    /// After the ticket has waited this long (ms since `created_at`), optional skills stop being
    /// required. 120 000 (two minutes): a chat customer's patience for "finding the right person".
    pub relax_optional_after_ms: i64,
    /// Customers at or above this lifetime value count as high-value besides the premium and
    /// vip tiers. None: by tier only.
    pub high_value_lifetime_cents: Option<i64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            routes: BTreeMap::new(),
            default_queue: "general".into(),
            overflow_queue: "overflow".into(),
            triage_step: "triage".into(),
            senior_at_or_below_sentiment: -0.5,
            relax_optional_after_ms: 120_000,
            high_value_lifetime_cents: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The queue this intent goes to.
    pub queue: String,
    /// Skills an agent must have at the given level or above, besides the queue's own.
    #[serde(default)]
    pub required: BTreeMap<String, u8>,
    /// Skills preferred until `relax_optional_after_ms`, then dropped.
    #[serde(default)]
    pub optional: BTreeMap<String, u8>,
    /// This route's overflow queue, instead of the global one.
    #[serde(default)]
    pub overflow_queue: Option<String>,
}

impl Config {
    /// Checks what the schema cannot express, naming the key and the fix.
    pub fn validate(&self) -> Result<(), StepError> {
        let invalid = |message: String| Err(StepError::invalid_config(message));
        if self.default_queue.trim().is_empty() || self.overflow_queue.trim().is_empty() {
            return invalid("default_queue and overflow_queue must name queues; they may not be empty".into());
        }
        if !(self.senior_at_or_below_sentiment.is_finite() && (-1.0..=1.0).contains(&self.senior_at_or_below_sentiment))
        {
            return invalid(format!(
                "senior_at_or_below_sentiment must be between -1 and 1 (it was {}); the default is -0.5",
                self.senior_at_or_below_sentiment
            ));
        }
        if self.relax_optional_after_ms < 0 {
            return invalid(format!(
                "relax_optional_after_ms must be 0 or more (it was {}); the default is 120000",
                self.relax_optional_after_ms
            ));
        }
        for (intent, route) in &self.routes {
            if route.queue.trim().is_empty() {
                return invalid(format!("routes.{intent}.queue is empty; name the queue this intent goes to"));
            }
            for (kind, skills) in [("required", &route.required), ("optional", &route.optional)] {
                for (skill, level) in skills {
                    if *level > MAX_SKILL_LEVEL {
                        return invalid(format!(
                            "routes.{intent}.{kind}.{skill} is level {level}; skill levels run from 0 to {MAX_SKILL_LEVEL}"
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The route for `intent`: its own, else the default queue with no extra skills.
    pub fn route_for(&self, intent: &str) -> ResolvedRoute {
        match self.routes.get(intent) {
            Some(route) => ResolvedRoute {
                queue: route.queue.clone(),
                required: route.required.clone(),
                optional: route.optional.clone(),
                overflow_queue: route.overflow_queue.clone().unwrap_or_else(|| self.overflow_queue.clone()),
            },
            None => ResolvedRoute {
                queue: self.default_queue.clone(),
                required: BTreeMap::new(),
                optional: BTreeMap::new(),
                overflow_queue: self.overflow_queue.clone(),
            },
        }
    }
}

/// The route a ticket takes, with defaults filled in.
#[derive(Debug, Clone)]
pub struct ResolvedRoute {
    pub queue: String,
    pub required: BTreeMap<String, u8>,
    pub optional: BTreeMap<String, u8>,
    pub overflow_queue: String,
}
