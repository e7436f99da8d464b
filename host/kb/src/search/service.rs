//! Search as the knowledge base offers it: to people (only spaces they may read) and to plugins
//! (every space: published articles are the organisation's answers), off the async runtime.

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use weft_store::Principal;

use super::{Hit, SearchIndex, SearchRequest};
use crate::{Access, Kb, KbError};

/// Most hits one REST search returns.
pub const MAX_LIMIT: usize = 50;
/// Most hits one plugin search returns (the runtime refuses more before we are called).
const MAX_PLUGIN_LIMIT: usize = 100;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    pub took_ms: u64,
}

async fn blocking<T: Send + 'static>(
    index: &Arc<SearchIndex>,
    work: impl FnOnce(&SearchIndex) -> Result<T, KbError> + Send + 'static,
) -> Result<T, KbError> {
    let index = index.clone();
    tokio::task::spawn_blocking(move || work(&index))
        .await
        .map_err(|e| KbError::Unavailable(format!("the search task failed: {e}; retry")))?
}

impl Kb {
    /// A person's search: published articles in the spaces they may read.
    pub async fn search(&self, principal: &Principal, request: SearchRequest) -> Result<SearchResults, KbError> {
        let started = Instant::now();
        if !(1..=MAX_LIMIT).contains(&request.limit) {
            return Err(KbError::Invalid(format!(
                "limit must be between 1 and {MAX_LIMIT}, got {}; page through fewer hits",
                request.limit
            )));
        }
        // One space asked for: only its access matters. Otherwise every space the person may
        // read, as the space list shows them.
        let readable = match &request.space {
            Some(space) => {
                self.stages_of(space).await?;
                Access::of(&self.store, principal, space).await?.require_read(space)?;
                vec![space.clone()]
            }
            None => self.spaces(principal).await?.into_iter().map(|s| s.id).collect(),
        };
        let hits = blocking(&self.search, move |index| index.search(&request, Some(&readable))).await?;
        Ok(SearchResults { hits, took_ms: started.elapsed().as_millis() as u64 })
    }

    /// A plugin's search (capability `kb.read`): published articles in every space.
    pub async fn search_published(&self, mut request: SearchRequest) -> Result<Vec<Hit>, KbError> {
        request.limit = request.limit.clamp(1, MAX_PLUGIN_LIMIT);
        blocking(&self.search, move |index| index.search(&request, None)).await
    }

    /// Makes a just-committed version searchable. Its publish already committed, so a failure
    /// here is logged and repaired by a reconcile with the store rather than reported to the user.
    pub(crate) async fn index_published(&self, version: &weft_store::kb::KbVersion) {
        let doc = super::reconcile::doc_of(version);
        let article = doc.article_id.clone();
        if let Err(err) = blocking(&self.search, move |index| index.upsert(doc)).await {
            tracing::error!(error = %err, article, "indexing a published version failed; reconciling with the store");
            if let Err(err) = self.reconcile_search().await {
                tracing::error!(error = %err, "reconciling the search index failed; it catches up on restart");
            }
        }
    }
}
