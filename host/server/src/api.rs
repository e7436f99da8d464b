//! The HTTP API: router and shared state.

mod agents;
mod auth;
pub mod connection;
mod customers;
mod deployments;
pub mod error;
mod events;
mod hook_secrets;
pub mod kb;
mod kb_articles;
pub mod kb_editor;
mod kb_history;
mod kb_review;
mod kb_search;
mod kb_spaces;
mod kb_sync;
mod plugins;
mod rollouts;
mod runs;
mod sessions;
mod ticket_schema;
mod webhooks;
mod workflows;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{delete, get, post, put};
use weft_runtime::{Deployment, LoadedPlugin, Runtime};
use weft_store::Store;

use self::error::ApiError;
use crate::events::Dispatcher;
use crate::webhooks::rate_limit::RateLimiter;

/// Largest component accepted by `POST /v1/plugins`.
pub const MAX_COMPONENT_BYTES: usize = 64 * 1024 * 1024;

/// A deployment bound to its loaded plugin, with the store revision it was built from.
type BoundDeployments = HashMap<String, (i64, Arc<Deployment>)>;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub runtime: Arc<Runtime>,
    /// Queues and sends outbound events.
    pub events: Dispatcher,
    /// Per-caller limits on inbound workflow hooks.
    pub hook_limits: Arc<RateLimiter>,
    /// Deployments bound to loaded plugins, keyed by name, valid while the revision matches.
    deployments: Arc<Mutex<BoundDeployments>>,
    /// The durable workflow executor (runs, outbox, resume).
    pub engine: weft_workflow::Engine,
    /// What plugins reach through host imports; one for the engine and operator invocations.
    pub services: Arc<crate::services::StoreServices>,
}

impl FromRef<AppState> for Store {
    fn from_ref(state: &AppState) -> Store {
        state.store.clone()
    }
}

impl AppState {
    pub fn new(
        store: Store,
        runtime: Arc<Runtime>,
        events: Dispatcher,
        hook_limits: RateLimiter,
        kb: Arc<weft_kb::Kb>,
    ) -> Self {
        let services = Arc::new(crate::services::StoreServices::new(store.clone(), kb));
        let engine = weft_workflow::Engine::new(store.clone(), runtime.clone(), services.clone());
        Self {
            store,
            runtime,
            events,
            hook_limits: Arc::new(hook_limits),
            deployments: Arc::default(),
            engine,
            services,
        }
    }

    /// Loads a published plugin's component (compiled code comes from the runtime's caches).
    pub async fn plugin(&self, name: &str, version: &str) -> Result<Arc<LoadedPlugin>, ApiError> {
        let record = self.store.get_plugin(name, version).await?.ok_or_else(|| {
            ApiError::not_found(format!("plugin {name}@{version} is not published; see `weft plugin list`"))
        })?;
        let bytes = self.store.plugin_component(&record.digest).await?.ok_or_else(|| {
            ApiError::not_found(format!(
                "the component of {name}@{version} ({}) is missing from the store",
                record.digest
            ))
        })?;
        let runtime = self.runtime.clone();
        let loaded = tokio::task::spawn_blocking(move || runtime.load(&bytes, None))
            .await
            .map_err(|e| ApiError::bad_request(format!("loading the plugin panicked: {e}")))??;
        Ok(loaded)
    }
}

/// Workflows, webhooks and runs (weft-workflow).
fn workflow_routes() -> Router<AppState> {
    Router::new()
        .route("/v1/workflows", get(workflows::list))
        .route("/v1/workflows/validate", post(workflows::validate))
        .route("/v1/workflows/{name}", put(workflows::put).get(workflows::show))
        .route("/v1/hooks/{path}", post(webhooks::trigger))
        .route("/v1/workflows/{name}/rollouts", post(rollouts::start))
        .route("/v1/rollouts", get(rollouts::list))
        .route("/v1/rollouts/{id}", get(rollouts::show).patch(rollouts::set_percent))
        .route("/v1/rollouts/{id}/rollback", post(rollouts::rollback))
        .route("/v1/backtests", post(rollouts::backtest))
        .route("/v1/schemas/ticket.json", get(ticket_schema::serve))
        .route("/v1/runs", get(runs::list))
        .route("/v1/runs/{id}", get(runs::show))
        .route("/v1/runs/{id}/cancel", post(runs::cancel))
        .route("/v1/runs/{id}/approvals", post(runs::vote))
        .route("/v1/runs/{id}/sla", post(runs::sla))
        .route("/v1/cases/{ticket}", get(runs::case))
        .route("/v1/customers/{customer}/credits", get(runs::credits))
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { axum::Json(serde_json::json!({ "status": "ok" })) }))
        .route("/v1/sessions", post(sessions::login).delete(sessions::logout))
        .route("/v1/sessions/me", get(sessions::me))
        .route("/v1/plugins", post(plugins::publish).get(plugins::list))
        .route("/v1/plugins/{name}/{version}", get(plugins::inspect))
        .route("/v1/deployments", get(deployments::list))
        .route("/v1/deployments/{name}", put(deployments::put).get(deployments::show))
        .route("/v1/deployments/{name}/invoke", post(deployments::invoke))
        .route("/v1/event-subscriptions", post(events::create).get(events::list))
        .route("/v1/event-subscriptions/{id}", delete(events::delete))
        .route("/v1/event-subscriptions/{id}/ping", post(events::ping))
        .route("/v1/event-deliveries", get(events::deliveries))
        .route("/v1/event-deliveries/{id}", get(events::delivery))
        .route("/v1/event-deliveries/{id}/replay", post(events::replay))
        .route("/v1/hook-secrets", post(hook_secrets::create).get(hook_secrets::list))
        .route("/v1/hook-secrets/{id}", delete(hook_secrets::retire))
        .merge(workflow_routes())
        .merge(agents::routes())
        .merge(customers::routes())
        .layer(DefaultBodyLimit::max(MAX_COMPONENT_BYTES))
        .with_state(state)
}

/// Appends an audit entry for what `caller` just did.
pub(crate) async fn audit(
    state: &AppState,
    caller: &auth::Caller,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> Result<(), error::ApiError> {
    let actor = caller.username().to_owned();
    let event = weft_store::AuditEvent { actor, action: action.into(), target: target.into(), details };
    state.store.audit(event).await?;
    Ok(())
}
