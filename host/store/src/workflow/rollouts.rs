//! Rollouts: a candidate plugin version on one workflow step, as a canary (a sticky share of
//! tickets runs the candidate for real) or a shadow (the candidate runs beside the stable version
//! on the same input; its decision is recorded and compared, never applied). At most one rollout
//! per step is active; ending it is the instant rollback.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use crate::entity::{rollout_observation, workflow_rollout};
use crate::error::is_unique_violation;
use crate::identity::secrets;
use crate::pii::seal::Slot;
use crate::pii::seal_json;
use crate::{Store, StoreError, now};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RolloutMode {
    /// `percent` of tickets (sticky by hash) run the candidate; its effects are applied.
    Canary,
    /// Every ticket also runs the candidate; its decision is recorded and diffed, never applied.
    Shadow,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StickyBy {
    Ticket,
    Customer,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollout {
    pub id: String,
    pub workflow: String,
    pub step: String,
    /// `plugin@version`.
    pub candidate: String,
    pub mode: RolloutMode,
    pub percent: u8,
    pub sticky_by: StickyBy,
    /// `active` or `rolled-back`.
    pub status: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub ended_by: Option<String>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl Rollout {
    pub fn is_active(&self) -> bool {
        self.status == ACTIVE
    }
}

#[derive(Clone, Debug)]
pub struct NewRollout {
    pub workflow: String,
    pub step: String,
    pub candidate: String,
    pub mode: RolloutMode,
    pub percent: u8,
    pub sticky_by: StickyBy,
    pub created_by: String,
}

/// One step execution a rollout saw.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub rollout_id: String,
    pub run_id: String,
    pub ticket_id: String,
    /// `stable`, `candidate` or `shadow`.
    pub arm: String,
    pub status: String,
    pub decision: Option<serde_json::Value>,
    pub candidate: Option<serde_json::Value>,
    pub error: Option<serde_json::Value>,
    /// Differing field paths; empty when the decisions agreed (or for a canary).
    pub fields: Vec<String>,
    #[serde(default)]
    pub observed_at: Option<DateTime<Utc>>,
}

/// Succeeded and failed executions of one arm.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArmCounts {
    pub succeeded: u64,
    pub failed: u64,
}

/// What a rollout has seen so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RolloutSummary {
    pub observed: u64,
    /// Per arm (`stable`, `candidate`, `shadow`).
    pub arms: BTreeMap<String, ArmCounts>,
    /// Shadow decisions that differed from the applied ones.
    pub differed: u64,
    /// How often each field differed.
    pub fields: BTreeMap<String, u64>,
    /// The newest differing (or failing) observations.
    pub samples: Vec<Observation>,
}

const ACTIVE: &str = "active";
const ROLLED_BACK: &str = "rolled-back";
/// Per-field counts read the `fields` of at most this many newest differing observations, so a
/// summary stays cheap on a rollout that has run for weeks.
const FIELD_COUNT_WINDOW: u64 = 10_000;

impl Store {
    /// Starts a rollout; only one may be active per workflow step.
    pub async fn create_rollout(&self, new: NewRollout) -> Result<Rollout, StoreError> {
        if new.percent > 100 {
            return Err(StoreError::Invalid(format!("percent must be 0..=100, not {}", new.percent)));
        }
        let id = format!("ro_{}", hex::encode(secrets::random_bytes::<8>()?));
        let row = workflow_rollout::ActiveModel {
            id: Set(id),
            workflow: Set(new.workflow.clone()),
            step: Set(new.step.clone()),
            candidate: Set(new.candidate),
            mode: Set(mode_str(new.mode).to_owned()),
            percent: Set(i32::from(new.percent)),
            sticky_by: Set(sticky_str(new.sticky_by).to_owned()),
            status: Set(ACTIVE.to_owned()),
            active_key: Set(Some(format!("{}/{}", new.workflow, new.step))),
            created_by: Set(new.created_by),
            created_at: Set(now()),
            ended_by: Set(None),
            ended_at: Set(None),
        };
        match row.insert(&self.db).await {
            Ok(row) => to_rollout(row),
            Err(err) if is_unique_violation(&err) => {
                let current = self.active_rollouts().await?;
                let other = current.iter().find(|r| r.workflow == new.workflow && r.step == new.step);
                Err(StoreError::Conflict(format!(
                    "step `{}` of workflow `{}` already has an active rollout{}; roll it back first",
                    new.step,
                    new.workflow,
                    other.map(|r| format!(" ({}, {})", r.id, r.candidate)).unwrap_or_default()
                )))
            }
            Err(err) => Err(err.into()),
        }
    }

    pub async fn get_rollout(&self, id: &str) -> Result<Option<Rollout>, StoreError> {
        workflow_rollout::Entity::find_by_id(id.to_owned()).one(&self.db).await?.map(to_rollout).transpose()
    }

    /// Every rollout (of `workflow`, if given), newest first.
    pub async fn rollouts(&self, workflow: Option<&str>) -> Result<Vec<Rollout>, StoreError> {
        let mut query = workflow_rollout::Entity::find();
        if let Some(workflow) = workflow {
            query = query.filter(workflow_rollout::Column::Workflow.eq(workflow));
        }
        let rows = query.order_by_desc(workflow_rollout::Column::CreatedAt).all(&self.db).await?;
        rows.into_iter().map(to_rollout).collect()
    }

    pub async fn active_rollouts(&self) -> Result<Vec<Rollout>, StoreError> {
        let rows =
            workflow_rollout::Entity::find().filter(workflow_rollout::Column::Status.eq(ACTIVE)).all(&self.db).await?;
        rows.into_iter().map(to_rollout).collect()
    }

    /// Changes an active canary's share of tickets.
    pub async fn set_rollout_percent(&self, id: &str, percent: u8) -> Result<Rollout, StoreError> {
        if percent > 100 {
            return Err(StoreError::Invalid(format!("percent must be 0..=100, not {percent}")));
        }
        let update = workflow_rollout::Entity::update_many()
            .col_expr(workflow_rollout::Column::Percent, Expr::value(i32::from(percent)));
        self.update_active(id, update).await
    }

    /// Ends an active rollout: from now on every execution of the step uses the stable version.
    pub async fn end_rollout(&self, id: &str, by: &str) -> Result<Rollout, StoreError> {
        use workflow_rollout::Column as C;
        let update = workflow_rollout::Entity::update_many()
            .col_expr(C::Status, Expr::value(ROLLED_BACK))
            .col_expr(C::ActiveKey, Expr::value(Option::<String>::None))
            .col_expr(C::EndedBy, Expr::value(by))
            .col_expr(C::EndedAt, Expr::value(now()));
        self.update_active(id, update).await
    }

    /// Applies `update` to rollout `id` only while it is active, in one statement, so two racing
    /// rollbacks cannot both succeed (and both be audited).
    async fn update_active(
        &self,
        id: &str,
        update: sea_orm::UpdateMany<workflow_rollout::Entity>,
    ) -> Result<Rollout, StoreError> {
        use workflow_rollout::Column as C;
        let changed = update.filter(C::Id.eq(id)).filter(C::Status.eq(ACTIVE)).exec(&self.db).await?.rows_affected;
        let row = workflow_rollout::Entity::find_by_id(id.to_owned()).one(&self.db).await?.ok_or_else(|| {
            StoreError::NotFound(format!("rollout {id} does not exist; list them with GET /v1/rollouts"))
        })?;
        if changed == 0 {
            return Err(StoreError::Conflict(format!(
                "rollout {id} was already rolled back{}; start a new one to try the candidate again",
                row.ended_by.as_deref().map(|b| format!(" by {b}")).unwrap_or_default()
            )));
        }
        to_rollout(row)
    }

    /// Records one observation. Decisions carry customer content, so they are sealed under the
    /// run's customer's data key like the run's own attempts (and erased with them).
    pub async fn observe_rollout(&self, o: Observation) -> Result<(), StoreError> {
        let dek = self.run_data_key(&o.run_id).await?;
        let row = observation_row(&o.rollout_id, &o.run_id, &o.arm);
        let seal = |field: &'static str, value: Option<serde_json::Value>| {
            value.map(|v| seal_json(&dek, observation_slot(&row, field), &v)).transpose()
        };
        let (decision, candidate, error) =
            (seal("decision", o.decision)?, seal("candidate", o.candidate)?, seal("error", o.error)?);
        rollout_observation::ActiveModel {
            id: Default::default(),
            rollout_id: Set(o.rollout_id),
            run_id: Set(o.run_id),
            ticket_id: Set(o.ticket_id),
            arm: Set(o.arm),
            status: Set(o.status),
            decision: Set(decision),
            candidate: Set(candidate),
            error: Set(error),
            differed: Set(!o.fields.is_empty()),
            fields: Set(serde_json::json!(o.fields)),
            observed_at: Set(now()),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Counts per arm, how many shadow decisions differed and on which fields, and `samples` of
    /// the newest differing or failing observations.
    pub async fn rollout_summary(&self, id: &str, samples: u64) -> Result<RolloutSummary, StoreError> {
        use rollout_observation::Column as C;
        let mut summary = RolloutSummary::default();
        let counts: Vec<(String, String, bool, i64)> = rollout_observation::Entity::find()
            .select_only()
            .column(C::Arm)
            .column(C::Status)
            .column(C::Differed)
            .column_as(C::Id.count(), "n")
            .filter(C::RolloutId.eq(id))
            .group_by(C::Arm)
            .group_by(C::Status)
            .group_by(C::Differed)
            .into_tuple()
            .all(&self.db)
            .await?;
        for (arm, status, differed, n) in counts {
            let n = u64::try_from(n).unwrap_or(0);
            summary.observed += n;
            let entry = summary.arms.entry(arm).or_default();
            if status == "succeeded" {
                entry.succeeded += n;
            } else {
                entry.failed += n;
            }
            if differed {
                summary.differed += n;
            }
        }
        let differing: Vec<serde_json::Value> = rollout_observation::Entity::find()
            .select_only()
            .column(C::Fields)
            .filter(C::RolloutId.eq(id))
            .filter(C::Differed.eq(true))
            .order_by_desc(C::Id)
            .limit(FIELD_COUNT_WINDOW)
            .into_tuple()
            .all(&self.db)
            .await?;
        for fields in differing {
            for field in fields.as_array().into_iter().flatten().filter_map(|f| f.as_str()) {
                *summary.fields.entry(field.to_owned()).or_default() += 1;
            }
        }
        let rows = rollout_observation::Entity::find()
            .filter(C::RolloutId.eq(id))
            .filter(Condition::any().add(C::Differed.eq(true)).add(C::Status.ne("succeeded")))
            .order_by_desc(C::Id)
            .limit(samples)
            .all(&self.db)
            .await?;
        for row in rows {
            summary.samples.push(self.opened_observation(row).await?);
        }
        Ok(summary)
    }
}

fn mode_str(mode: RolloutMode) -> &'static str {
    match mode {
        RolloutMode::Canary => "canary",
        RolloutMode::Shadow => "shadow",
    }
}

fn sticky_str(sticky: StickyBy) -> &'static str {
    match sticky {
        StickyBy::Ticket => "ticket",
        StickyBy::Customer => "customer",
    }
}

fn to_rollout(row: workflow_rollout::Model) -> Result<Rollout, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("rollout {}: unknown {what}", row.id));
    let mode = match row.mode.as_str() {
        "canary" => RolloutMode::Canary,
        "shadow" => RolloutMode::Shadow,
        _ => return Err(corrupt("mode")),
    };
    let sticky_by = match row.sticky_by.as_str() {
        "ticket" => StickyBy::Ticket,
        "customer" => StickyBy::Customer,
        _ => return Err(corrupt("sticky_by")),
    };
    Ok(Rollout {
        percent: u8::try_from(row.percent).map_err(|_| corrupt("percent"))?,
        id: row.id,
        workflow: row.workflow,
        step: row.step,
        candidate: row.candidate,
        mode,
        sticky_by,
        status: row.status,
        created_by: row.created_by,
        created_at: row.created_at,
        ended_by: row.ended_by,
        ended_at: row.ended_at,
    })
}

fn observation_row(rollout: &str, run: &str, arm: &str) -> String {
    format!("{rollout}/{run}/{arm}")
}

fn observation_slot<'a>(row: &'a str, field: &'a str) -> Slot<'a> {
    Slot { table: "rollout_observations", row, field }
}

impl Store {
    async fn opened_observation(&self, row: rollout_observation::Model) -> Result<Observation, StoreError> {
        let name = observation_row(&row.rollout_id, &row.run_id, &row.arm);
        Ok(Observation {
            decision: self.open_json_opt(&self.db, observation_slot(&name, "decision"), row.decision).await?,
            candidate: self.open_json_opt(&self.db, observation_slot(&name, "candidate"), row.candidate).await?,
            error: self.open_json_opt(&self.db, observation_slot(&name, "error"), row.error).await?,
            rollout_id: row.rollout_id,
            run_id: row.run_id,
            ticket_id: row.ticket_id,
            arm: row.arm,
            status: row.status,
            fields: serde_json::from_value(row.fields).unwrap_or_default(),
            observed_at: Some(row.observed_at),
        })
    }
}
