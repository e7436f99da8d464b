//! The deployment's configuration: the policy table, caps, the approval threshold. Unknown keys
//! are an error: a misspelt cap must never mean "no cap".

use std::collections::BTreeMap;

use serde::Deserialize;
use weft_plugin::prelude::*;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `issue` (default): decide and issue a credit. `reverse`: the saga's compensation step,
    /// issuing the reversal the `issue` step declared (read from `issue_step`).
    pub mode: Mode,
    /// The step whose `reversal` output a `reverse` step issues.
    pub issue_step: String,
    /// ISO 4217 code of every amount in this config.
    pub currency: String,
    /// The policy table; the most specific matching row wins (README).
    pub policies: Vec<Policy>,
    /// Most one customer may receive per period, by tier (`free`, `standard`, `premium`, `vip`).
    /// Every tier must be listed: a forgotten tier must not mean "uncapped".
    pub customer_cap_cents: BTreeMap<String, i64>,
    /// The period the per-customer cap covers, in days. 30: a billing month.
    pub period_days: i64,
    /// Most one incident may give one customer, whatever the policy says.
    pub incident_cap_cents: i64,
    /// Credits above this need a human approval first.
    pub approval_above_cents: i64,
    /// Who may approve.
    pub approval_roles: Vec<String>,
    /// How long the approval waits, in ms. One day: compensation is not urgent, fairness is.
    pub approval_timeout_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Issue,
    Reverse,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mode: Mode::Issue,
            issue_step: "compensation".into(),
            currency: "CNY".into(),
            policies: Vec::new(),
            // Generous enough for a bad month, small enough that an abuse pattern is capped.
            customer_cap_cents: [("free", 2_000), ("standard", 10_000), ("premium", 30_000), ("vip", 100_000)]
                .into_iter()
                .map(|(tier, cents)| (tier.to_owned(), cents))
                .collect(),
            period_days: 30,
            incident_cap_cents: 50_000,
            approval_above_cents: 20_000,
            approval_roles: vec!["supervisor".into()],
            approval_timeout_ms: 24 * 60 * 60 * 1000,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Shown in reasons and outputs, so an operator finds the row.
    pub name: String,
    /// The ticket's `incident_type` field this row applies to; `*` for any.
    pub incident_type: String,
    /// Tiers this row applies to; empty for all.
    #[serde(default)]
    pub tiers: Vec<String>,
    pub impact: Impact,
    /// For `delay` and `outage`: the row applies from this many minutes on.
    #[serde(default)]
    pub min_minutes: i64,
    pub amount_cents: i64,
    #[serde(default)]
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    Delay,
    Outage,
    Defect,
}

impl Impact {
    pub fn parse(text: &str) -> Option<Impact> {
        match text {
            "delay" => Some(Impact::Delay),
            "outage" => Some(Impact::Outage),
            "defect" => Some(Impact::Defect),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Delay => "delay",
            Impact::Outage => "outage",
            Impact::Defect => "defect",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[default]
    AccountCredit,
    Voucher,
}

pub const TIERS: [&str; 4] = ["free", "standard", "premium", "vip"];

impl Config {
    /// Checks what the schema cannot express, naming the row or key and the fix.
    pub fn validate(&self) -> Result<(), StepError> {
        let invalid = |message: String| Err(StepError::invalid_config(message));
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return invalid(format!(
                "currency must be an ISO 4217 code such as CNY or EUR (it was {:?})",
                self.currency
            ));
        }
        if self.period_days < 1 {
            return invalid(format!("period_days must be at least 1 (it was {})", self.period_days));
        }
        for (name, value) in
            [("incident_cap_cents", self.incident_cap_cents), ("approval_above_cents", self.approval_above_cents)]
        {
            if value < 0 {
                return invalid(format!("{name} must be 0 or more (it was {value})"));
            }
        }
        for (tier, cap) in &self.customer_cap_cents {
            if !TIERS.contains(&tier.as_str()) {
                return invalid(format!(
                    "customer_cap_cents has an unknown tier `{tier}`; use free, standard, premium or vip"
                ));
            }
            if *cap < 0 {
                return invalid(format!("customer_cap_cents.{tier} must be 0 or more (it was {cap})"));
            }
        }
        if let Some(missing) = TIERS.iter().find(|tier| !self.customer_cap_cents.contains_key(**tier)) {
            return invalid(format!(
                "customer_cap_cents must list every tier (free, standard, premium, vip); `{missing}` is missing"
            ));
        }
        if self.approval_roles.iter().all(|role| role.trim().is_empty()) {
            return invalid("approval_roles must name at least one role, such as supervisor".into());
        }
        for (index, policy) in self.policies.iter().enumerate() {
            let at = format!("policies[{index}] ({})", policy.name);
            if policy.name.trim().is_empty() || policy.incident_type.trim().is_empty() {
                return invalid(format!("policies[{index}] needs a name and an incident_type (`*` for any)"));
            }
            if policy.amount_cents < 0 || policy.min_minutes < 0 {
                return invalid(format!("{at}: amount_cents and min_minutes must be 0 or more"));
            }
            if policy.impact == Impact::Defect && policy.min_minutes != 0 {
                return invalid(format!("{at}: a defect has no duration; remove min_minutes"));
            }
            if let Some(tier) = policy.tiers.iter().find(|tier| !TIERS.contains(&tier.as_str())) {
                return invalid(format!("{at}: unknown tier `{tier}`; use free, standard, premium or vip"));
            }
        }
        Ok(())
    }
}
