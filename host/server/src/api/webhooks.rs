//! `POST /v1/hooks/{path}`: an integrator's helpdesk starts a workflow run with a ticket.
//!
//! `read_body` + `parse_ticket` are the single place a webhook body is checked and parsed; a
//! request with Standard Webhooks headers is authenticated by its signature over those bytes.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use weft_runtime::model::Ticket;
use weft_store::{Role, RunRecord};

use super::AppState;
use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::{Json, Path, Query};
use crate::webhooks::inbound;

/// Largest ticket accepted: the plugin runtime's default input cap.
pub const MAX_WEBHOOK_BYTES: usize = 1024 * 1024;
/// Bodies up to this size are read to the end before a 413, so the client sees the answer
/// instead of a connection reset mid-upload; anything larger is refused unread.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;
/// The longest `?wait=` a caller may ask for; past it, poll the run URL.
const MAX_WAIT: Duration = Duration::from_secs(30);
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HookQuery {
    wait: Option<String>,
}

/// Reads the body; over [`MAX_WEBHOOK_BYTES`] is a 413 (read up to `DRAIN_LIMIT` first, so the
/// client sees the answer instead of a reset connection).
pub async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            format!(
                "the ticket is over {} KiB; trim the conversation or move attachments out of the payload \
                 (nothing was started)",
                MAX_WEBHOOK_BYTES / 1024
            ),
        )
    };
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > DRAIN_LIMIT) {
        return Err(too_large());
    }
    let bytes: Bytes = axum::body::to_bytes(body, DRAIN_LIMIT).await.map_err(|_| too_large())?;
    if bytes.len() > MAX_WEBHOOK_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Checks a webhook body: JSON, the ticket's required fields, the ticket model.
pub fn parse_ticket(bytes: &[u8]) -> Result<Ticket, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-json",
            format!("the body is not JSON ({e}); send the ticket as a JSON object with Content-Type: application/json"),
        )
        .details(json!({ "line": e.line(), "column": e.column() }))
    })?;
    let Some(object) = value.as_object() else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-ticket",
            "the body must be a JSON object (the ticket), not an array or a scalar",
        ));
    };
    let mut missing = Vec::new();
    if object.get("id").and_then(Value::as_str).is_none_or(str::is_empty) {
        missing.push("id");
    }
    if object.get("channel").and_then(Value::as_str).is_none_or(str::is_empty) {
        missing.push("channel");
    }
    match object.get("customer").and_then(Value::as_object) {
        None => missing.push("customer"),
        Some(c) if c.get("id").and_then(Value::as_str).is_none_or(str::is_empty) => missing.push("customer.id"),
        Some(_) => {}
    }
    if !missing.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing-fields",
            format!("the ticket lacks required field(s): {}; nothing was started", missing.join(", ")),
        )
        .details(json!({ "missing": missing })));
    }
    super::ticket_schema::check(&value)?;
    serde_path_to_error::deserialize::<_, Ticket>(value).map_err(|e| {
        let field = e.path().to_string();
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-ticket",
            format!("ticket field `{field}`: {}; see the ticket model in docs/conventions.md", e.inner()),
        )
        .details(json!({ "field": field }))
    })
}

pub fn run_url(id: &str) -> String {
    format!("/v1/runs/{id}")
}

/// What the API answers about a run: from its webhook, cancel and approvals, and per item of
/// `GET /v1/runs`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RunSummary {
    pub run_id: String,
    /// `GET` it for every step attempt, effect, message and timer.
    pub url: String,
    pub workflow: String,
    /// The workflow version the run is pinned to.
    pub version: i64,
    pub status: weft_store::RunStatus,
    /// The decision (assignment, tags, escalation, ...) once the run has one.
    pub decision: Option<Value>,
    /// Why the run failed, when it did.
    pub error: Option<Value>,
}

pub fn run_summary(run: &RunRecord) -> RunSummary {
    RunSummary {
        run_id: run.id.clone(),
        url: run_url(&run.id),
        workflow: run.workflow.clone(),
        version: run.version,
        status: run.status,
        decision: run.decision.clone(),
        error: run.error.clone(),
    }
}

/// Starts a run. The caller is either an API token / session, or (when the request carries
/// Standard Webhooks headers) the integrator whose hook secret signed it; each caller is
/// rate-limited on its own.
#[utoipa::path(
    post,
    path = "/v1/hooks/{path}",
    tag = "workflows",
    params(("path" = String, Path, description = "The workflow's webhook path"), HookQuery, ("Idempotency-Key" = Option<String>, Header, description = "Unsigned calls: the same key starts one run"), ("webhook-id" = Option<String>, Header, description = "Standard Webhooks: message id (deduplicated for 24 h)"), ("webhook-timestamp" = Option<String>, Header, description = "Standard Webhooks: unix seconds, within 5 minutes"), ("webhook-signature" = Option<String>, Header, description = "Standard Webhooks: v1,<base64 HMAC-SHA256>, space-separated")),
    request_body(content = serde_json::Value, description = "A ticket; its JSON Schema is served at /v1/schemas/ticket.json"),
    security(("token" = []), ("session" = []), ()),
    responses((status = 200, description = "The run finished within `wait`: its decision", body = RunSummary, headers(("location" = String, description = "The run's URL"))), (status = 202, description = "The run started; poll its URL", body = RunSummary, headers(("location" = String, description = "The run's URL"))), (status = 429, description = "Rate-limited", body = ErrorBody, headers(("retry-after" = u64, description = "Seconds to wait")))),
)]
pub async fn trigger(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    Path(path): Path<String>,
    Query(query): Query<HookQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = read_body(&headers, body).await?;
    let caller = if inbound::is_signed(&headers) {
        Caller(inbound::authenticate(&state.store, &path, &headers, &bytes).await?)
    } else {
        caller?
    };
    caller.require(&[Role::Integrator, Role::Operator], "workflow.trigger")?;
    if let Err(wait) = state.hook_limits.check(caller.username()) {
        let seconds = wait.as_secs() + 1;
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            format!("{} sent more requests than its rate limit allows; retry in {seconds} s", caller.username()),
        )
        .into_response();
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return Ok(response);
    }
    let wait = match query.wait.as_deref() {
        None => None,
        Some(text) => Some(
            weft_workflow::duration::parse(text)
                .map_err(|e| ApiError::bad_request(format!("?wait: {e}")))?
                .min(MAX_WAIT),
        ),
    };
    let key = match headers.get(IDEMPOTENCY_HEADER) {
        None => None,
        Some(v) => match v.to_str().map(str::trim) {
            Ok(k) if !k.is_empty() && k.len() <= 255 => Some(k.to_owned()),
            _ => return Err(ApiError::bad_request("Idempotency-Key must be 1-255 visible ASCII characters")),
        },
    };
    let workflow = state.store.workflow_for_webhook(&path).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "no workflow listens on /v1/hooks/{path}; see `weft workflow list` for webhook paths"
        ))
    })?;
    let ticket = parse_ticket(&bytes)?;
    let (mut run, created) =
        state.engine.start(&workflow, &ticket, key, caller.username()).await.map_err(engine_error)?;
    if let Some(wait) = wait
        && let Some(done) = state.engine.wait(&run.id, wait).await.map_err(engine_error)?
    {
        run = done;
    }
    let finished = run.status.is_finished();
    let status = if finished { StatusCode::OK } else { StatusCode::ACCEPTED };
    let mut response = (status, Json(run_summary(&run))).into_response();
    if let Ok(v) = HeaderValue::from_str(&run_url(&run.id)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    if !created {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

pub fn engine_error(e: weft_workflow::EngineError) -> ApiError {
    match e {
        weft_workflow::EngineError::Store(s) => s.into(),
        weft_workflow::EngineError::NotFound(m) => ApiError::not_found(m),
        weft_workflow::EngineError::Invalid(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m),
        other => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "engine-error", other.to_string()),
    }
}
