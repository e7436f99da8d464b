//! The `weft:plugin/host` imports: answered from the invocation's own state, with every
//! capability-gated call checked against the deployment's grants first.

use crate::bindings::{wit_effects, wit_host as h, wit_types};
use crate::capability::Capability;
use crate::convert;
use crate::logs::LogLevel;
use crate::state::HostState;

/// Keys and values a plugin may store, so one plugin cannot fill the database.
const MAX_KV_KEY: usize = 256;
const MAX_KV_VALUE: usize = 64 * 1024;

impl HostState {
    fn gate(&mut self, capability: Capability) -> Result<(), h::HostError> {
        self.grants.check(capability).map_err(|denial| {
            tracing::info!(
                error.type = "capability_denied",
                capability = denial.capability.as_str(),
                kv_scope = &*self.kv_scope,
                "plugin capability denied"
            );
            self.denials.push(denial.clone());
            h::HostError::Denied(h::Denial { capability: denial.capability, message: denial.message })
        })
    }

    fn check_key(key: &str) -> Result<(), h::HostError> {
        if key.is_empty() || key.len() > MAX_KV_KEY {
            return Err(h::HostError::Invalid(format!("kv keys must be 1 to {MAX_KV_KEY} bytes, got {}", key.len())));
        }
        Ok(())
    }
}

impl wit_types::Host for HostState {}
impl wit_effects::Host for HostState {}

impl h::Host for HostState {
    fn log(&mut self, level: h::LogLevel, message: String) {
        let level = match level {
            h::LogLevel::Trace => LogLevel::Trace,
            h::LogLevel::Debug => LogLevel::Debug,
            h::LogLevel::Info => LogLevel::Info,
            h::LogLevel::Warn => LogLevel::Warn,
            h::LogLevel::Error => LogLevel::Error,
        };
        self.logs.push(level, message);
    }

    fn now(&mut self) -> i64 {
        self.now_ms
    }

    fn random(&mut self) -> u64 {
        self.next_random()
    }

    fn config(&mut self) -> String {
        self.config.to_string()
    }

    async fn kv_get(&mut self, key: String) -> Result<Option<String>, h::HostError> {
        self.gate(Capability::Kv)?;
        Self::check_key(&key)?;
        // A plugin reads its own writes from earlier in the same invocation.
        if let Some(buffered) = self.kv_writes.get(&key) {
            return Ok(buffered.clone());
        }
        let services = self.services.clone();
        let scope = self.kv_scope.clone();
        services.kv_get(&scope, &key).await.map_err(host_error)
    }

    fn kv_set(&mut self, key: String, value: String) -> Result<(), h::HostError> {
        self.gate(Capability::Kv)?;
        Self::check_key(&key)?;
        if value.len() > MAX_KV_VALUE {
            return Err(h::HostError::Limit(format!(
                "kv values are limited to {MAX_KV_VALUE} bytes, got {}",
                value.len()
            )));
        }
        self.kv_writes.insert(key, Some(value));
        Ok(())
    }

    fn kv_delete(&mut self, key: String) -> Result<(), h::HostError> {
        self.gate(Capability::Kv)?;
        Self::check_key(&key)?;
        self.kv_writes.insert(key, None);
        Ok(())
    }

    async fn kb_search(&mut self, query: h::KbQuery) -> Result<Vec<h::KbHit>, h::HostError> {
        self.gate(Capability::KbRead)?;
        if query.limit == 0 || query.limit > 100 {
            return Err(h::HostError::Invalid(format!("kb-search limit must be 1 to 100, got {}", query.limit)));
        }
        let services = self.services.clone();
        let hits = services.kb_search(convert::kb_query_out(query)).await;
        hits.map(|hits| hits.into_iter().map(convert::kb_hit_in).collect()).map_err(host_error)
    }

    async fn agent_directory(&mut self, query: h::AgentQuery) -> Result<h::Directory, h::HostError> {
        self.gate(Capability::AgentsRead)?;
        let services = self.services.clone();
        let dir = services.agent_directory(convert::agent_query_out(query)).await;
        dir.map(convert::directory_in).map_err(host_error)
    }

    async fn credit_history(&mut self, customer: String, since: i64) -> Result<Vec<h::CreditRecord>, h::HostError> {
        self.gate(Capability::CreditsRead)?;
        let services = self.services.clone();
        let records = services.credit_history(&customer, since).await;
        records.map(|records| records.into_iter().map(convert::credit_record_in).collect()).map_err(host_error)
    }
}

/// A service failure as the plugin sees it.
fn host_error(err: crate::services::ServiceError) -> h::HostError {
    match err {
        crate::services::ServiceError::Invalid(message) => h::HostError::Invalid(message),
        crate::services::ServiceError::Unavailable(message) => h::HostError::Unavailable(message),
    }
}
