//! The HTTP API: router and shared state.

mod agents;
mod auth;
pub mod connection;
mod customers;
mod deployments;
pub mod error;
mod etag;
mod events;
mod extract;
mod hook_secrets;
pub mod kb;
mod kb_articles;
pub mod kb_editor;
mod kb_history;
mod kb_review;
mod kb_search;
mod kb_spaces;
mod kb_sync;
pub mod openapi;
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
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
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
fn workflow_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(workflows::list))
        .routes(routes!(workflows::validate))
        .routes(routes!(workflows::put, workflows::show))
        .routes(routes!(webhooks::trigger))
        .routes(routes!(rollouts::start))
        .routes(routes!(rollouts::list))
        .routes(routes!(rollouts::show, rollouts::set_percent))
        .routes(routes!(rollouts::rollback))
        .routes(routes!(rollouts::backtest))
        .routes(routes!(ticket_schema::serve))
        .routes(routes!(runs::list))
        .routes(routes!(runs::show))
        .routes(routes!(runs::cancel))
        .routes(routes!(runs::vote))
        .routes(routes!(runs::sla))
        .routes(routes!(runs::case))
        .routes(routes!(runs::credits))
}

/// Every `/v1` route outside the knowledge base, each described by its `#[utoipa::path]`.
fn app_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(sessions::login, sessions::logout))
        .routes(routes!(sessions::me))
        .routes(routes!(plugins::publish, plugins::list))
        .routes(routes!(plugins::inspect))
        .routes(routes!(deployments::list))
        .routes(routes!(deployments::put, deployments::show))
        .routes(routes!(deployments::invoke))
        .routes(routes!(events::create, events::list))
        .routes(routes!(events::delete))
        .routes(routes!(events::ping))
        .routes(routes!(events::deliveries))
        .routes(routes!(events::delivery))
        .routes(routes!(events::replay))
        .routes(routes!(hook_secrets::create, hook_secrets::list))
        .routes(routes!(hook_secrets::retire))
        .merge(workflow_routes())
        .merge(agents::routes())
        .merge(customers::routes())
}

/// The `/v1` API with its OpenAPI document (built once, from the same routers that serve) and
/// docs page; the knowledge base has its own state.
pub fn router(state: AppState, kb: Arc<weft_kb::Kb>) -> Router {
    let (app, mut document) = app_routes().split_for_parts();
    let (kb_routes, kb_document) = kb::routes().split_for_parts();
    document.merge(kb_document);
    Router::new()
        .route("/healthz", get(|| async { axum::Json(serde_json::json!({ "status": "ok" })) }))
        .merge(app.layer(DefaultBodyLimit::max(MAX_COMPONENT_BYTES)).with_state(state))
        .merge(kb::with_state(kb_routes, kb))
        .merge(openapi::docs(openapi::finish(document)))
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
