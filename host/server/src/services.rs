//! The server's `HostServices`: plugin key-value state from the store. Knowledge-base search,
//! the agent directory and credit history answer "unavailable" until their services exist
//! (knowledge-base, routing and workflow issues), so a plugin gets a clear, retryable error.

use weft_runtime::model::{AgentQuery, CreditRecord, Directory, KbHit, KbQuery};
use weft_runtime::services::{HostServices, ServiceError, ServiceFuture};
use weft_store::Store;

pub struct StoreServices {
    store: Store,
}

impl StoreServices {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

fn unavailable<T: Send + 'static>(what: &str) -> ServiceFuture<'static, T> {
    let message = format!("{what} is not available on this Weft server yet");
    Box::pin(async move { Err(ServiceError(message)) })
}

impl HostServices for StoreServices {
    fn kv_get<'a>(&'a self, scope: &'a str, key: &'a str) -> ServiceFuture<'a, Option<String>> {
        Box::pin(async move { self.store.kv_get(scope, key).await.map_err(|e| ServiceError(e.to_string())) })
    }

    fn kb_search(&self, _query: KbQuery) -> ServiceFuture<'_, Vec<KbHit>> {
        unavailable("knowledge-base search")
    }

    fn agent_directory(&self, query: AgentQuery) -> ServiceFuture<'_, Directory> {
        Box::pin(async move {
            let filter = crate::directory::filter_of(query);
            let snapshot = self.store.directory(&filter).await.map_err(|e| ServiceError(e.to_string()))?;
            crate::directory::directory_of(snapshot)
        })
    }

    /// Credits workflows issued to the customer (the `credits` table the outbox writes).
    fn credit_history<'a>(&'a self, customer: &'a str, since: i64) -> ServiceFuture<'a, Vec<CreditRecord>> {
        Box::pin(async move {
            let entries = self.store.credit_history(customer, since).await.map_err(|e| ServiceError(e.to_string()))?;
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
