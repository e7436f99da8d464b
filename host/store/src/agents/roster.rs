//! Agents: create or replace, read, delete, and the two changes that happen all day (presence,
//! and a conversation starting or ending).

use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::model::{
    AgentRecord, AgentSpec, ChannelLoad, SkillLevel, check_agent, check_channel, check_if_match, check_presence,
};
use crate::entity::{agent, agent_queue};
use crate::error::is_unique_violation;
use crate::{Store, StoreError};

impl Store {
    /// Creates or replaces agent `id`, returning it and whether it was created. Its queues must
    /// exist. The last-assignment time survives a replace, so editing an agent's skills does not
    /// reset the round-robin order.
    pub async fn put_agent(
        &self,
        id: &str,
        spec: AgentSpec,
        updated_by: &str,
        if_match: Option<&str>,
    ) -> Result<(AgentRecord, bool), StoreError> {
        check_agent(id, &spec)?;
        let known: Vec<String> = agent_queue::Entity::find()
            .select_only()
            .column(agent_queue::Column::Id)
            .filter(agent_queue::Column::Id.is_in(spec.queues.clone()))
            .into_tuple()
            .all(&self.db)
            .await?;
        if let Some(queue) = spec.queues.iter().find(|queue| !known.contains(queue)) {
            return Err(StoreError::NotFound(format!(
                "agent {id} lists queue {queue}, which does not exist; create it first \
                 (`weft agent queue put {queue} --name ...`) or remove it from the agent"
            )));
        }
        let now = crate::now();
        let txn = self.db.begin().await?;
        let existing = agent::Entity::find_by_id(id.to_owned()).one(&txn).await?;
        check_if_match("agent", id, if_match, existing.as_ref().map(|row| row.updated_at))?;
        let row = agent::ActiveModel {
            id: Set(id.to_owned()),
            name: Set(spec.name),
            team: Set(spec.team),
            senior: Set(spec.senior),
            skills: Set(json(&spec.skills)?),
            languages: Set(json(&spec.languages)?),
            queues: Set(json(&spec.queues)?),
            presence: Set(spec.presence),
            load: Set(json(&spec.load)?),
            last_assigned_at: Set(existing.as_ref().and_then(|row| row.last_assigned_at)),
            updated_at: Set(now),
            updated_by: Set(updated_by.to_owned()),
        };
        let created = existing.is_none();
        let saved = match existing {
            Some(_) => row.update(&txn).await?,
            None => match row.insert(&txn).await {
                Ok(saved) => saved,
                Err(err) if is_unique_violation(&err) => {
                    return Err(StoreError::Conflict(format!(
                        "agent {id} was created by someone else at the same time; read it and retry"
                    )));
                }
                Err(err) => return Err(err.into()),
            },
        };
        txn.commit().await?;
        tracing::info!(agent = %id, presence = %saved.presence, updated_by, "agent saved");
        Ok((to_record(saved)?, created))
    }

    pub async fn get_agent(&self, id: &str) -> Result<Option<AgentRecord>, StoreError> {
        agent::Entity::find_by_id(id.to_owned()).one(&self.db).await?.map(to_record).transpose()
    }

    /// Every agent, by id.
    pub async fn list_agents(&self) -> Result<Vec<AgentRecord>, StoreError> {
        agent::Entity::find().order_by_asc(agent::Column::Id).all(&self.db).await?.into_iter().map(to_record).collect()
    }

    pub async fn delete_agent(&self, id: &str) -> Result<(), StoreError> {
        let deleted = agent::Entity::delete_by_id(id.to_owned()).exec(&self.db).await?.rows_affected;
        if deleted == 0 {
            return Err(not_found(id));
        }
        tracing::info!(agent = %id, "agent deleted");
        Ok(())
    }

    /// Sets an agent's presence (online, busy, away, offline).
    pub async fn set_agent_presence(&self, id: &str, presence: &str) -> Result<AgentRecord, StoreError> {
        check_presence(presence)?;
        self.change_agent(id, |row| {
            row.presence = presence.to_owned();
            Ok(())
        })
        .await
    }

    /// A conversation on `channel` was given to the agent: one more active, and now is the
    /// last-assignment time. Refused when the agent does not serve the channel.
    pub async fn record_assignment(&self, id: &str, channel: &str) -> Result<AgentRecord, StoreError> {
        check_channel(channel)?;
        let now = crate::now();
        self.change_agent(id, |row| {
            let mut load: Vec<ChannelLoad> = parse(&row.id, "load", row.load.clone())?;
            let entry = load.iter_mut().find(|l| l.channel == channel).ok_or_else(|| {
                StoreError::Invalid(format!(
                    "agent {} does not serve {channel}; add {channel} to the agent's load first",
                    row.id
                ))
            })?;
            entry.active = entry.active.saturating_add(1);
            row.load = json(&load)?;
            row.last_assigned_at = Some(now);
            Ok(())
        })
        .await
    }

    /// A conversation on `channel` ended: one fewer active (never below zero).
    pub async fn release_assignment(&self, id: &str, channel: &str) -> Result<AgentRecord, StoreError> {
        check_channel(channel)?;
        self.change_agent(id, |row| {
            let mut load: Vec<ChannelLoad> = parse(&row.id, "load", row.load.clone())?;
            if let Some(entry) = load.iter_mut().find(|l| l.channel == channel) {
                entry.active = entry.active.saturating_sub(1);
            }
            row.load = json(&load)?;
            Ok(())
        })
        .await
    }

    async fn change_agent(
        &self,
        id: &str,
        change: impl FnOnce(&mut agent::Model) -> Result<(), StoreError>,
    ) -> Result<AgentRecord, StoreError> {
        let txn = self.db.begin().await?;
        let mut row = agent::Entity::find_by_id(id.to_owned()).one(&txn).await?.ok_or_else(|| not_found(id))?;
        change(&mut row)?;
        row.updated_at = crate::now();
        let mut active = row.into_active_model();
        // `into_active_model` marks nothing as changed; these are the columns a change touches.
        for column in
            [agent::Column::Presence, agent::Column::Load, agent::Column::LastAssignedAt, agent::Column::UpdatedAt]
        {
            active.reset(column);
        }
        let saved = active.update(&txn).await?;
        txn.commit().await?;
        to_record(saved)
    }
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound(format!("agent {id} does not exist; see `weft agent list`"))
}

pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|err| StoreError::Internal(format!("serializing directory data: {err}")))
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    owner: &str,
    what: &str,
    value: serde_json::Value,
) -> Result<T, StoreError> {
    serde_json::from_value(value).map_err(|err| StoreError::Corrupt(format!("{owner}: {what} ({err})")))
}

pub(crate) fn to_record(row: agent::Model) -> Result<AgentRecord, StoreError> {
    let owner = format!("agent {}", row.id);
    let skills: Vec<SkillLevel> = parse(&owner, "skills", row.skills)?;
    Ok(AgentRecord {
        skills,
        languages: parse(&owner, "languages", row.languages)?,
        queues: parse(&owner, "queues", row.queues)?,
        load: parse(&owner, "load", row.load)?,
        id: row.id,
        name: row.name,
        team: row.team,
        senior: row.senior,
        presence: row.presence,
        last_assigned_at: row.last_assigned_at,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
    })
}
