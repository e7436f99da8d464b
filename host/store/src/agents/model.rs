//! The directory's records and the rules every write is checked against. Each refusal names the
//! field, the value and the rule.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{StoreError, validate};

/// Skill levels run from 0 (none) to 10 (expert).
pub const MAX_SKILL_LEVEL: u8 = 10;
/// More simultaneous conversations than this on one channel is a typo, not a roster.
const MAX_CAPACITY: u32 = 100;
pub(crate) const CHANNELS: [&str; 6] = ["email", "chat", "phone", "web", "social", "api"];
pub(crate) const PRESENCES: [&str; 4] = ["online", "busy", "away", "offline"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillLevel {
    pub name: String,
    /// 0 (none) to 10 (expert).
    #[schema(maximum = 10)]
    pub level: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelLoad {
    /// email | chat | phone | web | social | api.
    pub channel: String,
    /// Conversations the agent can hold at once on this channel.
    pub capacity: u32,
    /// Conversations the agent holds now.
    #[serde(default)]
    pub active: u32,
}

/// An agent as an operator writes it (the id comes from the URL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentSpec {
    pub name: String,
    #[serde(default)]
    pub team: String,
    /// Senior agents take customers in a strongly negative mood.
    #[serde(default)]
    pub senior: bool,
    #[serde(default)]
    pub skills: Vec<SkillLevel>,
    /// BCP 47 tags, such as `zh-CN` or `en`.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Queue ids the agent serves; each must exist.
    #[serde(default)]
    pub queues: Vec<String>,
    /// online | busy | away | offline. Only online agents take new work.
    #[serde(default = "offline")]
    pub presence: String,
    /// Capacity and current load per channel; a channel not listed is not served.
    #[serde(default)]
    pub load: Vec<ChannelLoad>,
}

fn offline() -> String {
    "offline".into()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgentRecord {
    pub id: String,
    pub name: String,
    pub team: String,
    pub senior: bool,
    pub skills: Vec<SkillLevel>,
    pub languages: Vec<String>,
    pub queues: Vec<String>,
    pub presence: String,
    pub load: Vec<ChannelLoad>,
    /// When the agent was last given a conversation: routing's round-robin tie-break.
    pub last_assigned_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl AgentRecord {
    /// The entity tag of this state (`ETag`/`If-Match`): any change, also presence and load,
    /// gives a new one.
    pub fn etag(&self) -> String {
        etag(self.updated_at)
    }
}

impl QueueRecord {
    pub fn etag(&self) -> String {
        etag(self.updated_at)
    }
}

pub(crate) fn etag(updated_at: DateTime<Utc>) -> String {
    updated_at.timestamp_micros().to_string()
}

/// Refuses a write whose `If-Match` (an ETag from a read, or `*` for "must exist") no longer
/// matches what is stored.
pub(crate) fn check_if_match(
    what: &str,
    id: &str,
    if_match: Option<&str>,
    current: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    let Some(wanted) = if_match else { return Ok(()) };
    match current {
        None => Err(StoreError::Stale(format!(
            "{what} {id} does not exist, but If-Match asked for an existing one; drop If-Match to create it"
        ))),
        Some(_) if wanted == "*" => Ok(()),
        Some(at) if etag(at) == wanted => Ok(()),
        Some(at) => Err(StoreError::Stale(format!(
            "{what} {id} was changed since you read it (If-Match {wanted}, now {}); read it again, \
             re-apply your change and retry with the new ETag",
            etag(at)
        ))),
    }
}

/// A queue as an operator writes it (the id comes from the URL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    pub name: String,
    /// Skills every agent of the queue needs, at least at these levels.
    #[serde(default)]
    pub skills: Vec<SkillLevel>,
    /// Languages the queue serves; empty for any.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Where this queue's tickets go when nobody fits; must be another existing queue.
    #[serde(default)]
    pub overflow_queue: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QueueRecord {
    pub id: String,
    pub name: String,
    pub skills: Vec<SkillLevel>,
    pub languages: Vec<String>,
    pub overflow_queue: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

pub(crate) fn check_agent(id: &str, spec: &AgentSpec) -> Result<(), StoreError> {
    validate::slug("agent id", id)?;
    validate::label("agent name", &spec.name, 128)?;
    if !spec.team.is_empty() {
        validate::label("agent team", &spec.team, 64)?;
    }
    check_skills(&format!("agent {id}"), &spec.skills)?;
    check_languages(&format!("agent {id}"), &spec.languages)?;
    check_presence(&spec.presence)?;
    let mut queues = BTreeSet::new();
    for queue in &spec.queues {
        validate::slug("queue id", queue)?;
        if !queues.insert(queue) {
            return Err(StoreError::Invalid(format!("agent {id} lists queue {queue} twice")));
        }
    }
    let mut channels = BTreeSet::new();
    for load in &spec.load {
        check_channel(&load.channel)?;
        if !channels.insert(load.channel.as_str()) {
            return Err(StoreError::Invalid(format!(
                "agent {id} lists channel {} twice in load; give each channel one entry",
                load.channel
            )));
        }
        if load.capacity > MAX_CAPACITY {
            return Err(StoreError::Invalid(format!(
                "agent {id}: capacity {} on {} is above {MAX_CAPACITY}; capacity is conversations held at once",
                load.capacity, load.channel
            )));
        }
    }
    Ok(())
}

pub(crate) fn check_queue(id: &str, spec: &QueueSpec) -> Result<(), StoreError> {
    validate::slug("queue id", id)?;
    validate::label("queue name", &spec.name, 128)?;
    check_skills(&format!("queue {id}"), &spec.skills)?;
    check_languages(&format!("queue {id}"), &spec.languages)?;
    if let Some(overflow) = &spec.overflow_queue {
        validate::slug("overflow_queue", overflow)?;
        if overflow == id {
            return Err(StoreError::Invalid(format!(
                "queue {id} cannot overflow into itself; name another queue a person watches"
            )));
        }
    }
    Ok(())
}

fn check_skills(owner: &str, skills: &[SkillLevel]) -> Result<(), StoreError> {
    let mut seen = BTreeSet::new();
    for skill in skills {
        validate::token("skill name", &skill.name)?;
        if skill.name.len() > 64 {
            return Err(StoreError::Invalid(format!("{owner}: skill name {:?} is longer than 64 bytes", skill.name)));
        }
        if skill.level > MAX_SKILL_LEVEL {
            return Err(StoreError::Invalid(format!(
                "{owner}: skill {} has level {}; levels run from 0 (none) to {MAX_SKILL_LEVEL} (expert)",
                skill.name, skill.level
            )));
        }
        if !seen.insert(skill.name.as_str()) {
            return Err(StoreError::Invalid(format!("{owner} lists skill {} twice", skill.name)));
        }
    }
    Ok(())
}

fn check_languages(owner: &str, languages: &[String]) -> Result<(), StoreError> {
    for language in languages {
        let ok = !language.is_empty()
            && language.len() <= 35
            && language.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(StoreError::Invalid(format!(
                "{owner}: language {language:?} is not a BCP 47 tag; write it like en, zh-CN or pt-BR"
            )));
        }
    }
    Ok(())
}

pub(crate) fn check_presence(presence: &str) -> Result<(), StoreError> {
    if PRESENCES.contains(&presence) {
        return Ok(());
    }
    Err(StoreError::Invalid(format!("presence {presence:?} is not one of {}", PRESENCES.join(", "))))
}

pub(crate) fn check_channel(channel: &str) -> Result<(), StoreError> {
    if CHANNELS.contains(&channel) {
        return Ok(());
    }
    Err(StoreError::Invalid(format!("channel {channel:?} is not one of {}", CHANNELS.join(", "))))
}

/// The primary language subtag, lower-cased: `zh` for `zh-CN`.
pub(crate) fn primary_subtag(tag: &str) -> String {
    tag.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase()
}
