//! The update log's group-commit round against a real SQLite file: appends for several articles
//! commit together, and one for a missing article is answered alone, with its own error.

#[path = "support/fixtures.rs"]
mod fixtures;

use weft_store::StoreError;
use weft_store::kb::{ArticleChange, KbAppend, LoggedUpdate};

fn append(article: &str, bytes: &[u8], hash: &str) -> KbAppend {
    KbAppend {
        article_id: article.into(),
        updates: vec![LoggedUpdate { data: bytes.to_vec(), actor: "ana".into() }],
        change: ArticleChange {
            title: format!("title of {article}"),
            tags: vec![],
            content_hash: hash.into(),
            editor: "ana".into(),
            first_review_stage: "expert-review".into(),
        },
    }
}

async fn store_with(ids: &[&str]) -> fixtures::TempStore {
    let t = fixtures::open_temp().await;
    t.store.kb_create_space("s", "S", &[]).await.expect("space");
    for id in ids {
        fixtures::kb_article(&t.store, "s", id).await;
    }
    t
}

#[tokio::test]
async fn a_round_larger_than_one_insert_statement_logs_every_update_in_order() {
    let t = store_with(&["a1"]).await;
    let mut big = append("a1", &[0], "h1");
    big.updates = (0..5_000u32).map(|i| LoggedUpdate { data: i.to_be_bytes().to_vec(), actor: "ana".into() }).collect();
    let round = t.store.kb_append_round(vec![big]).await.expect("the round commits");
    assert!(matches!(round.as_slice(), [Ok(())]), "{round:?}");
    let logged: Vec<Vec<u8>> =
        t.store.kb_load_doc("a1").await.expect("load").updates.into_iter().map(|(_, d)| d).collect();
    let expected: Vec<Vec<u8>> =
        std::iter::once(vec![0, 0]).chain((0..5_000u32).map(|i| i.to_be_bytes().to_vec())).collect();
    assert_eq!(logged, expected);
}

#[tokio::test]
async fn a_round_commits_every_article_and_refuses_a_missing_one_alone() {
    let t = store_with(&["a1", "a2"]).await;
    let store = &t.store;

    let round = store
        .kb_append_round(vec![append("a1", &[1, 1], "h1"), append("gone", &[9], "hx"), append("a2", &[2, 2], "h2")])
        .await
        .expect("the round commits");
    assert!(matches!(round[0], Ok(())), "{round:?}");
    assert!(matches!(&round[1], Err(StoreError::NotFound(m)) if m.contains("gone")), "{round:?}");
    assert!(matches!(round[2], Ok(())), "{round:?}");

    for (id, bytes, hash) in [("a1", vec![1u8, 1], "h1"), ("a2", vec![2u8, 2], "h2")] {
        let logged: Vec<Vec<u8>> =
            store.kb_load_doc(id).await.expect("load").updates.into_iter().map(|(_, d)| d).collect();
        assert_eq!(logged, vec![vec![0, 0], bytes], "{id}: the initial update, then the appended one");
        let row = store.kb_article(id).await.expect("read").expect("exists");
        assert_eq!((row.content_hash.as_str(), row.title), (hash, format!("title of {id}")));
    }
    assert!(store.kb_article("gone").await.expect("read").is_none());
}
