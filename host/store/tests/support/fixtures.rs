//! Shared set-up for the store's tests: a real SQLite file in a fresh temporary directory.
#![allow(dead_code)] // each test file uses a different subset

use sha2::{Digest, Sha256};
use tempfile::TempDir;
use weft_store::{NewPlugin, Store};

pub struct TempStore {
    pub store: Store,
    pub url: String,
    /// Held so the directory outlives the store.
    pub dir: TempDir,
}

pub async fn open_temp() -> TempStore {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = Store::sqlite_url(dir.path());
    let store = Store::open(&url).await.expect("a fresh store opens");
    TempStore { store, url, dir }
}

pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A plugin upload whose digest matches its bytes.
pub fn plugin(name: &str, version: &str, component: &[u8]) -> NewPlugin {
    NewPlugin {
        name: name.to_owned(),
        version: version.to_owned(),
        digest: digest_of(component),
        contract_version: "0.1.0".to_owned(),
        manifest: serde_json::json!({
            "name": name,
            "version": version,
            "capabilities": ["kv", "effect.assign"],
        }),
        component: component.to_vec(),
        uploaded_by: "dev".to_owned(),
    }
}

/// An article (empty initial update, hash `h0`) in `space`, which must exist.
pub async fn kb_article(store: &Store, space: &str, id: &str) {
    store
        .kb_create_article(weft_store::kb::NewArticle {
            id: id.into(),
            space: space.into(),
            title: id.into(),
            tags: vec![],
            author: "ana".into(),
            content_hash: "h0".into(),
            verification_expires_at: None,
            initial_update: vec![0, 0],
        })
        .await
        .expect("article");
}
