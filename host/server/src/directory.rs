//! The agent directory as plugins see it: the host's `agent-query` becomes a store filter, and
//! the store's records become the contract's agents and queues.

use weft_runtime::model::{Agent, AgentQuery, ChannelLoad, Directory, Presence, Queue, Skill};
use weft_runtime::services::ServiceError;
use weft_store::{AgentRecord, DirectoryFilter, DirectorySnapshot, QueueRecord, SkillLevel};

pub fn filter_of(query: AgentQuery) -> DirectoryFilter {
    DirectoryFilter {
        queue: query.queue,
        language: query.language,
        channel: query.channel.and_then(|channel| name_of(&channel)),
        required_skills: query
            .required_skills
            .into_iter()
            .map(|s| SkillLevel { name: s.name, level: s.level })
            .collect(),
        include_offline: query.include_offline,
    }
}

/// A stored value the contract cannot express (a hand-edited row) is an unavailable directory,
/// naming the agent, rather than a silently dropped agent.
pub fn directory_of(snapshot: DirectorySnapshot) -> Result<Directory, ServiceError> {
    Ok(Directory {
        agents: snapshot.agents.into_iter().map(agent_of).collect::<Result<_, _>>()?,
        queues: snapshot.queues.into_iter().map(queue_of).collect(),
    })
}

fn agent_of(record: AgentRecord) -> Result<Agent, ServiceError> {
    let unreadable = |what: &str, value: &str| {
        ServiceError::Unavailable(format!(
            "agent {} has an unreadable {what} {value:?}; fix it with `weft agent put`",
            record.id
        ))
    };
    let presence: Presence = serde_json::from_value(serde_json::Value::String(record.presence.clone()))
        .map_err(|_| unreadable("presence", &record.presence))?;
    let mut load = Vec::with_capacity(record.load.len());
    for entry in &record.load {
        let channel = serde_json::from_value(serde_json::Value::String(entry.channel.clone()))
            .map_err(|_| unreadable("channel", &entry.channel))?;
        load.push(ChannelLoad { channel, capacity: entry.capacity, active: entry.active });
    }
    Ok(Agent {
        id: record.id,
        name: record.name,
        team: record.team,
        senior: record.senior,
        skills: record.skills.into_iter().map(skill_of).collect(),
        languages: record.languages,
        presence,
        load,
        // Routing breaks ties by the longest time since an agent was last given a conversation.
        idle_since: record.last_assigned_at.map(|at| at.timestamp_millis()),
    })
}

fn queue_of(record: QueueRecord) -> Queue {
    Queue {
        id: record.id,
        name: record.name,
        skills: record.skills.into_iter().map(skill_of).collect(),
        languages: record.languages,
    }
}

fn skill_of(skill: SkillLevel) -> Skill {
    Skill { name: skill.name, level: skill.level }
}

fn name_of<T: serde::Serialize>(value: &T) -> Option<String> {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned))
}
