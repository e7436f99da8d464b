//! Publishing and listing plugins.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::json;
use weft_store::{AuditEvent, NewPlugin, Published, Role};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::extract::{Json, Path};

/// The request body of `POST /v1/plugins`, for the OpenAPI document: raw bytes.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Component(#[allow(dead_code)] Vec<u8>);

/// Header carrying the digest the uploader computed, so a corrupted upload is refused.
pub const DIGEST_HEADER: &str = "x-weft-digest";

#[utoipa::path(
    post,
    path = "/v1/plugins",
    tag = "plugins",
    params(("x-weft-digest" = Option<String>, Header, description = "sha256:<hex> of the body; a mismatch is refused")),
    request_body(content = Component, content_type = "application/octet-stream", description = "The bytes of a WebAssembly component built against the weft:plugin WIT world (any content type is accepted)"),
    responses((status = 201, description = "Published", body = serde_json::Value), (status = 200, description = "This exact component was already published under its name and version", body = serde_json::Value)),
)]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    caller.require(&[Role::PluginDeveloper], "plugin.publish")?;
    let digest = weft_runtime::digest(&body);
    if let Some(claimed) = headers.get(DIGEST_HEADER) {
        let claimed = claimed.to_str().unwrap_or_default().trim();
        if claimed != digest {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "digest-mismatch",
                format!(
                    "the uploaded bytes hash to {digest}, but the request declared {claimed}; the file \
                     changed or was cut short on the way, so nothing was published; upload it again"
                ),
            )
            .details(json!({ "declared": claimed, "actual": digest })));
        }
    }
    let runtime = state.runtime.clone();
    let bytes = body.clone();
    let plugin = tokio::task::spawn_blocking(move || runtime.load(&bytes, None))
        .await
        .map_err(|e| ApiError::bad_request(format!("loading the plugin panicked: {e}")))??;
    let manifest = serde_json::to_value(&plugin.manifest).unwrap_or_default();
    let published = state
        .store
        .publish_plugin(NewPlugin {
            name: plugin.manifest.name.clone(),
            version: plugin.manifest.version.to_string(),
            digest: plugin.digest.clone(),
            contract_version: plugin.contract_version.to_string(),
            manifest,
            component: body.to_vec(),
            uploaded_by: caller.username().to_string(),
        })
        .await?;
    let (status, record, outcome) = match published {
        Published::Created(record) => (StatusCode::CREATED, record, "created"),
        Published::AlreadyPublished(record) => (StatusCode::OK, record, "already_published"),
    };
    // Written after the publish committed, so the log records what happened rather than what was
    // attempted; if it cannot be written the caller gets an error and retries, which lands as
    // `already_published`.
    state
        .store
        .audit(AuditEvent {
            actor: caller.username().to_string(),
            action: "plugin.publish".into(),
            target: format!("{}@{}", record.name, record.version),
            details: json!({ "digest": record.digest, "outcome": outcome }),
        })
        .await?;
    tracing::info!(plugin = %plugin.manifest.id(), digest = %plugin.digest, by = caller.username(), "plugin published");
    Ok((status, Json(serde_json::to_value(record).unwrap_or_default())))
}

#[utoipa::path(
    get,
    path = "/v1/plugins",
    tag = "plugins",
    responses((status = 200, description = "Every published plugin version", body = serde_json::Value)),
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(&[Role::PluginDeveloper, Role::Operator, Role::Integrator], "plugin.read")?;
    let plugins = state.store.list_plugins().await?;
    Ok(Json(json!({ "items": plugins })))
}

#[utoipa::path(
    get,
    path = "/v1/plugins/{name}/{version}",
    tag = "plugins",
    params(("name" = String, Path, description = "Plugin name"), ("version" = String, Path, description = "Exact semver version")),
    responses((status = 200, description = "The manifest, capabilities and config schema of one version", body = serde_json::Value)),
)]
pub async fn inspect(
    State(state): State<AppState>,
    caller: Caller,
    Path((name, version)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(&[Role::PluginDeveloper, Role::Operator, Role::Integrator], "plugin.read")?;
    let record = state.store.get_plugin(&name, &version).await?.ok_or_else(|| {
        ApiError::not_found(format!("plugin {name}@{version} is not published; see `weft plugin list`"))
    })?;
    let capabilities: Vec<serde_json::Value> = record
        .manifest
        .get("capabilities")
        .and_then(|c| c.as_array())
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str())
        .map(|c| {
            let describe = c.parse::<weft_runtime::Capability>().map(|c| c.describe()).unwrap_or("");
            json!({ "name": c, "description": describe })
        })
        .collect();
    let mut body = serde_json::to_value(&record).unwrap_or_default();
    if let Some(obj) = body.as_object_mut() {
        obj.insert("capabilities".into(), capabilities.into());
        obj.insert("config_schema".into(), record.manifest.get("config-schema").cloned().unwrap_or_default());
    }
    Ok(Json(body))
}
