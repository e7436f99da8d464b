//! The read routing plugins make (`agents.read`): agents matching a query, and every queue.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::model::{AgentRecord, QueueRecord, SkillLevel, primary_subtag};
use super::roster::to_record;
use crate::entity::agent;
use crate::{Store, StoreError};

/// The host's `agent-query`, in the store's terms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectoryFilter {
    /// Only agents serving this queue.
    pub queue: Option<String>,
    /// Only agents speaking this language, matched by primary subtag (`zh` matches `zh-CN`).
    pub language: Option<String>,
    /// Only agents with a load entry (capacity) for this channel.
    pub channel: Option<String>,
    /// Only agents with each skill at this level or above.
    pub required_skills: Vec<SkillLevel>,
    /// Offline agents too (planning, not live assignment).
    pub include_offline: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectorySnapshot {
    pub agents: Vec<AgentRecord>,
    pub queues: Vec<QueueRecord>,
}

impl Store {
    /// Agents matching `filter`, by id, and every queue.
    pub async fn directory(&self, filter: &DirectoryFilter) -> Result<DirectorySnapshot, StoreError> {
        let mut query = agent::Entity::find().order_by_asc(agent::Column::Id);
        if !filter.include_offline {
            query = query.filter(agent::Column::Presence.ne("offline"));
        }
        let language = filter.language.as_deref().map(primary_subtag).filter(|l| !l.is_empty());
        let mut agents = Vec::new();
        for row in query.all(&self.db).await? {
            let agent = to_record(row)?;
            let fits = filter.queue.as_ref().is_none_or(|q| agent.queues.contains(q))
                && language.as_ref().is_none_or(|l| agent.languages.iter().any(|s| primary_subtag(s) == *l))
                && filter.channel.as_ref().is_none_or(|c| agent.load.iter().any(|load| load.channel == *c))
                && filter
                    .required_skills
                    .iter()
                    .all(|need| agent.skills.iter().any(|have| have.name == need.name && have.level >= need.level));
            if fits {
                agents.push(agent);
            }
        }
        Ok(DirectorySnapshot { agents, queues: self.list_queues().await? })
    }
}
