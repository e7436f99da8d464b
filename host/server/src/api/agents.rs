//! The agent directory for operators: agents (skills, languages, queues, per-channel capacity,
//! presence) and queues (skills, languages, overflow). Routing plugins read the same data
//! through `agents.read` (see `services.rs`).
//!
//! Writes need `operator` (admins have every role); reads also allow `agent`, so agents can see
//! the roster. Creating, replacing and deleting are audited; presence and assignment changes
//! happen all day and are logged, not audited.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use weft_store::{AgentSpec, DirectoryFilter, QueueSpec, Role};

use super::auth::Caller;
use super::error::ApiError;
use super::etag::tagged;
use super::extract::{Json, Path, Query};
use super::{AppState, audit};

const WRITE: &[Role] = &[Role::Operator];
const READ: &[Role] = &[Role::Operator, Role::Agent];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_agents))
        .routes(routes!(put_agent, show_agent, delete_agent))
        .routes(routes!(set_presence))
        .routes(routes!(assign))
        .routes(routes!(release))
        .routes(routes!(list_queues))
        .routes(routes!(put_queue, show_queue, delete_queue))
        .routes(routes!(directory))
}

#[utoipa::path(
    put,
    path = "/v1/agents/{id}",
    tag = "agents",
    params(("id" = String, Path, description = "The agent's id"), ("If-Match" = Option<String>, Header, description = "An ETag from a read: the write is refused with 412 if the resource changed since (`*`: it must exist)")),
    request_body = weft_store::AgentSpec,
    responses((status = 201, description = "Created", body = weft_store::AgentRecord, headers(("etag" = String, description = "For If-Match on the next write"))), (status = 200, description = "Replaced", body = weft_store::AgentRecord, headers(("etag" = String, description = "For If-Match on the next write")))),
)]
async fn put_agent(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(spec): Json<AgentSpec>,
) -> Result<Response, ApiError> {
    caller.require(WRITE, "agent.write")?;
    let (record, created) = state.store.put_agent(&id, spec, caller.username(), if_match(&headers)?).await?;
    audit(&state, &caller, "agent.put", &id, json!({"queues": record.queues, "presence": record.presence})).await?;
    Ok(tagged(put_status(created), &record.etag(), &record))
}

#[utoipa::path(
    get,
    path = "/v1/agents/{id}",
    tag = "agents",
    params(("id" = String, Path, description = "The agent's id")),
    responses((status = 200, description = "The agent", body = weft_store::AgentRecord, headers(("etag" = String, description = "For If-Match on the next write")))),
)]
async fn show_agent(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(READ, "agent.read")?;
    let record = state.store.get_agent(&id).await?.ok_or_else(|| agent_not_found(&id))?;
    Ok(tagged(StatusCode::OK, &record.etag(), &record))
}

#[utoipa::path(
    get,
    path = "/v1/agents",
    tag = "agents",
    responses((status = 200, description = "Every agent", body = serde_json::Value)),
)]
async fn list_agents(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(READ, "agent.read")?;
    Ok(Json(json!({ "items": state.store.list_agents().await? })))
}

#[utoipa::path(
    delete,
    path = "/v1/agents/{id}",
    tag = "agents",
    params(("id" = String, Path, description = "The agent's id")),
    responses((status = 204, description = "Deleted")),
)]
async fn delete_agent(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(WRITE, "agent.write")?;
    state.store.delete_agent(&id).await?;
    audit(&state, &caller, "agent.delete", &id, json!({})).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Presence {
    presence: String,
}

#[utoipa::path(
    put,
    path = "/v1/agents/{id}/presence",
    tag = "agents",
    params(("id" = String, Path, description = "The agent's id")),
    request_body = Presence,
    responses((status = 200, description = "The agent", body = weft_store::AgentRecord)),
)]
async fn set_presence(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<Presence>,
) -> Result<Json<Value>, ApiError> {
    caller.require(WRITE, "agent.write")?;
    let record = state.store.set_agent_presence(&id, &body.presence).await?;
    tracing::info!(agent = %id, presence = %record.presence, by = caller.username(), "agent presence changed");
    Ok(Json(json!(record)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct OnChannel {
    channel: String,
}

/// A conversation on the channel was given to the agent: load +1, last assignment now.
#[utoipa::path(
    post,
    path = "/v1/agents/{id}/assignments",
    tag = "agents",
    params(("id" = String, Path, description = "The agent's id")),
    request_body = OnChannel,
    responses((status = 200, description = "The agent, with its load one higher", body = weft_store::AgentRecord)),
)]
async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<OnChannel>,
) -> Result<Json<Value>, ApiError> {
    caller.require(WRITE, "agent.write")?;
    let record = state.store.record_assignment(&id, &body.channel).await?;
    tracing::info!(agent = %id, channel = %body.channel, by = caller.username(), "assignment recorded");
    Ok(Json(json!(record)))
}

/// A conversation on the channel ended: load -1.
#[utoipa::path(
    post,
    path = "/v1/agents/{id}/releases",
    tag = "agents",
    params(("id" = String, Path, description = "The agent's id")),
    request_body = OnChannel,
    responses((status = 200, description = "The agent, with its load one lower", body = weft_store::AgentRecord)),
)]
async fn release(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<OnChannel>,
) -> Result<Json<Value>, ApiError> {
    caller.require(WRITE, "agent.write")?;
    let record = state.store.release_assignment(&id, &body.channel).await?;
    tracing::info!(agent = %id, channel = %body.channel, by = caller.username(), "assignment released");
    Ok(Json(json!(record)))
}

#[utoipa::path(
    put,
    path = "/v1/queues/{id}",
    tag = "agents",
    params(("id" = String, Path, description = "The queue's id"), ("If-Match" = Option<String>, Header, description = "An ETag from a read: the write is refused with 412 if the resource changed since (`*`: it must exist)")),
    request_body = weft_store::QueueSpec,
    responses((status = 201, description = "Created", body = weft_store::QueueRecord, headers(("etag" = String, description = "For If-Match on the next write"))), (status = 200, description = "Replaced", body = weft_store::QueueRecord, headers(("etag" = String, description = "For If-Match on the next write")))),
)]
async fn put_queue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(spec): Json<QueueSpec>,
) -> Result<Response, ApiError> {
    caller.require(WRITE, "queue.write")?;
    let (record, created) = state.store.put_queue(&id, spec, caller.username(), if_match(&headers)?).await?;
    audit(&state, &caller, "queue.put", &id, json!({"overflow_queue": record.overflow_queue})).await?;
    Ok(tagged(put_status(created), &record.etag(), &record))
}

#[utoipa::path(
    get,
    path = "/v1/queues/{id}",
    tag = "agents",
    params(("id" = String, Path, description = "The queue's id")),
    responses((status = 200, description = "The queue", body = weft_store::QueueRecord, headers(("etag" = String, description = "For If-Match on the next write")))),
)]
async fn show_queue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require(READ, "queue.read")?;
    let record = state.store.get_queue(&id).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "queue {id} does not exist; create it with `weft agent queue put {id} --name NAME`"
        ))
    })?;
    Ok(tagged(StatusCode::OK, &record.etag(), &record))
}

#[utoipa::path(
    get,
    path = "/v1/queues",
    tag = "agents",
    responses((status = 200, description = "Every queue", body = serde_json::Value)),
)]
async fn list_queues(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(READ, "queue.read")?;
    Ok(Json(json!({ "items": state.store.list_queues().await? })))
}

#[utoipa::path(
    delete,
    path = "/v1/queues/{id}",
    tag = "agents",
    params(("id" = String, Path, description = "The queue's id")),
    responses((status = 204, description = "Deleted")),
)]
async fn delete_queue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(WRITE, "queue.write")?;
    state.store.delete_queue(&id).await?;
    audit(&state, &caller, "queue.delete", &id, json!({})).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DirectoryParams {
    queue: Option<String>,
    language: Option<String>,
    channel: Option<String>,
    #[serde(default)]
    include_offline: bool,
}

/// What a routing plugin sees for the same query: for operators checking why a ticket overflowed.
#[utoipa::path(
    get,
    path = "/v1/directory",
    tag = "agents",
    params(DirectoryParams),
    responses((status = 200, description = "What a routing plugin sees for the same query", body = serde_json::Value)),
)]
async fn directory(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<DirectoryParams>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ, "agent.read")?;
    let filter = DirectoryFilter {
        queue: params.queue,
        language: params.language,
        channel: params.channel,
        required_skills: Vec::new(),
        include_offline: params.include_offline,
    };
    let snapshot = state.store.directory(&filter).await?;
    Ok(Json(json!({ "agents": snapshot.agents, "queues": snapshot.queues })))
}

/// `If-Match` as the store takes it: the ETag without its quotes (or `*`).
fn if_match(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    match headers.get(header::IF_MATCH) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map(|v| Some(v.trim().trim_start_matches("W/").trim_matches('"')))
            .map_err(|_| ApiError::bad_request("If-Match must be an ETag from a GET or PUT of this resource (or *)")),
    }
}

/// The store decides created-or-replaced inside its transaction, so two racing creates cannot
/// both answer 201.
fn put_status(created: bool) -> StatusCode {
    if created { StatusCode::CREATED } else { StatusCode::OK }
}

fn agent_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("agent {id} does not exist; create it with `weft agent put {id} --name NAME`"))
}
