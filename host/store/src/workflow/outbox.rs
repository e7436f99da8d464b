//! The effects outbox. A step's effects are written here with idempotency keys in the same
//! transaction as the step's attempt; applying one marks it applied in the same transaction as its
//! change to the case, so an effect lands exactly once however often a crash interrupts either.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::runs::outbox_slot;
use crate::entity::{case, credit, outbound_message, workflow_outbox};
use crate::pii::seal::{DataKey, Slot};
use crate::pii::{seal_json, seal_text};
use crate::{Store, StoreError};

pub(crate) fn case_slot(ticket_id: &str) -> Slot<'_> {
    Slot { table: "cases", row: ticket_id, field: "fields" }
}

pub(crate) fn credit_slot(key: &str) -> Slot<'_> {
    Slot { table: "credits", row: key, field: "reason" }
}

pub(crate) fn message_slot<'a>(key: &'a str, field: &'a str) -> Slot<'a> {
    Slot { table: "outbound_messages", row: key, field }
}

/// A change to a case record, as the engine derives it from a plugin's effect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CaseChange {
    Assign {
        queue: String,
        agent: Option<String>,
    },
    Tag {
        add: Vec<String>,
        remove: Vec<String>,
    },
    /// Escalation only ever rises: `general` < `important` < `major`.
    Escalate {
        level: String,
    },
    SetField {
        name: String,
        value: serde_json::Value,
    },
    Redact {
        field: String,
        spans: serde_json::Value,
        replacement: String,
    },
    Credit {
        customer: String,
        amount_cents: i64,
        currency: String,
        kind: String,
        reason: String,
        key: String,
        issued_at_ms: i64,
    },
    Notify {
        channel: String,
        to: String,
        subject: String,
        body: String,
    },
    /// Effects recorded on the case without changing it (e.g. an approval request).
    Note {
        effect: serde_json::Value,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutboxEntry {
    pub key: String,
    pub run_id: String,
    pub ticket_id: String,
    pub change: serde_json::Value,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
}

fn to_entry(m: workflow_outbox::Model) -> OutboxEntry {
    OutboxEntry {
        key: m.key,
        run_id: m.run_id,
        ticket_id: m.ticket_id,
        change: m.change,
        status: m.status,
        created_at: m.created_at,
        applied_at: m.applied_at,
    }
}

fn level_rank(level: &str) -> u8 {
    match level {
        "general" => 1,
        "important" => 2,
        "major" => 3,
        _ => 0,
    }
}

impl Store {
    pub(crate) async fn opened_entries(
        &self,
        rows: Vec<workflow_outbox::Model>,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut entry = to_entry(row);
            entry.change = self.open_json(&self.db, outbox_slot(&entry.key), entry.change).await?;
            out.push(entry);
        }
        Ok(out)
    }

    /// Pending entries, oldest first; `run_id` narrows to one run.
    pub async fn pending_outbox(&self, run_id: Option<&str>, limit: u64) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut query = workflow_outbox::Entity::find().filter(workflow_outbox::Column::Status.eq("pending"));
        if let Some(run) = run_id {
            query = query.filter(workflow_outbox::Column::RunId.eq(run));
        }
        let rows = query
            .order_by_asc(workflow_outbox::Column::CreatedAt)
            .order_by_asc(workflow_outbox::Column::Key)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.opened_entries(rows).await
    }

    pub async fn run_outbox(&self, run_id: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        let rows = workflow_outbox::Entity::find()
            .filter(workflow_outbox::Column::RunId.eq(run_id))
            .order_by_asc(workflow_outbox::Column::Key)
            .all(&self.db)
            .await?;
        self.opened_entries(rows).await
    }

    /// Applies one pending entry and marks it applied, atomically. `false` when it was already
    /// applied (by an earlier attempt or another worker).
    pub async fn apply_outbox(&self, key: &str) -> Result<bool, StoreError> {
        // Entries written before encryption carry no data key; their results go under the
        // tenant key, which must exist before the transaction starts (see `data_key_for`).
        let tenant = self.data_key_for(crate::pii::keyring::TENANT).await?;
        let txn = self.db.begin().await?;
        let now = crate::now();
        // Claim first: the UPDATE takes the write lock at once and only one claimant wins.
        let claimed = workflow_outbox::Entity::update_many()
            .col_expr(workflow_outbox::Column::Status, Expr::value("applied"))
            .col_expr(workflow_outbox::Column::AppliedAt, Expr::value(Some(now)))
            .filter(workflow_outbox::Column::Key.eq(key))
            .filter(workflow_outbox::Column::Status.eq("pending"))
            .exec(&txn)
            .await?
            .rows_affected;
        if claimed != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        let entry = workflow_outbox::Entity::find_by_id(key.to_owned())
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::Internal(format!("outbox entry {key} vanished inside its transaction")))?;
        // What the effect writes is sealed under the same data key as the effect itself: the
        // run's customer's.
        let (plain, dek) = self.open_json_keyed(&txn, outbox_slot(key), entry.change.clone()).await?;
        let dek = dek.unwrap_or(tenant);
        let change: CaseChange = serde_json::from_value(plain)
            .map_err(|e| StoreError::Corrupt(format!("outbox entry {key} is not a case change ({e})")))?;
        let event = crate::events::workflow::effect_event(&entry, &change);
        self.apply(&txn, &dek, &entry, change, now).await?;
        if let Some((kind, data)) = event {
            self.enqueue_event_in(&txn, kind, &data).await?;
        }
        txn.commit().await?;
        tracing::debug!(key, run = %entry.run_id, "effect applied");
        Ok(true)
    }
}

impl Store {
    async fn apply<C: ConnectionTrait>(
        &self,
        db: &C,
        dek: &DataKey,
        entry: &workflow_outbox::Model,
        change: CaseChange,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let existing = case::Entity::find_by_id(entry.ticket_id.clone()).one(db).await?;
        let mut row = existing.clone().unwrap_or(case::Model {
            ticket_id: entry.ticket_id.clone(),
            queue: None,
            agent: None,
            tags: serde_json::json!([]),
            escalation_level: None,
            fields: serde_json::json!({}),
            redactions: serde_json::json!([]),
            effects_applied: 0,
            updated_at: now,
        });
        match change {
            CaseChange::Assign { queue, agent } => {
                row.queue = Some(queue);
                row.agent = agent;
            }
            CaseChange::Tag { add, remove } => {
                let mut tags: Vec<String> = serde_json::from_value(row.tags.clone()).unwrap_or_default();
                tags.retain(|t| !remove.contains(t));
                for tag in add {
                    if !tags.contains(&tag) {
                        tags.push(tag);
                    }
                }
                row.tags = serde_json::json!(tags);
            }
            CaseChange::Escalate { level } => {
                if level_rank(&level) > row.escalation_level.as_deref().map_or(0, level_rank) {
                    row.escalation_level = Some(level);
                }
            }
            CaseChange::SetField { name, value } => {
                let slot = case_slot(&entry.ticket_id);
                let mut fields = self.open_json(db, slot, row.fields.clone()).await?;
                if let Some(object) = fields.as_object_mut() {
                    object.insert(name, value);
                }
                row.fields = seal_json(dek, slot, &fields)?;
            }
            CaseChange::Redact { field, spans, replacement } => {
                if let Some(list) = row.redactions.as_array_mut() {
                    list.push(serde_json::json!({"field": field, "spans": spans, "replacement": replacement}));
                }
            }
            CaseChange::Credit { customer, amount_cents, currency, kind, reason, key, issued_at_ms } => {
                // The plugin's key, per customer: the same credit decided by two runs is issued once.
                let row_key = format!("{customer}:{key}");
                let reason = seal_text(dek, credit_slot(&row_key), &reason)?;
                credit::Entity::insert(credit::ActiveModel {
                    key: Set(row_key),
                    customer: Set(customer),
                    amount_cents: Set(amount_cents),
                    currency: Set(currency),
                    kind: Set(kind),
                    reason: Set(reason),
                    run_id: Set(entry.run_id.clone()),
                    issued_at_ms: Set(issued_at_ms),
                })
                .on_conflict(OnConflict::column(credit::Column::Key).do_nothing().to_owned())
                .exec_without_returning(db)
                .await?;
            }
            CaseChange::Notify { channel, to, subject, body } => {
                let to = seal_text(dek, message_slot(&entry.key, "recipient"), &to)?;
                let subject = seal_text(dek, message_slot(&entry.key, "subject"), &subject)?;
                let body = seal_text(dek, message_slot(&entry.key, "body"), &body)?;
                outbound_message::Entity::insert(outbound_message::ActiveModel {
                    key: Set(entry.key.clone()),
                    run_id: Set(entry.run_id.clone()),
                    ticket_id: Set(entry.ticket_id.clone()),
                    channel: Set(channel),
                    recipient: Set(to),
                    subject: Set(subject),
                    body: Set(body),
                    status: Set("recorded".into()),
                    created_at: Set(now),
                })
                .on_conflict(OnConflict::column(outbound_message::Column::Key).do_nothing().to_owned())
                .exec_without_returning(db)
                .await?;
            }
            CaseChange::Note { .. } => {}
        }
        row.effects_applied += 1;
        row.updated_at = now;
        let active: case::ActiveModel = row.into();
        let active = active.reset_all();
        if existing.is_some() {
            active.update(db).await?;
        } else {
            active.insert(db).await?;
        }
        Ok(())
    }
}
