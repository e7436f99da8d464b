//! What the embedder plugs in behind the capability-gated host imports.
//!
//! The runtime knows nothing of the database or the search index: the server implements this
//! trait over the store, tests over memory. Only reads live here; writes (kv) are buffered by the
//! runtime and handed back in the report, to be committed with the step's decision.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use crate::model::{AgentQuery, CreditRecord, Directory, KbHit, KbQuery};

pub type ServiceFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ServiceError>> + Send + 'a>>;

/// A read the host could not answer. The plugin sees `host-error::invalid` when its request was
/// wrong (the same request will fail again, so a workflow must not retry it) and
/// `host-error::unavailable` when the service failed (retrying may help).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Unavailable(String),
}

pub trait HostServices: Send + Sync + 'static {
    /// Reads one key of a plugin's key-value state; `scope` is the plugin name.
    fn kv_get<'a>(&'a self, scope: &'a str, key: &'a str) -> ServiceFuture<'a, Option<String>>;
    fn kb_search(&self, query: KbQuery) -> ServiceFuture<'_, Vec<KbHit>>;
    fn agent_directory(&self, query: AgentQuery) -> ServiceFuture<'_, Directory>;
    fn credit_history<'a>(&'a self, customer: &'a str, since: i64) -> ServiceFuture<'a, Vec<CreditRecord>>;
}

/// Services held in memory: for `weft plugin test`, fixtures and tests. Knowledge-base search
/// returns the configured hits; the directory and credit history are whatever was set.
#[derive(Debug, Default)]
pub struct MemoryServices {
    pub kv: Mutex<BTreeMap<(String, String), String>>,
    pub kb_hits: Vec<KbHit>,
    pub directory: Directory,
    pub credits: BTreeMap<String, Vec<CreditRecord>>,
}

impl MemoryServices {
    /// Applies a report's buffered writes, as the server does with its store.
    pub fn apply_kv(&self, scope: &str, writes: &[(String, Option<String>)]) {
        let Ok(mut kv) = self.kv.lock() else { return };
        for (key, value) in writes {
            match value {
                Some(value) => kv.insert((scope.to_string(), key.clone()), value.clone()),
                None => kv.remove(&(scope.to_string(), key.clone())),
            };
        }
    }
}

impl HostServices for MemoryServices {
    fn kv_get<'a>(&'a self, scope: &'a str, key: &'a str) -> ServiceFuture<'a, Option<String>> {
        let value = self
            .kv
            .lock()
            .map_err(|_| ServiceError::Unavailable("kv state is unavailable after a panic".into()))
            .map(|kv| kv.get(&(scope.to_string(), key.to_string())).cloned());
        Box::pin(async move { value })
    }

    fn kb_search(&self, query: KbQuery) -> ServiceFuture<'_, Vec<KbHit>> {
        let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
        let hits = self.kb_hits.iter().take(limit).cloned().collect();
        Box::pin(async move { Ok(hits) })
    }

    fn agent_directory(&self, _query: AgentQuery) -> ServiceFuture<'_, Directory> {
        let dir = self.directory.clone();
        Box::pin(async move { Ok(dir) })
    }

    fn credit_history<'a>(&'a self, customer: &'a str, since: i64) -> ServiceFuture<'a, Vec<CreditRecord>> {
        let records = self
            .credits
            .get(customer)
            .map(|all| all.iter().filter(|c| c.issued_at >= since).cloned().collect())
            .unwrap_or_default();
        Box::pin(async move { Ok(records) })
    }
}
