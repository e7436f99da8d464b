//! The HTTP API: router and shared state.

mod auth;
mod deployments;
pub mod error;
pub mod kb_editor;
mod plugins;
mod sessions;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{get, post, put};
use weft_runtime::{Deployment, LoadedPlugin, Runtime};
use weft_store::Store;

use self::error::ApiError;

/// Largest component accepted by `POST /v1/plugins`.
pub const MAX_COMPONENT_BYTES: usize = 64 * 1024 * 1024;

/// A deployment bound to its loaded plugin, with the store revision it was built from.
type BoundDeployments = HashMap<String, (i64, Arc<Deployment>)>;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub runtime: Arc<Runtime>,
    /// Deployments bound to loaded plugins, keyed by name, valid while the revision matches.
    deployments: Arc<Mutex<BoundDeployments>>,
}

impl FromRef<AppState> for Store {
    fn from_ref(state: &AppState) -> Store {
        state.store.clone()
    }
}

impl AppState {
    pub fn new(store: Store, runtime: Arc<Runtime>) -> Self {
        Self { store, runtime, deployments: Arc::default() }
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
        .layer(DefaultBodyLimit::max(MAX_COMPONENT_BYTES))
        .with_state(state)
}
