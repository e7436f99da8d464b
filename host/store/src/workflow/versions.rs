//! Immutable workflow versions: every deploy adds version n+1, nothing is ever overwritten.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Serialize;

use crate::entity::workflow_version;
use crate::error::is_unique_violation;
use crate::{Store, StoreError, validate};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkflowVersion {
    pub name: String,
    pub version: i64,
    pub webhook: String,
    pub source: String,
    /// Step id → "plugin@exact-version".
    pub pins: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

fn to_record(m: workflow_version::Model) -> WorkflowVersion {
    WorkflowVersion {
        name: m.name,
        version: m.version,
        webhook: m.webhook,
        source: m.source,
        pins: m.pins,
        created_at: m.created_at,
        created_by: m.created_by,
    }
}

impl Store {
    /// Stores the next version of `name`. A webhook path belongs to one workflow: another
    /// workflow claiming it is a conflict. Deploying the same source as the latest version is a
    /// no-op that returns it (`false`), so CI can deploy on every build.
    pub async fn put_workflow_version(
        &self,
        name: &str,
        webhook: &str,
        source: &str,
        pins: serde_json::Value,
        by: &str,
    ) -> Result<(WorkflowVersion, bool), StoreError> {
        validate::slug("workflow name", name)?;
        validate::slug("webhook path", webhook)?;
        validate::label("created_by", by, 128)?;
        for _ in 0..5 {
            let txn = self.db.begin().await?;
            let owner = workflow_version::Entity::find()
                .filter(workflow_version::Column::Webhook.eq(webhook))
                .filter(workflow_version::Column::Name.ne(name))
                .one(&txn)
                .await?;
            if let Some(owner) = owner {
                return Err(StoreError::Conflict(format!(
                    "the webhook path `{webhook}` already belongs to workflow `{}`; choose another \
                     `trigger.webhook`",
                    owner.name
                )));
            }
            let latest = workflow_version::Entity::find()
                .filter(workflow_version::Column::Name.eq(name))
                .order_by_desc(workflow_version::Column::Version)
                .one(&txn)
                .await?;
            if let Some(latest) = &latest
                && latest.source == source
                && latest.pins == pins
            {
                return Ok((to_record(latest.clone()), false));
            }
            let version = latest.map_or(1, |l| l.version + 1);
            let inserted = workflow_version::ActiveModel {
                name: Set(name.to_owned()),
                version: Set(version),
                webhook: Set(webhook.to_owned()),
                source: Set(source.to_owned()),
                pins: Set(pins.clone()),
                created_at: Set(crate::now()),
                created_by: Set(by.to_owned()),
            }
            .insert(&txn)
            .await;
            match inserted {
                Ok(row) => {
                    txn.commit().await?;
                    tracing::info!(workflow = name, version, by, "workflow version deployed");
                    return Ok((to_record(row), true));
                }
                // Two deploys raced for the same number: take the next one.
                Err(err) if is_unique_violation(&err) => continue,
                Err(err) => return Err(err.into()),
            }
        }
        Err(StoreError::Conflict(format!("workflow `{name}` is being deployed concurrently; retry")))
    }

    /// `version` or, when `None`, the latest.
    pub async fn get_workflow_version(
        &self,
        name: &str,
        version: Option<i64>,
    ) -> Result<Option<WorkflowVersion>, StoreError> {
        let mut query = workflow_version::Entity::find().filter(workflow_version::Column::Name.eq(name));
        if let Some(v) = version {
            query = query.filter(workflow_version::Column::Version.eq(v));
        }
        Ok(query.order_by_desc(workflow_version::Column::Version).one(&self.db).await?.map(to_record))
    }

    /// The latest version of the workflow that owns `webhook`.
    pub async fn workflow_for_webhook(&self, webhook: &str) -> Result<Option<WorkflowVersion>, StoreError> {
        let row = workflow_version::Entity::find()
            .filter(workflow_version::Column::Webhook.eq(webhook))
            .order_by_desc(workflow_version::Column::Version)
            .one(&self.db)
            .await?;
        Ok(row.map(to_record))
    }

    /// The latest version of every workflow, by name.
    pub async fn list_workflows(&self) -> Result<Vec<WorkflowVersion>, StoreError> {
        let rows = workflow_version::Entity::find()
            .order_by_asc(workflow_version::Column::Name)
            .order_by_desc(workflow_version::Column::Version)
            .all(&self.db)
            .await?;
        let mut out: Vec<WorkflowVersion> = Vec::new();
        for row in rows {
            if out.last().is_none_or(|l| l.name != row.name) {
                out.push(to_record(row));
            }
        }
        Ok(out)
    }
}
