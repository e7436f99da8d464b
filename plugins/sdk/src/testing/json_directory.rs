//! The host's JSON model of the agent directory and credit history, for fixtures' `host` section
//! (`"directory": {"agents": [...], "queues": [...]}`, `"credits": {"C-1": [...]}`). Defaults
//! match the host's model (host/runtime/src/model/directory.rs), so one fixture file means the
//! same natively and under `weft plugin test`.

use serde::Deserialize;

use super::json_model::JsonChannel;
use crate::{Agent, ChannelLoad, CreditRecord, Directory, Presence, Queue, Skill};

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum JsonPresence {
    Online,
    Busy,
    Away,
    Offline,
}

impl From<JsonPresence> for Presence {
    fn from(value: JsonPresence) -> Self {
        match value {
            JsonPresence::Online => Presence::Online,
            JsonPresence::Busy => Presence::Busy,
            JsonPresence::Away => Presence::Away,
            JsonPresence::Offline => Presence::Offline,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct JsonDirectory {
    agents: Vec<JsonAgent>,
    queues: Vec<JsonQueue>,
}

impl From<JsonDirectory> for Directory {
    fn from(value: JsonDirectory) -> Self {
        Directory {
            agents: value.agents.into_iter().map(Into::into).collect(),
            queues: value.queues.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonSkill {
    name: String,
    level: u8,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonChannelLoad {
    channel: JsonChannel,
    capacity: u32,
    #[serde(default)]
    active: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonAgent {
    id: String,
    name: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    senior: bool,
    #[serde(default)]
    skills: Vec<JsonSkill>,
    #[serde(default)]
    languages: Vec<String>,
    presence: JsonPresence,
    #[serde(default)]
    load: Vec<JsonChannelLoad>,
    #[serde(default)]
    idle_since: Option<i64>,
}

impl From<JsonAgent> for Agent {
    fn from(value: JsonAgent) -> Self {
        Agent {
            id: value.id,
            name: value.name,
            team: value.team,
            senior: value.senior,
            skills: value.skills.into_iter().map(skill).collect(),
            languages: value.languages,
            presence: value.presence.into(),
            load: value
                .load
                .into_iter()
                .map(|load| ChannelLoad { channel: load.channel.into(), capacity: load.capacity, active: load.active })
                .collect(),
            idle_since: value.idle_since,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonQueue {
    id: String,
    name: String,
    #[serde(default)]
    skills: Vec<JsonSkill>,
    #[serde(default)]
    languages: Vec<String>,
}

impl From<JsonQueue> for Queue {
    fn from(value: JsonQueue) -> Self {
        Queue {
            id: value.id,
            name: value.name,
            skills: value.skills.into_iter().map(skill).collect(),
            languages: value.languages,
        }
    }
}

fn skill(value: JsonSkill) -> Skill {
    Skill { name: value.name, level: value.level }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct JsonCreditRecord {
    key: String,
    amount_cents: i64,
    currency: String,
    issued_at: i64,
    reason: String,
}

impl From<JsonCreditRecord> for CreditRecord {
    fn from(value: JsonCreditRecord) -> Self {
        CreditRecord {
            key: value.key,
            amount_cents: value.amount_cents,
            currency: value.currency,
            issued_at: value.issued_at,
            reason: value.reason,
        }
    }
}
