//! The audit log: append-only, hash-chained, and any tampering is found by `audit_verify`.

#[path = "support/fixtures.rs"]
mod fixtures;

use fixtures::{TempStore, open_temp};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde_json::json;
use tokio::task::JoinSet;
use weft_store::entity::audit_entry;
use weft_store::{AuditEntry, AuditEvent, AuditVerification, Store, StoreError};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn event(actor: &str, action: &str, target: &str) -> AuditEvent {
    AuditEvent {
        actor: actor.into(),
        action: action.into(),
        target: target.into(),
        details: json!({"digest": "sha256:abc", "grants": ["kv"], "revision": 1}),
    }
}

/// Three entries: a publish, a deployment and a token, as the server writes them.
async fn with_three_entries() -> TempStore {
    let t = open_temp().await;
    t.store.audit(event("dev", "plugin.publish", "router@0.1.0")).await.expect("append 1");
    t.store.audit(event("ops", "deployment.put", "router-prod")).await.expect("append 2");
    t.store.audit(event("cli:root", "token.create", "ops")).await.expect("append 3");
    t
}

async fn tamper(store: &Store, sql: &str) {
    store.connection().execute_unprepared(sql).await.expect("tampering statement runs");
}

fn broken(verification: AuditVerification) -> (i64, String) {
    match verification {
        AuditVerification::Broken { seq, reason } => (seq, reason),
        intact => panic!("tampering went unnoticed: {intact:?}"),
    }
}

// Rule: an empty log verifies, with the genesis value as its head.
#[tokio::test]
async fn an_empty_log_is_intact() {
    let t = open_temp().await;
    let verified = t.store.audit_verify().await.expect("verify");
    assert_eq!(verified, AuditVerification::Intact { entries: 0, head: GENESIS.into() });
    assert_eq!(t.store.audit_entries(None, 10).await.expect("list"), Vec::<AuditEntry>::new());
}

// Rule: entries are numbered from 1, each chains from the one before (the first from 64 zeros),
// read back exactly as appended, and the untouched chain verifies with the last hash as its head.
#[tokio::test]
async fn appended_entries_form_a_chain_that_verifies() {
    let t = open_temp().await;
    let first = t.store.audit(event("dev", "plugin.publish", "router@0.1.0")).await.expect("append");
    let second = t.store.audit(event("ops", "deployment.put", "router-prod")).await.expect("append");
    assert_eq!((first.seq, first.prev_hash.as_str()), (1, GENESIS));
    assert_eq!((second.seq, second.prev_hash.as_str()), (2, first.hash.as_str()));
    assert_eq!(first.hash.len(), 64);
    assert_ne!(first.hash, second.hash);

    let stored = t.store.audit_entries(None, 10).await.expect("list");
    assert_eq!(stored, vec![first, second.clone()]);
    let verified = t.store.audit_verify().await.expect("verify");
    assert_eq!(verified, AuditVerification::Intact { entries: 2, head: second.hash });
}

// Rule: listing pages forward from a sequence number.
#[tokio::test]
async fn entries_page_forward_from_a_sequence_number() {
    let t = with_three_entries().await;
    let page: Vec<i64> = t.store.audit_entries(Some(1), 1).await.expect("list").iter().map(|e| e.seq).collect();
    assert_eq!(page, [2]);
    let rest: Vec<i64> = t.store.audit_entries(Some(2), 10).await.expect("list").iter().map(|e| e.seq).collect();
    assert_eq!(rest, [3]);
    assert!(t.store.audit_entries(Some(3), 10).await.expect("list").is_empty());
}

// Rule: editing a row's details is a hash mismatch at that row.
#[tokio::test]
async fn an_edited_detail_is_found() {
    let t = with_three_entries().await;
    tamper(&t.store, r#"UPDATE audit_entries SET details = '{"digest":"sha256:evil"}' WHERE seq = 2"#).await;
    let (seq, reason) = broken(t.store.audit_verify().await.expect("verify"));
    assert_eq!(seq, 2);
    assert!(reason.starts_with("hash mismatch"), "{reason}");
    assert!(reason.contains("edited"), "{reason}");
}

// Rule: editing who did it is found just the same.
#[tokio::test]
async fn an_edited_actor_is_found() {
    let t = with_three_entries().await;
    tamper(&t.store, "UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 1").await;
    let (seq, reason) = broken(t.store.audit_verify().await.expect("verify"));
    assert_eq!(seq, 1);
    assert!(reason.starts_with("hash mismatch"), "{reason}");
}

// Rule: deleting a middle row is a gap in seq, reported at the next entry and naming the missing one.
#[tokio::test]
async fn a_deleted_row_is_found() {
    let t = with_three_entries().await;
    tamper(&t.store, "DELETE FROM audit_entries WHERE seq = 2").await;
    let (seq, reason) = broken(t.store.audit_verify().await.expect("verify"));
    assert_eq!(seq, 3);
    assert!(reason.starts_with("gap in seq"), "{reason}");
    assert!(reason.contains("entry 2 is missing"), "{reason}");
}

// Rule: deleting a row and renumbering the rest to hide the gap still breaks the chain.
#[tokio::test]
async fn a_deletion_hidden_by_renumbering_is_found() {
    let t = with_three_entries().await;
    tamper(&t.store, "DELETE FROM audit_entries WHERE seq = 2").await;
    tamper(&t.store, "UPDATE audit_entries SET seq = 2 WHERE seq = 3").await;
    let (seq, reason) = broken(t.store.audit_verify().await.expect("verify"));
    assert_eq!(seq, 2);
    assert!(reason.starts_with("hash mismatch"), "{reason}");
}

// Rule: deleting the first entry is found: the log must start at entry 1.
#[tokio::test]
async fn a_deleted_first_row_is_found() {
    let t = with_three_entries().await;
    tamper(&t.store, "DELETE FROM audit_entries WHERE seq = 1").await;
    let (seq, reason) = broken(t.store.audit_verify().await.expect("verify"));
    assert_eq!(seq, 2);
    assert!(reason.contains("the log starts at entry 2, so entry 1 is missing"), "{reason}");
}

// Rule: a replacement row whose own hash is valid (forged in another log) still does not chain
// from its predecessor: a prev_hash mismatch at that row.
#[tokio::test]
async fn a_replaced_row_with_a_valid_hash_is_found() {
    let t = with_three_entries().await;
    let forger = open_temp().await;
    forger.store.audit(event("mallory", "user.create", "mallory")).await.expect("append");
    let forged = forger.store.audit(event("ops", "deployment.put", "router-prod")).await.expect("append");
    tamper(&t.store, "DELETE FROM audit_entries WHERE seq = 2").await;
    audit_entry::ActiveModel {
        seq: Set(forged.seq),
        at: Set(forged.at),
        actor: Set(forged.actor),
        action: Set(forged.action),
        target: Set(forged.target),
        details: Set(forged.details),
        prev_hash: Set(forged.prev_hash),
        hash: Set(forged.hash),
    }
    .insert(t.store.connection())
    .await
    .expect("forged row inserted");
    let (seq, reason) = broken(t.store.audit_verify().await.expect("verify"));
    assert_eq!(seq, 2);
    assert!(reason.starts_with("prev_hash mismatch"), "{reason}");
}

// Rule: many appends at once never fork the chain: every one lands, numbered 1..=n, and it verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_stay_one_chain() {
    let t = open_temp().await;
    let appends = 32;
    let mut tasks = JoinSet::new();
    for i in 0..appends {
        let store = t.store.clone();
        tasks.spawn(async move { store.audit(event(&format!("user{i}"), "token.create", "x")).await });
    }
    let mut seqs = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        seqs.push(joined.expect("task finished").expect("append succeeded").seq);
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=appends).collect::<Vec<i64>>());
    let verified = t.store.audit_verify().await.expect("verify");
    assert!(matches!(verified, AuditVerification::Intact { entries: 32, .. }), "{verified:?}");
}

// Rule: an event without an actor is refused and nothing is appended.
#[tokio::test]
async fn an_event_without_an_actor_is_refused() {
    let t = open_temp().await;
    let err = t.store.audit(event(" ", "plugin.publish", "router@0.1.0")).await.expect_err("refused");
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(t.store.audit_entries(None, 10).await.expect("list").is_empty());
}

// Rule: on PostgreSQL too, concurrent appends stay one verifiable chain. Runs only when
// `WEFT_TEST_POSTGRES_URL` names a database the test may write to.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_stay_one_chain_on_postgres() {
    let Ok(url) = std::env::var("WEFT_TEST_POSTGRES_URL") else {
        return;
    };
    let store = Store::open(&url).await.expect("open PostgreSQL");
    let before = match store.audit_verify().await.expect("verify") {
        AuditVerification::Intact { entries, .. } => entries,
        broken => panic!("the shared test database's audit log is already broken: {broken:?}"),
    };
    let (a, b, c, d, e, f, g, h) = tokio::join!(
        store.audit(event("pg", "token.create", "a")),
        store.audit(event("pg", "token.create", "b")),
        store.audit(event("pg", "token.create", "c")),
        store.audit(event("pg", "token.create", "d")),
        store.audit(event("pg", "token.create", "e")),
        store.audit(event("pg", "token.create", "f")),
        store.audit(event("pg", "token.create", "g")),
        store.audit(event("pg", "token.create", "h")),
    );
    for appended in [a, b, c, d, e, f, g, h] {
        appended.expect("append on PostgreSQL");
    }
    let after = store.audit_verify().await.expect("verify");
    assert!(matches!(after, AuditVerification::Intact { entries, .. } if entries == before + 8), "{after:?}");
}
