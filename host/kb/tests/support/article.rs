//! A store on a fresh SQLite file holding one space and one article with a title and an empty
//! body, for the knowledge base's tests and benchmarks (which include this file by path).

use std::path::Path;

use weft_kb::doc::{self, Content};
use weft_store::Store;
use weft_store::kb::NewArticle;
use yrs::Transact;

pub async fn store_with_article(dir: &Path, space: &str, article: &str, title: &str) -> Store {
    let store = Store::open(&Store::sqlite_url(dir)).await.expect("store");
    store.kb_create_space(space, space, &[]).await.expect("space");
    add_article(&store, space, article, title).await;
    store
}

/// Another article with a title and an empty body in an existing space.
pub async fn add_article(store: &Store, space: &str, article: &str, title: &str) {
    let content = Content { title: title.into(), body: String::new(), tags: vec![] };
    let initial = {
        let d = doc::new_doc();
        let mut txn = d.transact_mut();
        doc::write_content_txn(&mut txn, &content);
        txn.encode_update_v1()
    };
    store
        .kb_create_article(NewArticle {
            id: article.into(),
            space: space.into(),
            title: content.title.clone(),
            tags: vec![],
            author: "ana".into(),
            content_hash: content.hash(),
            verification_expires_at: None,
            initial_update: initial,
        })
        .await
        .expect("article");
}
