//! Durable SLA timers. A timer fires by committing its escalation attempt, effects and `fired`
//! mark in one transaction that first checks it is still armed, so a timer fires once however
//! often a crash interrupts the firing.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
use serde::Serialize;

use super::outbox::CaseChange;
use super::runs::{NewAttempt, record_attempt};
use crate::entity::workflow_timer;
use crate::{Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimerRecord {
    pub id: String,
    pub run_id: String,
    pub kind: String,
    pub status: String,
    pub due_ms: Option<i64>,
    pub left_ms: Option<i64>,
    pub fired_at: Option<DateTime<Utc>>,
}

fn to_record(m: workflow_timer::Model) -> TimerRecord {
    TimerRecord {
        id: m.id,
        run_id: m.run_id,
        kind: m.kind,
        status: m.status,
        due_ms: m.due_ms,
        left_ms: m.left_ms,
        fired_at: m.fired_at,
    }
}

impl Store {
    /// Armed timers due at or before `now_ms`, earliest first.
    pub async fn due_timers(&self, now_ms: i64, limit: u64) -> Result<Vec<TimerRecord>, StoreError> {
        Ok(workflow_timer::Entity::find()
            .filter(workflow_timer::Column::Status.eq("armed"))
            .filter(workflow_timer::Column::DueMs.lte(now_ms))
            .order_by_asc(workflow_timer::Column::DueMs)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_record)
            .collect())
    }

    /// When the next armed timer is due, if any.
    pub async fn next_timer_due(&self) -> Result<Option<i64>, StoreError> {
        let row = workflow_timer::Entity::find()
            .filter(workflow_timer::Column::Status.eq("armed"))
            .order_by_asc(workflow_timer::Column::DueMs)
            .one(&self.db)
            .await?;
        Ok(row.and_then(|r| r.due_ms))
    }

    pub async fn run_timers(&self, run_id: &str) -> Result<Vec<TimerRecord>, StoreError> {
        Ok(workflow_timer::Entity::find()
            .filter(workflow_timer::Column::RunId.eq(run_id))
            .order_by_asc(workflow_timer::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_record)
            .collect())
    }

    /// Moves a timer from `from` to `to` status with new due/left values; `false` if it was no
    /// longer in `from` (fired or changed meanwhile).
    pub async fn set_timer(
        &self,
        id: &str,
        from: &str,
        to: &str,
        due_ms: Option<i64>,
        left_ms: Option<i64>,
    ) -> Result<bool, StoreError> {
        let updated = workflow_timer::Entity::update_many()
            .col_expr(workflow_timer::Column::Status, Expr::value(to))
            .col_expr(workflow_timer::Column::DueMs, Expr::value(due_ms))
            .col_expr(workflow_timer::Column::LeftMs, Expr::value(left_ms))
            .filter(workflow_timer::Column::Id.eq(id))
            .filter(workflow_timer::Column::Status.eq(from))
            .exec(&self.db)
            .await?
            .rows_affected;
        Ok(updated == 1)
    }

    /// Fires an armed timer: records the escalation attempt and its effects and marks the timer
    /// `fired` (or `failed`), all or nothing. `false` when the timer was not armed any more.
    pub async fn fire_timer(
        &self,
        timer: &TimerRecord,
        ticket_id: &str,
        attempt: NewAttempt,
        outbox: Vec<(String, CaseChange)>,
        succeeded: bool,
    ) -> Result<bool, StoreError> {
        let now = crate::now();
        let dek = self.run_data_key(&timer.run_id).await?;
        let txn = self.db.begin().await?;
        let claimed = workflow_timer::Entity::update_many()
            .col_expr(workflow_timer::Column::Status, Expr::value(if succeeded { "fired" } else { "failed" }))
            .col_expr(workflow_timer::Column::FiredAt, Expr::value(Some(now)))
            .filter(workflow_timer::Column::Id.eq(&timer.id))
            .filter(workflow_timer::Column::Status.eq("armed"))
            .exec(&txn)
            .await?
            .rows_affected;
        if claimed != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        record_attempt(&txn, &dek, &timer.run_id, ticket_id, attempt, outbox, now).await?;
        txn.commit().await?;
        Ok(true)
    }
}
