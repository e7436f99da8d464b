use serde::{Deserialize, Serialize};

use super::Fields;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Chat,
    Phone,
    Web,
    Social,
    Api,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Free,
    #[default]
    Standard,
    Premium,
    Vip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub service: bool,
    #[serde(default)]
    pub marketing: bool,
    #[serde(default)]
    pub analytics: bool,
}

impl Default for Consent {
    /// A customer who wrote in has consented to being served, and to nothing more.
    fn default() -> Self {
        Self { service: true, marketing: false, analytics: false }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub tier: Tier,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub consent: Consent,
    #[serde(default)]
    pub lifetime_value_cents: i64,
    #[serde(default)]
    pub fields: Fields,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    Customer,
    Agent,
    Bot,
    System,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub author: AuthorKind,
    pub body: String,
    #[serde(default)]
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    pub id: String,
    pub channel: Channel,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub priority: Priority,
    #[serde(default)]
    pub tags: Vec<String>,
    pub customer: Customer,
    #[serde(default)]
    pub created_at: i64,
    #[serde(default)]
    pub conversation: Vec<Message>,
    #[serde(default)]
    pub incident: Option<String>,
    #[serde(default)]
    pub fields: Fields,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaStatus {
    pub due: i64,
    #[serde(default)]
    pub warned: bool,
    #[serde(default)]
    pub breached: bool,
}
