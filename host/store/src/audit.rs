//! The audit log: who did what to which thing, append-only and hash-chained. Each entry's hash
//! covers its own fields and the previous entry's hash, so editing, deleting or inserting a row
//! anywhere breaks the chain from that point on, and [`Store::audit_verify`] says where.
//!
//! The chain proves the log was not rewritten, not that it was not cut short: dropping the newest
//! entries leaves a shorter chain that still verifies. Operators who need that guarantee record
//! the head hash that `weft audit verify` prints somewhere the database's owner cannot write.

mod chain;
mod verify;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use serde::{Deserialize, Serialize};

pub use verify::AuditVerification;

use self::chain::{GENESIS, Link};
use crate::entity::audit_entry;
use crate::error::is_unique_violation;
use crate::{Store, StoreError, validate};

/// How often an append re-reads the head after losing a race. Each round has a winner, so this
/// bounds the wait only when more than this many writers append at the same instant.
const MAX_APPEND_ATTEMPTS: u32 = 64;

/// The most entries one call to [`Store::audit_entries`] returns; page on with `after_seq`.
pub const MAX_AUDIT_PAGE: u64 = 1000;

/// Something that happened, as the caller reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    /// Who did it: a username, or `cli:<os user>` for bootstrap commands run on the data directory.
    pub actor: String,
    /// What was done, as `noun.verb`, e.g. `plugin.publish`.
    pub action: String,
    /// What it was done to, e.g. `router@0.1.0` or a deployment name.
    pub target: String,
    /// Anything else worth keeping (digest, grants, revision...). Never secrets.
    pub details: serde_json::Value,
}

/// An entry as stored: the event plus its place in the chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1 for the first entry, +1 for each one after.
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: serde_json::Value,
    /// The previous entry's `hash`; 64 zeros for the first entry.
    pub prev_hash: String,
    /// Lowercase hex SHA-256 over all the fields above.
    pub hash: String,
}

impl Store {
    /// Appends an event to the log and returns the entry it became.
    ///
    /// Concurrent appends are serialized: each reads the head and inserts after it in one
    /// transaction, and a writer that loses the race (the unique indexes on `seq` and `prev_hash`
    /// refuse its insert) starts again from the new head.
    pub async fn audit(&self, event: AuditEvent) -> Result<AuditEntry, StoreError> {
        validate::label("audit actor", &event.actor, 128)?;
        validate::token("audit action", &event.action)?;
        validate::label("audit target", &event.target, 256)?;

        for attempt in 1..=MAX_APPEND_ATTEMPTS {
            match self.append(&event).await {
                Ok(entry) => {
                    tracing::info!(
                        seq = entry.seq, actor = %entry.actor, action = %entry.action,
                        target = %entry.target, "audit entry appended"
                    );
                    return Ok(entry);
                }
                Err(err) if is_unique_violation(&err) => {
                    tracing::debug!(attempt, action = %event.action, "audit append lost a race; retrying from the new head");
                }
                Err(err) => return Err(err.into()),
            }
        }
        tracing::warn!(
            action = %event.action, attempts = MAX_APPEND_ATTEMPTS, error.type = "audit_append_contended",
            "gave up appending to the audit log"
        );
        Err(StoreError::Database(DbErr::Custom(format!(
            "could not append to the audit log: {MAX_APPEND_ATTEMPTS} concurrent appends in a row took the \
             slot first"
        ))))
    }

    /// Entries in order, starting after `after_seq` (from the first when `None`), at most `limit`
    /// of them (capped at [`MAX_AUDIT_PAGE`]).
    pub async fn audit_entries(&self, after_seq: Option<i64>, limit: u64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = audit_entry::Entity::find()
            .filter(audit_entry::Column::Seq.gt(after_seq.unwrap_or(0)))
            .order_by_asc(audit_entry::Column::Seq)
            .limit(limit.min(MAX_AUDIT_PAGE))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(to_entry).collect())
    }

    /// One attempt: read the head, chain after it, insert, commit.
    async fn append(&self, event: &AuditEvent) -> Result<AuditEntry, DbErr> {
        // On SQLite, IMMEDIATE takes the write lock before the head is read, so a second appender
        // waits (up to the busy timeout) rather than reading a head that is about to change and
        // then failing to upgrade its lock. PostgreSQL ignores the mode; there the unique indexes
        // make the loser of a race fail, and `audit` retries it.
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        let txn = self.db.begin_with_options(options).await?;
        let head = audit_entry::Entity::find().order_by_desc(audit_entry::Column::Seq).one(&txn).await?;
        let (seq, prev_hash) = match head {
            Some(head) => (head.seq + 1, head.hash),
            None => (1, GENESIS.to_owned()),
        };
        let at = crate::now();
        let hash = Link {
            seq,
            at,
            actor: &event.actor,
            action: &event.action,
            target: &event.target,
            details: &event.details,
            prev_hash: &prev_hash,
        }
        .hash();
        let row = audit_entry::ActiveModel {
            seq: Set(seq),
            at: Set(at),
            actor: Set(event.actor.clone()),
            action: Set(event.action.clone()),
            target: Set(event.target.clone()),
            details: Set(event.details.clone()),
            prev_hash: Set(prev_hash),
            hash: Set(hash),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(to_entry(row))
    }
}

fn to_entry(row: audit_entry::Model) -> AuditEntry {
    AuditEntry {
        seq: row.seq,
        at: row.at,
        actor: row.actor,
        action: row.action,
        target: row.target,
        details: row.details,
        prev_hash: row.prev_hash,
        hash: row.hash,
    }
}
