//! Workflow definitions: validate and deploy YAML as new immutable versions.
//!
//! `PUT /v1/workflows/{name}` takes the YAML file as the body, so what an operator validated
//! locally is byte for byte what is stored and what line numbers refer to.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use weft_store::{AuditEvent, Role};
use weft_workflow::{Diagnostic, Resolved};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::extract::{Json, Path, Query};

/// Validates against the registry and binds every step (config schemas, grants, limits).
async fn check(state: &AppState, body: &[u8]) -> Result<Result<Resolved, Vec<Diagnostic>>, ApiError> {
    let Ok(source) = std::str::from_utf8(body) else {
        return Ok(Err(vec![Diagnostic {
            line: 1,
            field: String::new(),
            message: "the file is not UTF-8 text; save it as UTF-8".into(),
        }]));
    };
    let catalog = weft_workflow::catalog::from_store(&state.store).await?;
    let resolved = match weft_workflow::validate(source, &catalog) {
        Ok(r) => r,
        Err(problems) => return Ok(Err(problems)),
    };
    let binding_problems = state.engine.check_bindings(&resolved).await;
    if binding_problems.is_empty() {
        return Ok(Ok(resolved));
    }
    // Binding errors come from the plugin (config schema, limits): point at the step's config.
    let marked = weft_workflow::definition::yaml::parse(source).unwrap_or_default();
    Ok(Err(binding_problems
        .into_iter()
        .map(|(step, message)| {
            let field = format!("{step}.config");
            Diagnostic { line: marked.line_of(&field), field, message }
        })
        .collect()))
}

fn invalid(problems: Vec<Diagnostic>) -> ApiError {
    let first = problems.first().map(|d| d.render("workflow")).unwrap_or_default();
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-workflow",
        format!("the workflow has {} problem(s), first: {first}; nothing was deployed", problems.len()),
    )
    .details(json!({ "diagnostics": problems }))
}

/// `POST /v1/workflows/validate`: the diagnostics, deploying nothing.
#[utoipa::path(
    post,
    path = "/v1/workflows/validate",
    tag = "workflows",
    request_body(content = String, content_type = "application/yaml", description = "A workflow definition (YAML)"),
    responses((status = 200, description = "`valid` and every diagnostic with line and field; nothing is deployed", body = serde_json::Value)),
)]
pub async fn validate(State(state): State<AppState>, caller: Caller, body: Bytes) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Operator, Role::PluginDeveloper], "workflow.read")?;
    Ok(Json(match check(&state, &body).await? {
        Ok(resolved) => json!({ "valid": true, "diagnostics": [], "pins": pins_json(&resolved) }),
        Err(problems) => json!({ "valid": false, "diagnostics": problems }),
    }))
}

fn pins_json(resolved: &Resolved) -> Value {
    resolved
        .pins
        .iter()
        .map(|(step, (plugin, version))| (step.clone(), Value::from(format!("{plugin}@{version}"))))
        .collect()
}

/// `PUT /v1/workflows/{name}`: a new immutable version (or the latest, if unchanged).
#[utoipa::path(
    put,
    path = "/v1/workflows/{name}",
    tag = "workflows",
    params(("name" = String, Path, description = "Workflow name (must match the file's `name`)")),
    request_body(content = String, content_type = "application/yaml", description = "A workflow definition (YAML)"),
    responses((status = 201, description = "Deployed as a new immutable version", body = serde_json::Value), (status = 200, description = "Unchanged: the latest version already has this source", body = serde_json::Value)),
)]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(&[Role::Operator], "workflow.deploy")?;
    let resolved = check(&state, &body).await?.map_err(invalid)?;
    if resolved.definition.name != name {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "name-mismatch",
            format!(
                "the file defines workflow `{}` but was sent to /v1/workflows/{name}; deploy it under its own name",
                resolved.definition.name
            ),
        ));
    }
    let source = String::from_utf8_lossy(&body);
    let (version, created) = state
        .store
        .put_workflow_version(
            &name,
            &resolved.definition.trigger.webhook,
            &source,
            pins_json(&resolved),
            caller.username(),
        )
        .await?;
    if created {
        state
            .store
            .audit(AuditEvent {
                actor: caller.username().to_string(),
                action: "workflow.deploy".into(),
                target: name.clone(),
                details: json!({ "version": version.version, "pins": version.pins, "webhook": version.webhook }),
            })
            .await?;
    }
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(json!({ "created": created, "workflow": version }))))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    version: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/v1/workflows/{name}",
    tag = "workflows",
    params(("name" = String, Path, description = "Workflow name"), VersionQuery),
    responses((status = 200, description = "One version with its source and plugin pins", body = serde_json::Value)),
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Operator, Role::PluginDeveloper, Role::Integrator], "workflow.read")?;
    let version = state.store.get_workflow_version(&name, q.version).await?.ok_or_else(|| {
        ApiError::not_found(match q.version {
            Some(v) => format!("workflow `{name}` has no version {v}; `weft workflow show {name}` shows the latest"),
            None => format!("workflow `{name}` is not deployed; deploy it with `weft workflow deploy FILE`"),
        })
    })?;
    Ok(Json(serde_json::to_value(version).unwrap_or_default()))
}

#[utoipa::path(
    get,
    path = "/v1/workflows",
    tag = "workflows",
    responses((status = 200, description = "The latest version of every workflow", body = serde_json::Value)),
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Operator, Role::PluginDeveloper, Role::Integrator], "workflow.read")?;
    let items: Vec<Value> = state
        .store
        .list_workflows()
        .await?
        .into_iter()
        .map(|w| json!({ "name": w.name, "version": w.version, "webhook": w.webhook, "pins": w.pins, "created_at": w.created_at, "created_by": w.created_by }))
        .collect();
    Ok(Json(json!({ "items": items })))
}
