//! Walking the chain from the first entry to the head, recomputing every hash.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::chain::{GENESIS, Link};
use crate::entity::audit_entry;
use crate::{Store, StoreError};

/// Rows read per query while verifying, so a long log never has to fit in memory.
const VERIFY_PAGE: u64 = 500;

/// What [`Store::audit_verify`] found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AuditVerification {
    /// Every entry hashes to its recorded hash and chains from the one before it.
    Intact {
        entries: u64,
        /// The last entry's hash (64 zeros for an empty log). Recording it elsewhere lets a later
        /// check prove the log was not cut short since.
        head: String,
    },
    /// The first entry at which the chain does not hold.
    Broken {
        /// The entry that failed the check; the reason names any entry that is missing before it.
        seq: i64,
        /// What is wrong and what it means: a hash mismatch (the row was edited), a prev_hash
        /// mismatch or a gap in seq (a row was deleted, inserted or rewritten).
        reason: String,
    },
}

/// The last entry that checked out.
struct Verified {
    seq: i64,
    hash: String,
}

impl Store {
    /// Reads the whole log in order and checks every link. Stops at the first broken one: after
    /// it, nothing in the log can be trusted anyway.
    pub async fn audit_verify(&self) -> Result<AuditVerification, StoreError> {
        let mut last: Option<Verified> = None;
        let mut entries: u64 = 0;
        loop {
            let after = last.as_ref().map_or(i64::MIN, |v| v.seq);
            let page = audit_entry::Entity::find()
                .filter(audit_entry::Column::Seq.gt(after))
                .order_by_asc(audit_entry::Column::Seq)
                .limit(VERIFY_PAGE)
                .all(&self.db)
                .await?;
            let full = page.len() as u64 == VERIFY_PAGE;
            for row in page {
                if let Some(reason) = check(&row, last.as_ref()) {
                    tracing::warn!(
                        seq = row.seq, reason = %reason, error.type = "audit_chain_broken",
                        "the audit log has been tampered with"
                    );
                    return Ok(AuditVerification::Broken { seq: row.seq, reason });
                }
                entries += 1;
                last = Some(Verified { seq: row.seq, hash: row.hash });
            }
            if !full {
                break;
            }
        }
        let head = last.map_or_else(|| GENESIS.to_owned(), |v| v.hash);
        tracing::info!(entries, head = %head, "audit log verified");
        Ok(AuditVerification::Intact { entries, head })
    }
}

/// Why `row` does not follow `prev` (the previous verified entry, `None` at the start), if it
/// does not. The sequence is checked first because a gap is the clearest account of a deletion.
fn check(row: &audit_entry::Model, prev: Option<&Verified>) -> Option<String> {
    let expected_seq = prev.map_or(1, |p| p.seq.saturating_add(1));
    if row.seq < expected_seq {
        return Some(format!(
            "gap in seq: entry {} appears where entry {expected_seq} should be, so a row was inserted",
            row.seq
        ));
    }
    if row.seq > expected_seq {
        let place = match prev {
            Some(p) => format!("entry {} follows entry {}", row.seq, p.seq),
            None => format!("the log starts at entry {}", row.seq),
        };
        let missing = if row.seq - expected_seq == 1 {
            format!("entry {expected_seq} is")
        } else {
            format!("entries {expected_seq} to {} are", row.seq - 1)
        };
        return Some(format!("gap in seq: {place}, so {missing} missing (deleted)"));
    }

    let recomputed = Link {
        seq: row.seq,
        at: row.at,
        actor: &row.actor,
        action: &row.action,
        target: &row.target,
        details: &row.details,
        prev_hash: &row.prev_hash,
    }
    .hash();
    if recomputed != row.hash {
        return Some(format!(
            "hash mismatch: the stored fields of entry {} hash to {recomputed}, not to its recorded \
             hash {}, so the row was edited after it was written",
            row.seq, row.hash
        ));
    }

    let expected_prev = prev.map_or(GENESIS, |p| p.hash.as_str());
    if row.prev_hash != expected_prev {
        let before = match prev {
            Some(p) => format!("entry {}'s hash {}", p.seq, p.hash),
            None => "the genesis value (64 zeros)".to_owned(),
        };
        return Some(format!(
            "prev_hash mismatch: entry {} records prev_hash {}, but {before} comes before it, so an \
             earlier entry was deleted, inserted or rewritten",
            row.seq, row.prev_hash
        ));
    }
    None
}
