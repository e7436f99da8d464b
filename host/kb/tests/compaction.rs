//! Compaction against a real SQLite file: the log folds into a snapshot, later updates land after
//! it, and the rebuilt document is exactly what was typed.

use weft_kb::doc::{self, Content};
use weft_store::Store;
use weft_store::kb::{ArticleChange, KbAppend, LoggedUpdate, NewArticle};
use yrs::{GetString, Text, Transact};

fn change(content: &Content) -> ArticleChange {
    ArticleChange {
        title: content.title.clone(),
        tags: content.tags.clone(),
        content_hash: content.hash(),
        editor: "ana".into(),
        first_review_stage: "expert-review".into(),
    }
}

async fn append(store: &Store, data: Vec<u8>, change: ArticleChange) {
    let updates = vec![LoggedUpdate { data, actor: "ana".into() }];
    let round = store.kb_append_round(vec![KbAppend { article_id: "a1".into(), updates, change }]).await;
    assert!(matches!(round.as_deref(), Ok([Ok(())])), "append: {round:?}");
}

#[tokio::test]
async fn the_log_folds_into_a_snapshot_and_reloads_identically() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&Store::sqlite_url(dir.path())).await.expect("store");
    store.kb_create_space("s", "S", &[]).await.expect("space");
    let d = doc::new_doc();
    let initial = Content { title: "标题".into(), body: String::new(), tags: vec![] };
    let first = {
        let mut txn = d.transact_mut();
        doc::write_content_txn(&mut txn, &initial);
        txn.encode_update_v1()
    };
    store
        .kb_create_article(NewArticle {
            id: "a1".into(),
            space: "s".into(),
            title: initial.title.clone(),
            tags: vec![],
            author: "ana".into(),
            content_hash: initial.hash(),
            verification_expires_at: None,
            initial_update: first,
        })
        .await
        .expect("article");

    let body = d.get_or_insert_text("body");
    for i in 0..300 {
        let update = {
            let mut txn = d.transact_mut();
            let at = if i % 2 == 0 { 0 } else { body.len(&txn) };
            body.insert(&mut txn, at, &format!("{i}字😀 "));
            txn.encode_update_v1()
        };
        append(&store, update, change(&doc::read_content(&d))).await;
    }
    assert_eq!(store.kb_log_len("a1").await.expect("len"), 301);

    weft_kb::compact(&store, "a1").await.expect("compact");
    assert_eq!(store.kb_log_len("a1").await.expect("len"), 0, "every entry folded into the snapshot");

    // An update after the snapshot is kept in the log and applied on top of it.
    let late = {
        let mut txn = d.transact_mut();
        body.insert(&mut txn, 0, "late ");
        txn.encode_update_v1()
    };
    append(&store, late, change(&doc::read_content(&d))).await;

    let stored = store.kb_load_doc("a1").await.expect("load");
    assert!(stored.snapshot.is_some());
    assert_eq!(stored.updates.len(), 1);
    let rebuilt = doc::load("a1", &stored).expect("rebuild");
    let expected = body.get_string(&d.transact());
    assert_eq!(doc::read_content(&rebuilt).body, expected);
    assert_eq!(doc::read_content(&rebuilt), doc::read_content(&d));
}

#[tokio::test]
async fn a_corrupt_log_entry_fails_the_load_and_is_never_overwritten() {
    let stored = weft_store::kb::StoredDoc { snapshot: None, snapshot_upto: 0, updates: vec![(7, vec![1, 2, 3, 250])] };
    let err = doc::load("a9", &stored).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("article a9 cannot be loaded") && err.contains("log entry 7"), "{err}");
    assert!(err.contains("left untouched"), "{err}");
}
