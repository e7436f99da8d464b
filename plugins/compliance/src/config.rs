//! The deployment's configuration; unknown keys are an error, and every default is the safe one.

use serde::Deserialize;

use crate::claims::RuleSet;
use crate::detect::Kind;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// What the next steps will do with the ticket; the customer must have consented to it.
    #[serde(default)]
    pub purpose: Purpose,
    /// Ticket extension fields the next steps may see; `None` keeps them all.
    #[serde(default)]
    pub allowed_fields: Option<Vec<String>>,
    /// Also clear each dropped field on the ticket (`set_field` to null; needs `effect.set-field`).
    #[serde(default)]
    pub clear_dropped_fields: bool,
    /// PII detectors to run; all by default, because a missed value leaks and a masked one does not.
    #[serde(default = "all_kinds")]
    pub detectors: Vec<Kind>,
    /// Claim rule sets that block a reply; both by default.
    #[serde(default = "all_rule_sets")]
    pub claim_rule_sets: Vec<RuleSet>,
    /// Whose conversation messages are replies to check for claims: what the business says, not
    /// what the customer writes.
    #[serde(default = "outbound_authors")]
    pub claim_authors: Vec<Author>,
    /// Ticket fields (`subject`, `body`) also checked for claims, for a step that drafts its
    /// reply there.
    #[serde(default)]
    pub claim_fields: Vec<TextField>,
    /// What the host writes over each redacted span.
    #[serde(default = "stars")]
    pub replacement: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    #[default]
    Service,
    Marketing,
    Analytics,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Service => "service",
            Purpose::Marketing => "marketing",
            Purpose::Analytics => "analytics",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    Customer,
    Agent,
    Bot,
    System,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextField {
    Subject,
    Body,
}

fn all_kinds() -> Vec<Kind> {
    Kind::ALL.to_vec()
}

fn all_rule_sets() -> Vec<RuleSet> {
    vec![RuleSet::Finance, RuleSet::Health]
}

fn outbound_authors() -> Vec<Author> {
    vec![Author::Agent, Author::Bot]
}

fn stars() -> String {
    "***".to_owned()
}
