//! Plugin-scoped key-value state.

#[path = "support/fixtures.rs"]
mod fixtures;

use fixtures::open_temp;
use weft_store::StoreError;

fn set(key: &str, value: &str) -> (String, Option<String>) {
    (key.to_owned(), Some(value.to_owned()))
}

fn delete(key: &str) -> (String, Option<String>) {
    (key.to_owned(), None)
}

// Rule: `Some` sets (and overwrites), `None` deletes, and reads see the result.
#[tokio::test]
async fn set_get_overwrite_and_delete() {
    let t = open_temp().await;
    let s = &t.store;
    assert_eq!(s.kv_get("router", "count").await.expect("get"), None);

    s.kv_apply("router", &[set("count", "1"), set("owner", "ada")]).await.expect("apply");
    assert_eq!(s.kv_get("router", "count").await.expect("get"), Some("1".into()));

    s.kv_apply("router", &[set("count", "2"), delete("owner")]).await.expect("apply");
    assert_eq!(s.kv_get("router", "count").await.expect("get"), Some("2".into()));
    assert_eq!(s.kv_get("router", "owner").await.expect("get"), None);

    // Deleting a key that is not there is not an error.
    s.kv_apply("router", &[delete("never-set")]).await.expect("apply");
}

// Rule: within one batch, later writes to the same key win, as if applied in order.
#[tokio::test]
async fn later_writes_in_a_batch_win() {
    let t = open_temp().await;
    let s = &t.store;
    s.kv_apply("router", &[set("k", "a"), set("k", "b")]).await.expect("apply");
    assert_eq!(s.kv_get("router", "k").await.expect("get"), Some("b".into()));
    s.kv_apply("router", &[delete("k"), set("k", "c")]).await.expect("apply");
    assert_eq!(s.kv_get("router", "k").await.expect("get"), Some("c".into()));
    s.kv_apply("router", &[set("k", "d"), delete("k")]).await.expect("apply");
    assert_eq!(s.kv_get("router", "k").await.expect("get"), None);
}

// Rule: a batch is all or nothing: one bad write and none of it is applied.
#[tokio::test]
async fn a_batch_with_a_bad_write_applies_nothing() {
    let t = open_temp().await;
    let s = &t.store;
    s.kv_apply("router", &[set("kept", "old")]).await.expect("apply");

    let err = s
        .kv_apply("router", &[set("kept", "new"), set("added", "x"), set("", "empty key")])
        .await
        .expect_err("an empty key is refused");
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert_eq!(s.kv_get("router", "kept").await.expect("get"), Some("old".into()));
    assert_eq!(s.kv_get("router", "added").await.expect("get"), None);
}

// Rule: scopes are isolated: the same key in two scopes holds two values.
#[tokio::test]
async fn scopes_do_not_share_keys() {
    let t = open_temp().await;
    let s = &t.store;
    s.kv_apply("router-prod", &[set("k", "prod")]).await.expect("apply");
    s.kv_apply("router-canary", &[set("k", "canary")]).await.expect("apply");
    s.kv_apply("router-canary", &[delete("k")]).await.expect("apply");
    assert_eq!(s.kv_get("router-prod", "k").await.expect("get"), Some("prod".into()));
    assert_eq!(s.kv_get("router-canary", "k").await.expect("get"), None);
}

// Rule: concurrent batches from many tasks all land; none is lost to a lock timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_batches_all_land() {
    let t = open_temp().await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..16 {
        let store = t.store.clone();
        tasks.spawn(async move { store.kv_apply("router", &[set(&format!("k{i}"), &i.to_string())]).await });
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("task").expect("apply");
    }
    for i in 0..16 {
        assert_eq!(t.store.kv_get("router", &format!("k{i}")).await.expect("get"), Some(i.to_string()));
    }
}
