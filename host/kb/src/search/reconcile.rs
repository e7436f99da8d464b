//! Catching the index up with the store, which is the truth: index every published article whose
//! latest version the index lacks, drop what the store no longer publishes. Run on every start,
//! so an index left behind by a crash between a publish's commit and its indexing, or started
//! afresh because it was missing or damaged, is complete before the server serves.

use std::collections::HashSet;

use weft_store::kb::KbVersion;

use super::ArticleDoc;
use crate::history::tags_of;
use crate::{Kb, KbError};

/// Versions fetched and committed per round: bounds the `IN` list and the writer's memory.
const BATCH: usize = 500;

pub(crate) fn doc_of(v: &KbVersion) -> ArticleDoc {
    ArticleDoc {
        article_id: v.article_id.clone(),
        version: u64::try_from(v.version).unwrap_or_default(),
        space: v.space.clone(),
        title: v.title.clone(),
        body: v.body.clone(),
        tags: tags_of(&v.tags),
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reconciled {
    pub indexed: usize,
    pub removed: usize,
}

impl Kb {
    /// Brings the index in line with the store's published versions.
    pub async fn reconcile_search(&self) -> Result<Reconciled, KbError> {
        let heads = self.store.kb_published_heads().await?;
        let index = self.search.clone();
        let held = tokio::task::spawn_blocking(move || index.indexed_versions())
            .await
            .map_err(|e| KbError::Unavailable(format!("the search task failed: {e}")))??;
        let published: HashSet<&str> = heads.iter().map(|(id, _)| id.as_str()).collect();
        let stale: Vec<(String, i32)> =
            heads.iter().filter(|(id, v)| held.get(id) != u64::try_from(*v).ok().as_ref()).cloned().collect();
        let gone: Vec<String> = held.keys().filter(|id| !published.contains(id.as_str())).cloned().collect();
        let mut done = Reconciled::default();
        for chunk in stale.chunks(BATCH) {
            let docs: Vec<ArticleDoc> = self.store.kb_versions_in(chunk).await?.iter().map(doc_of).collect();
            let index = self.search.clone();
            done.indexed += tokio::task::spawn_blocking(move || index.apply(docs, &[], false))
                .await
                .map_err(|e| KbError::Unavailable(format!("the search task failed: {e}")))??;
        }
        if !gone.is_empty() {
            let index = self.search.clone();
            done.removed = tokio::task::spawn_blocking(move || index.apply(Vec::new(), &gone, false))
                .await
                .map_err(|e| KbError::Unavailable(format!("the search task failed: {e}")))??;
        }
        Ok(done)
    }
}
