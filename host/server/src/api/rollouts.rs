//! Rollouts of a candidate plugin version on a workflow step (canary, shadow, instant rollback)
//! and back-tests of a candidate against recorded inputs.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use weft_store::Role;
use weft_workflow::RolloutRequest;

use super::auth::Caller;
use super::error::ApiError;
use super::extract::{Json, Path, Query};
use super::webhooks::engine_error;
use super::{AppState, audit};

/// Rollouts change what live runs execute: operators decide that.
const CHANGE: &[Role] = &[Role::Operator];
/// Reading results and back-testing change nothing: plugin developers need them too.
const READ: &[Role] = &[Role::Operator, Role::PluginDeveloper];
/// Samples shown with a rollout's summary.
const SAMPLES: u64 = 5;

/// `POST /v1/workflows/{name}/rollouts`
#[utoipa::path(
    post,
    path = "/v1/workflows/{name}/rollouts",
    tag = "workflows",
    params(("name" = String, Path, description = "Workflow name")),
    request_body(content = serde_json::Value, description = "{step, candidate: plugin@version, mode: canary|shadow, percent, sticky_by: ticket|customer}"),
    responses((status = 201, description = "Started", body = serde_json::Value)),
)]
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    Path(workflow): Path<String>,
    Json(request): Json<RolloutRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(CHANGE, "rollout.start")?;
    let rollout = state.engine.start_rollout(&workflow, request, caller.username()).await.map_err(engine_error)?;
    let details = json!({"workflow": rollout.workflow, "step": rollout.step, "candidate": rollout.candidate,
                         "mode": rollout.mode, "percent": rollout.percent});
    audit(&state, &caller, "rollout.start", &rollout.id, details).await?;
    Ok((StatusCode::CREATED, Json(json!(rollout))))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    workflow: Option<String>,
}

/// `GET /v1/rollouts?workflow=`
#[utoipa::path(
    get,
    path = "/v1/rollouts",
    tag = "workflows",
    params(ListQuery),
    responses((status = 200, description = "Rollouts, newest first", body = serde_json::Value)),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ, "rollout.read")?;
    Ok(Json(json!({ "items": state.store.rollouts(q.workflow.as_deref()).await? })))
}

/// `GET /v1/rollouts/{id}`: the rollout with its diff summary.
#[utoipa::path(
    get,
    path = "/v1/rollouts/{id}",
    tag = "workflows",
    params(("id" = String, Path, description = "The rollout's id")),
    responses((status = 200, description = "The rollout with its diff summary (counts per arm, differing fields, samples)", body = serde_json::Value)),
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ, "rollout.read")?;
    let rollout = state
        .store
        .get_rollout(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("rollout {id} does not exist; GET /v1/rollouts lists them")))?;
    let summary = state.engine.rollout_summary(&id, SAMPLES).await.map_err(engine_error)?;
    Ok(Json(json!({ "rollout": rollout, "summary": summary })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PercentBody {
    percent: u8,
}

/// `PATCH /v1/rollouts/{id}` `{"percent": n}`: widen or narrow a canary.
#[utoipa::path(
    patch,
    path = "/v1/rollouts/{id}",
    tag = "workflows",
    params(("id" = String, Path, description = "The rollout's id")),
    request_body = PercentBody,
    responses((status = 200, description = "The canary's new share", body = serde_json::Value)),
)]
pub async fn set_percent(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<PercentBody>,
) -> Result<Json<Value>, ApiError> {
    caller.require(CHANGE, "rollout.change")?;
    let rollout = state.engine.set_rollout_percent(&id, body.percent).await.map_err(engine_error)?;
    audit(&state, &caller, "rollout.percent", &id, json!({"percent": body.percent})).await?;
    Ok(Json(json!(rollout)))
}

/// `POST /v1/rollouts/{id}/rollback`: the next execution of the step uses the stable version.
#[utoipa::path(
    post,
    path = "/v1/rollouts/{id}/rollback",
    tag = "workflows",
    params(("id" = String, Path, description = "The rollout's id")),
    responses((status = 200, description = "Rolled back: the next execution of the step uses the pinned version", body = serde_json::Value)),
)]
pub async fn rollback(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(CHANGE, "rollout.rollback")?;
    let rollout = state.engine.roll_back(&id, caller.username()).await.map_err(engine_error)?;
    let details = json!({"workflow": rollout.workflow, "step": rollout.step, "candidate": rollout.candidate});
    audit(&state, &caller, "rollout.rollback", &id, details).await?;
    Ok(Json(json!(rollout)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BacktestBody {
    /// `plugin@version`.
    candidate: String,
    /// How far back, e.g. `7d`, `12h`.
    since: String,
    #[serde(default)]
    workflow: Option<String>,
    /// Recorded executions to replay, newest first (default 1000, at most 10 000).
    #[serde(default)]
    limit: Option<u64>,
}

const BACKTEST_MAX: u64 = 10_000;

/// `POST /v1/backtests`: what the candidate would have decided on recorded inputs; applies nothing.
#[utoipa::path(
    post,
    path = "/v1/backtests",
    tag = "workflows",
    request_body = BacktestBody,
    responses((status = 200, description = "What the candidate would have decided differently; nothing is applied", body = serde_json::Value)),
)]
pub async fn backtest(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<BacktestBody>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ, "rollout.read")?;
    let window = weft_workflow::duration::parse(&body.since).map_err(|e| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", format!("since: {e}; use e.g. `7d` or `12h`"))
    })?;
    let limit = body.limit.unwrap_or(1000);
    if limit == 0 || limit > BACKTEST_MAX {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("limit must be 1..={BACKTEST_MAX}, not {limit}"),
        ));
    }
    let since = chrono::Utc::now() - chrono::Duration::from_std(window).unwrap_or(chrono::Duration::zero());
    let report =
        state.engine.backtest(&body.candidate, since, body.workflow.as_deref(), limit).await.map_err(engine_error)?;
    Ok(Json(json!(report)))
}
