//! Recorded step executions, read back for back-tests: what a plugin decided on which input.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::runs::AttemptRecord;
use crate::entity::{workflow_attempt, workflow_run};
use crate::{Store, StoreError};

/// A succeeded attempt with the run it belongs to.
#[derive(Clone, Debug)]
pub struct RecordedStep {
    pub run_id: String,
    pub workflow: String,
    pub version: i64,
    pub attempt: AttemptRecord,
}

impl Store {
    /// Succeeded attempts of any version of `plugin` since `since`, newest first, at most `limit`
    /// (of `workflow` only, if given).
    pub async fn recorded_steps(
        &self,
        plugin: &str,
        since: DateTime<Utc>,
        workflow: Option<&str>,
        limit: u64,
    ) -> Result<Vec<RecordedStep>, StoreError> {
        use workflow_attempt::Column as A;
        let attempts = workflow_attempt::Entity::find()
            .filter(A::Plugin.starts_with(format!("{plugin}@")))
            .filter(A::Status.eq("succeeded"))
            .filter(A::StartedAt.gte(since))
            .order_by_desc(A::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let run_ids: Vec<String> = attempts.iter().map(|a| a.run_id.clone()).collect();
        let runs: std::collections::HashMap<String, (String, i64)> = workflow_run::Entity::find()
            .select_only()
            .column(workflow_run::Column::Id)
            .column(workflow_run::Column::Workflow)
            .column(workflow_run::Column::Version)
            .filter(workflow_run::Column::Id.is_in(run_ids))
            .into_tuple::<(String, String, i64)>()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|(id, workflow, version)| (id, (workflow, version)))
            .collect();
        let mut recorded = Vec::with_capacity(attempts.len());
        for a in attempts {
            let Some((run_workflow, version)) = runs.get(&a.run_id).cloned() else { continue };
            if workflow.is_some_and(|w| w != run_workflow) {
                continue;
            }
            let run_id = a.run_id.clone();
            // Inputs and decisions are sealed under the customer's data key; an erased
            // customer's executions can no longer be replayed, which is the point of erasing.
            let attempt = match self.opened_attempt(a).await {
                Ok(attempt) => attempt,
                Err(StoreError::Unsealable(_)) => continue,
                Err(e) => return Err(e),
            };
            recorded.push(RecordedStep { run_id, workflow: run_workflow, version, attempt });
        }
        Ok(recorded)
    }
}
