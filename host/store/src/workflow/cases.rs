//! Reading what effects produced: the case record, credits, recorded outbound messages.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use super::outbox::{case_slot, credit_slot, message_slot};
use crate::entity::{case, credit, outbound_message};
use crate::{Store, StoreError};

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CaseRecord {
    pub ticket_id: String,
    pub queue: Option<String>,
    pub agent: Option<String>,
    pub tags: Vec<String>,
    pub escalation_level: Option<String>,
    pub fields: serde_json::Value,
    pub redactions: serde_json::Value,
    pub effects_applied: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CreditEntry {
    /// The plugin's own idempotency key (without the customer prefix).
    pub key: String,
    pub customer: String,
    pub amount_cents: i64,
    pub currency: String,
    pub kind: String,
    pub reason: String,
    pub run_id: String,
    pub issued_at_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MessageEntry {
    pub key: String,
    pub run_id: String,
    pub ticket_id: String,
    pub channel: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub status: String,
}

impl Store {
    pub async fn get_case(&self, ticket_id: &str) -> Result<Option<CaseRecord>, StoreError> {
        let row = case::Entity::find_by_id(ticket_id.to_owned()).one(&self.db).await?;
        match row {
            Some(m) => Ok(Some(self.opened_case(m).await?)),
            None => Ok(None),
        }
    }

    pub(crate) async fn opened_case(&self, m: case::Model) -> Result<CaseRecord, StoreError> {
        let fields = self.open_json(&self.db, case_slot(&m.ticket_id), m.fields).await?;
        Ok(CaseRecord {
            tags: serde_json::from_value(m.tags).unwrap_or_default(),
            ticket_id: m.ticket_id,
            queue: m.queue,
            agent: m.agent,
            escalation_level: m.escalation_level,
            fields,
            redactions: m.redactions,
            effects_applied: m.effects_applied,
        })
    }

    pub(crate) async fn opened_credit(&self, m: credit::Model) -> Result<CreditEntry, StoreError> {
        let reason = self.open_text(&self.db, credit_slot(&m.key), m.reason).await?;
        Ok(CreditEntry {
            key: m.key.strip_prefix(&format!("{}:", m.customer)).unwrap_or(&m.key).to_owned(),
            customer: m.customer,
            amount_cents: m.amount_cents,
            currency: m.currency,
            kind: m.kind,
            reason,
            run_id: m.run_id,
            issued_at_ms: m.issued_at_ms,
        })
    }

    pub(crate) async fn opened_message(&self, m: outbound_message::Model) -> Result<MessageEntry, StoreError> {
        let to = self.open_text(&self.db, message_slot(&m.key, "recipient"), m.recipient).await?;
        let subject = self.open_text(&self.db, message_slot(&m.key, "subject"), m.subject).await?;
        let body = self.open_text(&self.db, message_slot(&m.key, "body"), m.body).await?;
        Ok(MessageEntry {
            key: m.key,
            run_id: m.run_id,
            ticket_id: m.ticket_id,
            channel: m.channel,
            to,
            subject,
            body,
            status: m.status,
        })
    }

    /// Credits issued to `customer` at or after `since_ms`, oldest first.
    pub async fn credit_history(&self, customer: &str, since_ms: i64) -> Result<Vec<CreditEntry>, StoreError> {
        let rows = credit::Entity::find()
            .filter(credit::Column::Customer.eq(customer))
            .filter(credit::Column::IssuedAtMs.gte(since_ms))
            .order_by_asc(credit::Column::IssuedAtMs)
            .all(&self.db)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.opened_credit(row).await?);
        }
        Ok(out)
    }

    pub async fn run_messages(&self, run_id: &str) -> Result<Vec<MessageEntry>, StoreError> {
        let rows = outbound_message::Entity::find()
            .filter(outbound_message::Column::RunId.eq(run_id))
            .order_by_asc(outbound_message::Column::Key)
            .all(&self.db)
            .await?;
        self.opened_messages(rows).await
    }

    pub(crate) async fn opened_messages(
        &self,
        rows: Vec<outbound_message::Model>,
    ) -> Result<Vec<MessageEntry>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.opened_message(row).await?);
        }
        Ok(out)
    }
}
