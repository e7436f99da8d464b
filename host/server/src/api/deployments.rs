//! Deployments: an operator binds a plugin version to grants, configuration and limits; the
//! workflow engine (and `invoke`, for operators trying a plugin out) runs it.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use weft_runtime::model::StepInput;
use weft_runtime::{Capability, Deployment, DeploymentSpec, InvocationContext, LimitSettings};
use weft_store::{AuditEvent, DeploymentRecord, Role};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::etag::tagged;
use super::extract::{Json, Path};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutDeployment {
    /// `name@version` of a published plugin.
    pub plugin: String,
    /// Capabilities granted, e.g. `kv`, `http:api.example.com`, `agents.read`.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub grants: Vec<Capability>,
    /// Checked against the plugin's config schema.
    #[serde(default)]
    pub config: Option<serde_json::Value>,
    /// Fuel, memory and time limits; omitted ones take the defaults.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub limits: LimitSettings,
}

fn split_id(id: &str) -> Result<(&str, &str), ApiError> {
    id.split_once('@').ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("`{id}` is not name@version (e.g. router@1.2.0)"),
        )
    })
}

fn with_etag(record: &DeploymentRecord, status: StatusCode) -> Response {
    tagged(status, &record.revision.to_string(), record)
}

#[utoipa::path(
    put,
    path = "/v1/deployments/{name}",
    tag = "deployments",
    params(("name" = String, Path, description = "Deployment name"), ("If-Match" = Option<String>, Header, description = "The ETag last read; a stale one is refused with 412 instead of overwriting")),
    request_body = PutDeployment,
    responses((status = 201, description = "Created", body = weft_store::DeploymentRecord, headers(("etag" = String, description = "The revision, for If-Match"))), (status = 200, description = "Replaced", body = weft_store::DeploymentRecord, headers(("etag" = String, description = "The revision, for If-Match")))),
)]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
    Json(body): Json<PutDeployment>,
) -> Result<Response, ApiError> {
    caller.require(&[Role::Operator], "deployment.write")?;
    let (plugin_name, version) = split_id(&body.plugin)?;
    let if_revision = match headers.get(header::IF_MATCH) {
        None => None,
        Some(value) => Some(value.to_str().unwrap_or_default().trim_matches('"').parse::<i64>().map_err(|_| {
            ApiError::bad_request("If-Match must be the deployment's ETag, a quoted revision number such as \"3\"")
        })?),
    };
    let spec = DeploymentSpec {
        name: name.clone(),
        grants: body.grants.clone(),
        config: body.config.clone().unwrap_or_else(|| json!({})),
        limits: body.limits,
    };
    // Validate against the real plugin before anything is stored.
    let plugin = state.plugin(plugin_name, version).await?;
    state.runtime.deploy(plugin, &spec)?;
    let record = state
        .store
        .put_deployment(
            weft_store::DeploymentSpec {
                name,
                plugin: plugin_name.to_string(),
                version: version.to_string(),
                grants: spec.grants.iter().map(|c| c.to_string()).collect(),
                config: spec.config,
                limits: serde_json::to_value(spec.limits).unwrap_or_default(),
                updated_by: caller.username().to_string(),
            },
            if_revision,
        )
        .await?;
    // After the change committed, so only changes that happened are logged; a failed audit write
    // fails the request, and the caller's retry is logged as the next revision.
    state
        .store
        .audit(AuditEvent {
            actor: caller.username().to_string(),
            action: "deployment.put".into(),
            target: record.name.clone(),
            details: json!({
                "plugin": format!("{}@{}", record.plugin, record.version),
                "grants": record.grants,
                "revision": record.revision,
            }),
        })
        .await?;
    tracing::info!(deployment = %record.name, plugin = %body.plugin, revision = record.revision, by = caller.username(), "deployment saved");
    let status = if record.revision == 1 { StatusCode::CREATED } else { StatusCode::OK };
    Ok(with_etag(&record, status))
}

#[utoipa::path(
    get,
    path = "/v1/deployments/{name}",
    tag = "deployments",
    params(("name" = String, Path, description = "Deployment name")),
    responses((status = 200, description = "The deployment", body = weft_store::DeploymentRecord, headers(("etag" = String, description = "The revision, for If-Match")))),
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(&[Role::Operator, Role::PluginDeveloper], "deployment.read")?;
    let record = state.store.get_deployment(&name).await?.ok_or_else(|| not_found(&name))?;
    Ok(with_etag(&record, StatusCode::OK))
}

#[utoipa::path(
    get,
    path = "/v1/deployments",
    tag = "deployments",
    responses((status = 200, description = "Every deployment", body = serde_json::Value)),
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(&[Role::Operator, Role::PluginDeveloper], "deployment.read")?;
    Ok(Json(json!({ "items": state.store.list_deployments().await? })))
}

fn not_found(name: &str) -> ApiError {
    ApiError::not_found(format!(
        "deployment `{name}` does not exist; create it with `weft deployment put {name} --plugin NAME@VERSION`"
    ))
}

async fn bound(state: &AppState, name: &str) -> Result<Arc<Deployment>, ApiError> {
    let record = state.store.get_deployment(name).await?.ok_or_else(|| not_found(name))?;
    if let Some((revision, deployment)) = state.deployments.lock().ok().and_then(|d| d.get(name).cloned())
        && revision == record.revision
    {
        return Ok(deployment);
    }
    let grants = record
        .grants
        .iter()
        .map(|g| g.parse::<Capability>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let limits: LimitSettings = serde_json::from_value(record.limits.clone()).unwrap_or_default();
    let spec = DeploymentSpec { name: record.name.clone(), grants, config: record.config.clone(), limits };
    let plugin = state.plugin(&record.plugin, &record.version).await?;
    let deployment = Arc::new(state.runtime.deploy(plugin, &spec)?);
    if let Ok(mut cache) = state.deployments.lock() {
        cache.insert(name.to_string(), (record.revision, deployment.clone()));
    }
    Ok(deployment)
}

/// Runs the deployment on one input and returns the full report. Key-value writes are committed
/// only when the plugin succeeded, exactly as a workflow step does.
#[utoipa::path(
    post,
    path = "/v1/deployments/{name}/invoke",
    tag = "deployments",
    params(("name" = String, Path, description = "Deployment name")),
    request_body(content = serde_json::Value, description = "A step input: the ticket, the earlier steps' outputs and the step's context"),
    responses((status = 200, description = "The invocation report: result or error, effects, fuel, duration, logs", body = serde_json::Value)),
)]
pub async fn invoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Json(input): Json<StepInput>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(&[Role::Operator, Role::PluginDeveloper], "deployment.invoke")?;
    let deployment = bound(&state, &name).await?;
    let ctx = InvocationContext {
        now_ms: chrono::Utc::now().timestamp_millis(),
        seed: seed_for(&input),
        services: state.services.clone(),
    };
    let report = state.runtime.invoke(&deployment, &input, &ctx).await;
    if report.result.is_ok() && !report.kv_writes.is_empty() {
        state.store.kv_apply(&deployment.plugin.manifest.name, &report.kv_writes).await?;
    }
    Ok(Json(serde_json::to_value(&report).unwrap_or_default()))
}

/// Same run, step and attempt give the same seed, so a replay sees the same randomness.
fn seed_for(input: &StepInput) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    (&input.run_id, &input.step, input.attempt).hash(&mut h);
    h.finish()
}
