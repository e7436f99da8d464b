//! Runs: list, open one with every step attempt and effect, cancel. Also the case record and
//! credits effects produced.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use weft_store::{AuditEvent, CaseRecord, CreditEntry, Role, RunFilter, RunStatus};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::extract::{Json, Path, Query};
use super::webhooks::{RunSummary, engine_error, run_summary};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only runs of this workflow.
    workflow: Option<String>,
    /// running, compensating, succeeded, failed, compensated, compensation-failed or cancelled.
    status: Option<String>,
    /// The next page: the `next_before` of the previous one.
    before: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    limit: Option<u64>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RunList {
    items: Vec<RunListItem>,
    /// Pass as `before` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_before: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RunListItem {
    #[serde(flatten)]
    summary: RunSummary,
    ticket_id: String,
    created_at: chrono::DateTime<chrono::Utc>,
    finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[utoipa::path(
    get,
    path = "/v1/runs",
    tag = "runs",
    params(ListQuery),
    responses((status = 200, description = "Runs, newest first", body = RunList)),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<RunList>, ApiError> {
    caller.require(&[Role::Operator, Role::Integrator], "run.read")?;
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(RunStatus::parse(s).ok_or_else(|| {
            ApiError::bad_request(format!(
                "unknown status `{s}`; use running, compensating, succeeded, failed, compensated, compensation-failed or cancelled"
            ))
        })?),
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let filter = RunFilter { workflow: q.workflow, status, before: q.before, limit };
    let runs = state.store.list_runs(filter).await?;
    let next_before = (runs.len() as u64 == limit).then(|| runs.last().map(|r| r.id.clone())).flatten();
    let items = runs
        .iter()
        .map(|r| RunListItem {
            summary: run_summary(r),
            ticket_id: r.ticket_id.clone(),
            created_at: r.created_at,
            finished_at: r.finished_at,
        })
        .collect();
    Ok(Json(RunList { items, next_before }))
}

#[utoipa::path(
    get,
    path = "/v1/runs/{id}",
    tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    responses((status = 200, description = "The run with every step attempt (input, output, effects, fuel, duration, error)", body = serde_json::Value)),
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Operator, Role::Integrator], "run.read")?;
    let run = state
        .store
        .get_run(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("run {id} does not exist; `weft workflow runs` lists runs")))?;
    let attempts = state.store.run_attempts(&id).await?;
    let outbox = state.store.run_outbox(&id).await?;
    let messages = state.store.run_messages(&id).await?;
    let timers = state.store.run_timers(&id).await?;
    Ok(Json(json!({
        "run": run,
        "attempts": attempts,
        "effects": outbox,
        "messages": messages,
        "timers": timers,
    })))
}

#[utoipa::path(
    post,
    path = "/v1/runs/{id}/cancel",
    tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    responses((status = 200, description = "Cancelled", body = RunSummary)),
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RunSummary>, ApiError> {
    caller.require(&[Role::Operator], "run.cancel")?;
    let run = state.engine.cancel(&id, caller.username()).await.map_err(engine_error)?;
    state
        .store
        .audit(AuditEvent {
            actor: caller.username().to_string(),
            action: "run.cancel".into(),
            target: id.clone(),
            details: json!({ "workflow": run.workflow, "version": run.version }),
        })
        .await?;
    Ok(Json(run_summary(&run)))
}

#[utoipa::path(
    get,
    path = "/v1/cases/{ticket}",
    tag = "runs",
    params(("ticket" = String, Path, description = "Ticket id")),
    responses((status = 200, description = "What workflows changed on the ticket: assignment, tags, escalation, fields, redactions", body = CaseRecord)),
)]
pub async fn case(
    State(state): State<AppState>,
    caller: Caller,
    Path(ticket): Path<String>,
) -> Result<Json<CaseRecord>, ApiError> {
    caller.require(&[Role::Operator, Role::Integrator, Role::Agent], "case.read")?;
    let record = state
        .store
        .get_case(&ticket)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no workflow has changed ticket {ticket} yet")))?;
    Ok(Json(record))
}

/// Every credit issued to a customer, oldest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreditList {
    items: Vec<CreditEntry>,
}

#[utoipa::path(
    get,
    path = "/v1/customers/{customer}/credits",
    tag = "runs",
    params(("customer" = String, Path, description = "Customer id")),
    responses((status = 200, description = "The customer's credit history", body = CreditList)),
)]
pub async fn credits(
    State(state): State<AppState>,
    caller: Caller,
    Path(customer): Path<String>,
) -> Result<Json<CreditList>, ApiError> {
    caller.require(&[Role::Operator, Role::Integrator, Role::Agent], "case.read")?;
    Ok(Json(CreditList { items: state.store.credit_history(&customer, 0).await? }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    /// The approval step's id.
    step: String,
    /// `approve` or `reject`.
    decision: String,
    #[serde(default)]
    comment: String,
}

/// `POST /v1/runs/{id}/approvals`: approve or reject the approval step a run is waiting on.
#[utoipa::path(
    post,
    path = "/v1/runs/{id}/approvals",
    tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    request_body = VoteBody,
    responses((status = 200, description = "The vote is recorded; the run goes on when the quorum is met", body = RunSummary)),
)]
pub async fn vote(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<VoteBody>,
) -> Result<Json<RunSummary>, ApiError> {
    if !caller.0.token_allows("actions:run.approve") {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "token-scope",
            "this API token is not scoped for `actions:run.approve`; create a token with that scope",
        ));
    }
    let approve = match body.decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => return Err(ApiError::bad_request(format!("decision must be `approve` or `reject`, not `{other}`"))),
    };
    let principal = &caller.0;
    let holds_role =
        |roles: &[String]| roles.iter().filter_map(|r| r.parse::<Role>().ok()).any(|r| principal.has_role(r, "*"));
    let run = state
        .engine
        .vote(&id, &body.step, caller.username(), &holds_role, approve, body.comment.clone())
        .await
        .map_err(|e| match e {
        weft_workflow::VoteError::NotFound(m) => ApiError::not_found(m),
        weft_workflow::VoteError::NotWaiting(m) => ApiError::new(StatusCode::CONFLICT, "not-waiting", m),
        weft_workflow::VoteError::AlreadyVoted(m) => ApiError::new(StatusCode::CONFLICT, "already-decided", m),
        weft_workflow::VoteError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
        weft_workflow::VoteError::Engine(e) => engine_error(e),
    })?;
    state
        .store
        .audit(AuditEvent {
            actor: caller.username().to_string(),
            action: if approve { "run.approve".into() } else { "run.reject".into() },
            target: id.clone(),
            details: json!({ "step": body.step, "comment": body.comment, "workflow": run.workflow }),
        })
        .await?;
    Ok(Json(run_summary(&run)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaBody {
    /// `pause` (waiting on the customer) or `resume`.
    action: String,
}

/// `POST /v1/runs/{id}/sla`: pause or resume the run's SLA clock.
#[utoipa::path(
    post,
    path = "/v1/runs/{id}/sla",
    tag = "runs",
    params(("id" = String, Path, description = "The run's id")),
    request_body = SlaBody,
    responses((status = 200, description = "The run's SLA timers after the change", body = serde_json::Value)),
)]
pub async fn sla(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<SlaBody>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Operator, Role::Agent, Role::Integrator], "run.sla")?;
    let result = match body.action.as_str() {
        "pause" => state.engine.pause_sla(&id).await,
        "resume" => state.engine.resume_sla(&id).await,
        other => return Err(ApiError::bad_request(format!("action must be `pause` or `resume`, not `{other}`"))),
    };
    let timers = result.map_err(|e| match e {
        weft_workflow::SlaError::NotFound(m) => ApiError::not_found(m),
        weft_workflow::SlaError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "sla-conflict", m),
        weft_workflow::SlaError::Engine(e) => engine_error(e),
    })?;
    state
        .store
        .audit(AuditEvent {
            actor: caller.username().to_string(),
            action: format!("run.sla.{}", body.action),
            target: id.clone(),
            details: json!({}),
        })
        .await?;
    Ok(Json(json!({ "timers": timers })))
}
