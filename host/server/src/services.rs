//! The server's `HostServices`: plugin key-value state, the agent directory and credit history
//! from the store; knowledge-base search over the same index as `GET /v1/kb/search`.

use std::sync::Arc;

use weft_runtime::model::{AgentQuery, CreditRecord, Directory, KbHit, KbQuery};
use weft_runtime::services::{HostServices, ServiceError, ServiceFuture};
use weft_store::Store;

pub struct StoreServices {
    store: Store,
    kb: Arc<weft_kb::Kb>,
}

impl StoreServices {
    pub fn new(store: Store, kb: Arc<weft_kb::Kb>) -> Self {
        Self { store, kb }
    }
}

impl HostServices for StoreServices {
    fn kv_get<'a>(&'a self, scope: &'a str, key: &'a str) -> ServiceFuture<'a, Option<String>> {
        Box::pin(
            async move { self.store.kv_get(scope, key).await.map_err(|e| ServiceError::Unavailable(e.to_string())) },
        )
    }

    /// Published articles in every space (plugins hold `kb.read`, not a person's space roles);
    /// `tags` narrows to articles carrying all of them. The snippet is plain text.
    fn kb_search(&self, query: KbQuery) -> ServiceFuture<'_, Vec<KbHit>> {
        Box::pin(async move {
            let request = weft_kb::search::SearchRequest {
                text: query.text,
                space: query.space.filter(|s| !s.is_empty()),
                tags: query.tags,
                limit: query.limit as usize,
            };
            let hits = self.kb.search_published(request).await.map_err(|e| match e {
                // A query the parser refuses (syntax, only punctuation) is the plugin's mistake.
                weft_kb::KbError::Invalid(message) => ServiceError::Invalid(message),
                other => ServiceError::Unavailable(other.to_string()),
            })?;
            Ok(hits
                .into_iter()
                .map(|h| KbHit {
                    article: h.article_id,
                    version: u32::try_from(h.version).unwrap_or(u32::MAX),
                    title: h.title,
                    snippet: h.snippet_text,
                    score: h.score,
                })
                .collect())
        })
    }

    fn agent_directory(&self, query: AgentQuery) -> ServiceFuture<'_, Directory> {
        Box::pin(async move {
            let filter = crate::directory::filter_of(query);
            let snapshot = self.store.directory(&filter).await.map_err(|e| ServiceError::Unavailable(e.to_string()))?;
            crate::directory::directory_of(snapshot)
        })
    }

    /// Credits workflows issued to the customer (the `credits` table the outbox writes).
    fn credit_history<'a>(&'a self, customer: &'a str, since: i64) -> ServiceFuture<'a, Vec<CreditRecord>> {
        Box::pin(async move {
            let entries = self
                .store
                .credit_history(customer, since)
                .await
                .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
            Ok(entries
                .into_iter()
                .map(|c| CreditRecord {
                    key: c.key,
                    amount_cents: c.amount_cents,
                    currency: c.currency,
                    issued_at: c.issued_at_ms,
                    reason: c.reason,
                })
                .collect())
        })
    }
}
