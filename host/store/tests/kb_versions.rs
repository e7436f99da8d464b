//! Published versions against a real SQLite file: the search index's start-up comparison asks for
//! hundreds of exact (article, version) pairs at once and must get exactly those back.

#[path = "support/fixtures.rs"]
mod fixtures;

use weft_store::kb::{NewVersion, Transition};

/// More pairs than the search reconcile's batch (500), so one query holds a full batch.
const ARTICLES: usize = 600;

#[tokio::test]
async fn versions_in_returns_exactly_the_wanted_pairs_for_a_full_batch() {
    let t = fixtures::open_temp().await;
    let store = &t.store;
    store.kb_create_space("s", "S", &[]).await.expect("space");
    for i in 0..ARTICLES {
        let id = format!("a{i}");
        fixtures::kb_article(store, "s", &id).await;
        // Odd articles are published twice: the query must pick the asked version, not all.
        for _ in 0..(1 + i % 2) {
            let stage = store.kb_article(&id).await.expect("read").expect("exists").stage;
            store
                .kb_publish(NewVersion {
                    article_id: id.clone(),
                    space: "s".into(),
                    title: format!("title {i}"),
                    body: format!("body {i}"),
                    tags: vec![],
                    content_hash: "h0".into(),
                    published_by: "pat".into(),
                    transition: Transition {
                        from: stage,
                        to: "published".into(),
                        actor: "pat".into(),
                        note: String::new(),
                    },
                })
                .await
                .expect("publish");
        }
    }

    let heads = store.kb_published_heads().await.expect("heads");
    assert_eq!(heads.len(), ARTICLES);
    assert!(heads.iter().all(|(id, v)| {
        let i: usize = id[1..].parse().expect("numbered id");
        *v == 1 + (i % 2) as i32
    }));

    // Ask for the first version of every article in the first 500: exactly one row each.
    let wanted: Vec<(String, i32)> = (0..500).map(|i| (format!("a{i}"), 1)).collect();
    let mut got: Vec<(String, i32)> =
        store.kb_versions_in(&wanted).await.expect("versions").into_iter().map(|v| (v.article_id, v.version)).collect();
    got.sort();
    let mut expected = wanted.clone();
    expected.sort();
    assert_eq!(got, expected);

    // Missing pairs are left out, and an empty ask asks nothing.
    let mixed = vec![("a1".to_owned(), 2), ("a0".to_owned(), 2), ("nope".to_owned(), 1)];
    let got = store.kb_versions_in(&mixed).await.expect("versions");
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].article_id.as_str(), got[0].version, got[0].body.as_str()), ("a1", 2, "body 1"));
    assert!(store.kb_versions_in(&[]).await.expect("versions").is_empty());
}
