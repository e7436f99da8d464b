//! Outbound event subscriptions and the delivery log: integrators subscribe an endpoint to event
//! types; operators and integrators read what was delivered, what failed, and replay.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use weft_store::events::{DeliveryFilter, DeliveryStatus, NewSubscription};
use weft_store::{AuditEvent, Role};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::extract::{Json, Path, Query};

/// Who may manage subscriptions and read deliveries: the integrators who own the endpoints, and
/// admins. (Operators see deliveries too: a failing endpoint is an operational problem.)
const MANAGE: &[Role] = &[Role::Integrator];
const READ: &[Role] = &[Role::Integrator, Role::Operator];

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSubscription {
    pub url: String,
    pub event_types: Vec<String>,
    #[serde(default)]
    pub description: String,
}

#[utoipa::path(
    post,
    path = "/v1/event-subscriptions",
    tag = "events",
    request_body = CreateSubscription,
    responses((status = 201, description = "Created; `secret` is shown only in this answer", body = serde_json::Value)),
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateSubscription>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(MANAGE, "event-subscription.write")?;
    let new = NewSubscription { url: body.url, event_types: body.event_types, description: body.description };
    let (subscription, secret) = state.store.create_subscription(new, caller.username()).await?;
    state
        .store
        .audit(AuditEvent {
            actor: caller.username().to_owned(),
            action: "event-subscription.create".to_owned(),
            target: subscription.id.clone(),
            details: json!({ "url": subscription.url, "event_types": subscription.event_types }),
        })
        .await?;
    // The secret is in this answer once; the receiver needs it to verify signatures.
    Ok((StatusCode::CREATED, Json(json!({ "subscription": subscription, "secret": secret }))))
}

#[utoipa::path(
    get,
    path = "/v1/event-subscriptions",
    tag = "events",
    responses((status = 200, description = "Every subscription (without secrets)", body = serde_json::Value)),
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(READ, "event-subscription.read")?;
    Ok(Json(json!({ "subscriptions": state.store.subscriptions().await? })))
}

#[utoipa::path(
    delete,
    path = "/v1/event-subscriptions/{id}",
    tag = "events",
    params(("id" = String, Path, description = "The subscription's id")),
    responses((status = 200, description = "Deleted; undelivered events moved to the dead letters", body = serde_json::Value)),
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(MANAGE, "event-subscription.write")?;
    let moved = state.store.delete_subscription(&id).await?;
    state
        .store
        .audit(AuditEvent {
            actor: caller.username().to_owned(),
            action: "event-subscription.delete".to_owned(),
            target: id.clone(),
            details: json!({ "undelivered_moved_to_dead_letters": moved }),
        })
        .await?;
    Ok(Json(json!({ "deleted": id, "undelivered_moved_to_dead_letters": moved })))
}

/// Sends a `weft.ping` test event to one subscription.
#[utoipa::path(
    post,
    path = "/v1/event-subscriptions/{id}/ping",
    tag = "events",
    params(("id" = String, Path, description = "The subscription's id")),
    responses((status = 202, description = "A weft.ping delivery was queued", body = serde_json::Value)),
)]
pub async fn ping(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(MANAGE, "event-subscription.write")?;
    let delivery = state.store.enqueue_ping(&id).await?;
    state.events.wake();
    Ok((StatusCode::ACCEPTED, Json(json!(delivery))))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    pub status: Option<String>,
    pub subscription: Option<String>,
    pub before: Option<String>,
    pub limit: Option<u64>,
}

/// Deliveries newest first; `status=dead` is the dead-letter list. Paginate with `before` = the
/// last id of the previous page (also returned as `next_before`).
#[utoipa::path(
    get,
    path = "/v1/event-deliveries",
    tag = "events",
    params(DeliveryQuery),
    responses((status = 200, description = "Deliveries newest first, with `next_before` for the next page", body = serde_json::Value)),
)]
pub async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<DeliveryQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ, "event-delivery.read")?;
    let status = match query.status.as_deref() {
        None => None,
        Some("pending") => Some(DeliveryStatus::Pending),
        Some("delivered") => Some(DeliveryStatus::Delivered),
        Some("dead") => Some(DeliveryStatus::Dead),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "status {other:?} is not a delivery state; use pending, delivered or dead"
            )));
        }
    };
    let limit = query.limit.unwrap_or(50);
    let page = state
        .store
        .deliveries(DeliveryFilter { status, subscription: query.subscription, before: query.before, limit })
        .await?;
    let next_before = (page.len() as u64 == limit).then(|| page.last().map(|d| d.id.clone())).flatten();
    Ok(Json(json!({ "deliveries": page, "next_before": next_before })))
}

#[utoipa::path(
    get,
    path = "/v1/event-deliveries/{id}",
    tag = "events",
    params(("id" = String, Path, description = "The delivery's id")),
    responses((status = 200, description = "The delivery and every attempt (status code, latency, error)", body = serde_json::Value)),
)]
pub async fn delivery(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ, "event-delivery.read")?;
    let (delivery, attempts) = state.store.delivery(&id).await?;
    Ok(Json(json!({ "delivery": delivery, "attempts": attempts })))
}

/// Sends a delivery again with the same `webhook-id` and body, whatever its state.
#[utoipa::path(
    post,
    path = "/v1/event-deliveries/{id}/replay",
    tag = "events",
    params(("id" = String, Path, description = "The delivery's id")),
    responses((status = 202, description = "Queued again with the same webhook-id and body", body = serde_json::Value)),
)]
pub async fn replay(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(MANAGE, "event-delivery.replay")?;
    let delivery = state.store.replay_delivery(&id).await?;
    state
        .store
        .audit(AuditEvent {
            actor: caller.username().to_owned(),
            action: "event-delivery.replay".to_owned(),
            target: id,
            details: json!({ "subscription": delivery.subscription_id, "event_type": delivery.event_type }),
        })
        .await?;
    state.events.wake();
    Ok((StatusCode::ACCEPTED, Json(json!(delivery))))
}
