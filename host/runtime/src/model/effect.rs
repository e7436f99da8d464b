use serde::{Deserialize, Serialize};

use crate::capability::Capability;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub queue: String,
    #[serde(default)]
    pub agent: Option<String>,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationLevel {
    General,
    Important,
    Major,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    pub level: EscalationLevel,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub notify: Vec<String>,
    #[serde(default)]
    pub summary: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyChannel {
    Email,
    Sms,
    Chat,
    Webhook,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    pub channel: NotifyChannel,
    pub to: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditKind {
    AccountCredit,
    Voucher,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credit {
    pub customer: String,
    pub amount_cents: i64,
    pub currency: String,
    pub kind: CreditKind,
    #[serde(default)]
    pub reason: String,
    pub key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redaction {
    pub field: String,
    pub spans: Vec<Span>,
    #[serde(default = "default_replacement")]
    pub replacement: String,
}

// Defaults match the SDK's builders, so a fixture means the same natively and on the host.
fn default_replacement() -> String {
    "***".into()
}

fn default_quorum() -> u32 {
    1
}

fn default_timeout_ms() -> u64 {
    3_600_000
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagChange {
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRequest {
    pub roles: Vec<String>,
    #[serde(default = "default_quorum")]
    pub quorum: u32,
    #[serde(default)]
    pub reason: String,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Effect {
    Assign(Assignment),
    Escalate(Escalation),
    Notify(Notification),
    Credit(Credit),
    Redact(Redaction),
    Tag(TagChange),
    RequestApproval(ApprovalRequest),
    SetField { name: String, value: serde_json::Value },
}

impl Effect {
    /// The capability a deployment needs for the host to apply this effect.
    pub fn capability(&self) -> Capability {
        match self {
            Effect::Assign(_) => Capability::EffectAssign,
            Effect::Escalate(_) => Capability::EffectEscalate,
            Effect::Notify(_) => Capability::EffectNotify,
            Effect::Credit(_) => Capability::EffectCredit,
            Effect::Redact(_) => Capability::EffectRedact,
            Effect::Tag(_) => Capability::EffectTag,
            Effect::RequestApproval(_) => Capability::EffectRequestApproval,
            Effect::SetField { .. } => Capability::EffectSetField,
        }
    }
}
