//! Data-subject requests: export everything about a customer, or erase them. Operators (and
//! admins) only; both are recorded in the audit log with who asked and what was covered.

use axum::extract::State;
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use weft_store::{AuditEvent, Role};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::extract::{Json, Path};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(erase)).routes(routes!(export))
}

/// `GET /v1/customers/{id}/export`: runs (with attempts, effects, messages), cases and credits,
/// decrypted.
#[utoipa::path(
    get,
    path = "/v1/customers/{customer}/export",
    tag = "customers",
    params(("customer" = String, Path, description = "Customer id")),
    responses((status = 200, description = "Everything stored about the customer, decrypted (audited)", body = serde_json::Value)),
)]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(customer): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Operator], "customer.export")?;
    let export = state.store.export_customer(&customer).await?;
    // Recorded before the data leaves: an export that cannot be audited is not handed out.
    state
        .store
        .audit(AuditEvent {
            actor: caller.username().to_string(),
            action: "customer.export".into(),
            target: customer.clone(),
            details: json!({
                "runs": export.runs.len(), "cases": export.cases.len(), "credits": export.credits.len(),
            }),
        })
        .await?;
    let body = serde_json::to_value(&export)
        .map_err(|e| ApiError::bad_request(format!("the export could not be encoded as JSON: {e}")))?;
    Ok(Json(body))
}

/// `DELETE /v1/customers/{id}`: deletes their rows and destroys their data key.
#[utoipa::path(
    delete,
    path = "/v1/customers/{customer}",
    tag = "customers",
    params(("customer" = String, Path, description = "Customer id")),
    responses((status = 200, description = "Erased: rows deleted, data key destroyed (audited); the counts", body = serde_json::Value)),
)]
pub async fn erase(
    State(state): State<AppState>,
    caller: Caller,
    Path(customer): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Operator], "customer.erase")?;
    let erased = state.store.erase_customer(&customer).await?;
    let details = serde_json::to_value(&erased).unwrap_or_default();
    state
        .store
        .audit(AuditEvent {
            actor: caller.username().to_string(),
            action: "customer.erase".into(),
            target: customer,
            details: details.clone(),
        })
        .await?;
    Ok(Json(details))
}
