//! Queues: create or replace, read, delete. A queue in use (by an agent, or as another queue's
//! overflow) cannot be deleted, so routing never points at a queue that vanished.

use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, TransactionTrait};

use super::model::{QueueRecord, QueueSpec, check_if_match, check_queue};
use super::roster::{json, parse};
use crate::entity::agent_queue;
use crate::error::is_unique_violation;
use crate::{Store, StoreError};

impl Store {
    /// Creates or replaces queue `id`, returning it and whether it was created. Its overflow
    /// queue must exist.
    pub async fn put_queue(
        &self,
        id: &str,
        spec: QueueSpec,
        updated_by: &str,
        if_match: Option<&str>,
    ) -> Result<(QueueRecord, bool), StoreError> {
        check_queue(id, &spec)?;
        if let Some(overflow) = &spec.overflow_queue
            && agent_queue::Entity::find_by_id(overflow.clone()).one(&self.db).await?.is_none()
        {
            return Err(StoreError::NotFound(format!(
                "queue {id} overflows into {overflow}, which does not exist; create {overflow} first"
            )));
        }
        let txn = self.db.begin().await?;
        let current = agent_queue::Entity::find_by_id(id.to_owned()).one(&txn).await?.map(|row| row.updated_at);
        check_if_match("queue", id, if_match, current)?;
        let exists = current.is_some();
        let row = agent_queue::ActiveModel {
            id: Set(id.to_owned()),
            name: Set(spec.name),
            skills: Set(json(&spec.skills)?),
            languages: Set(json(&spec.languages)?),
            overflow_queue: Set(spec.overflow_queue),
            updated_at: Set(crate::now()),
            updated_by: Set(updated_by.to_owned()),
        };
        let saved = if exists {
            row.update(&txn).await?
        } else {
            row.insert(&txn).await.map_err(|err| {
                if is_unique_violation(&err) {
                    StoreError::Conflict(format!("queue {id} was created by someone else at the same time; retry"))
                } else {
                    err.into()
                }
            })?
        };
        txn.commit().await?;
        tracing::info!(queue = %id, updated_by, "queue saved");
        Ok((to_record(saved)?, !exists))
    }

    pub async fn get_queue(&self, id: &str) -> Result<Option<QueueRecord>, StoreError> {
        agent_queue::Entity::find_by_id(id.to_owned()).one(&self.db).await?.map(to_record).transpose()
    }

    /// Every queue, by id.
    pub async fn list_queues(&self) -> Result<Vec<QueueRecord>, StoreError> {
        agent_queue::Entity::find()
            .order_by_asc(agent_queue::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_record)
            .collect()
    }

    /// Deletes a queue no agent serves and no queue overflows into.
    pub async fn delete_queue(&self, id: &str) -> Result<(), StoreError> {
        if self.get_queue(id).await?.is_none() {
            return Err(StoreError::NotFound(format!("queue {id} does not exist; see `weft agent queue list`")));
        }
        let members: Vec<String> =
            self.list_agents().await?.into_iter().filter(|a| a.queues.iter().any(|q| q == id)).map(|a| a.id).collect();
        if !members.is_empty() {
            return Err(StoreError::Conflict(format!(
                "queue {id} is served by {}; remove it from those agents first",
                members.join(", ")
            )));
        }
        let feeders: Vec<String> = self
            .list_queues()
            .await?
            .into_iter()
            .filter(|q| q.overflow_queue.as_deref() == Some(id))
            .map(|q| q.id)
            .collect();
        if !feeders.is_empty() {
            return Err(StoreError::Conflict(format!(
                "queue {id} is the overflow of {}; point them elsewhere first",
                feeders.join(", ")
            )));
        }
        agent_queue::Entity::delete_by_id(id.to_owned()).exec(&self.db).await?;
        tracing::info!(queue = %id, "queue deleted");
        Ok(())
    }
}

fn to_record(row: agent_queue::Model) -> Result<QueueRecord, StoreError> {
    let owner = format!("queue {}", row.id);
    Ok(QueueRecord {
        skills: parse(&owner, "skills", row.skills)?,
        languages: parse(&owner, "languages", row.languages)?,
        id: row.id,
        name: row.name,
        overflow_queue: row.overflow_queue,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
    })
}
