//! Types for the capability-gated reads: agent directory, knowledge-base search, credit history.
use serde::{Deserialize, Serialize};

use super::Channel;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skill {
    pub name: String,
    pub level: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Online,
    Busy,
    Away,
    Offline,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelLoad {
    pub channel: Channel,
    pub capacity: u32,
    #[serde(default)]
    pub active: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agent {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub senior: bool,
    #[serde(default)]
    pub skills: Vec<Skill>,
    #[serde(default)]
    pub languages: Vec<String>,
    pub presence: Presence,
    #[serde(default)]
    pub load: Vec<ChannelLoad>,
    #[serde(default)]
    pub idle_since: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Queue {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub skills: Vec<Skill>,
    #[serde(default)]
    pub languages: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentQuery {
    pub queue: Option<String>,
    pub language: Option<String>,
    pub channel: Option<Channel>,
    pub required_skills: Vec<Skill>,
    pub include_offline: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub agents: Vec<Agent>,
    pub queues: Vec<Queue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbQuery {
    pub text: String,
    pub space: Option<String>,
    pub tags: Vec<String>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbHit {
    pub article: String,
    pub version: u32,
    pub title: String,
    pub snippet: String,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditRecord {
    pub key: String,
    pub amount_cents: i64,
    pub currency: String,
    pub issued_at: i64,
    pub reason: String,
}
