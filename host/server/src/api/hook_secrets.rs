//! Signing secrets for inbound hooks. An integrator issues its own (a signed request acts as the
//! secret's owner), rotates by issuing a new one before retiring the old, and sees only its own;
//! admins see and retire all.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use weft_store::hooks::HookSecret;
use weft_store::{AuditEvent, Role};

use super::AppState;
use super::auth::Caller;
use super::error::ApiError;
use super::extract::{Json, Path};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHookSecret {
    pub hook: String,
}

/// A new hook secret and its text, which is shown only in this answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedHookSecret {
    hook_secret: HookSecret,
    /// `whsec_...`: sign requests with it; it cannot be read again.
    secret: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HookSecretList {
    hook_secrets: Vec<HookSecret>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RetiredHookSecret {
    hook_secret: HookSecret,
}

#[utoipa::path(
    post,
    path = "/v1/hook-secrets",
    tag = "hook-secrets",
    request_body = CreateHookSecret,
    responses((status = 201, description = "Created; `secret` (whsec_...) is shown only in this answer", body = CreatedHookSecret)),
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateHookSecret>,
) -> Result<(StatusCode, Json<CreatedHookSecret>), ApiError> {
    caller.require(&[Role::Integrator], "hook-secret.write")?;
    let (secret, text) = state.store.add_hook_secret(&body.hook, caller.username()).await?;
    state
        .store
        .audit(AuditEvent {
            actor: caller.username().to_owned(),
            action: "hook-secret.create".to_owned(),
            target: secret.id.clone(),
            details: json!({ "hook": secret.hook }),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedHookSecret { hook_secret: secret, secret: text })))
}

#[utoipa::path(
    get,
    path = "/v1/hook-secrets",
    tag = "hook-secrets",
    responses((status = 200, description = "The caller's hook secrets (all, for admins), without the secret text", body = HookSecretList)),
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<HookSecretList>, ApiError> {
    caller.require(&[Role::Integrator], "hook-secret.read")?;
    let owner = (!caller.0.has_role(Role::Admin, "*")).then(|| caller.username());
    Ok(Json(HookSecretList { hook_secrets: state.store.hook_secrets(owner).await? }))
}

#[utoipa::path(
    delete,
    path = "/v1/hook-secrets/{id}",
    tag = "hook-secrets",
    params(("id" = String, Path, description = "The hook secret's id")),
    responses((status = 200, description = "Retired: signatures made with it are refused from now on", body = RetiredHookSecret)),
)]
pub async fn retire(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RetiredHookSecret>, ApiError> {
    caller.require(&[Role::Integrator], "hook-secret.write")?;
    let visible = state
        .store
        .hook_secret(&id)
        .await?
        .is_some_and(|s| s.owner == caller.username() || caller.0.has_role(Role::Admin, "*"));
    if !visible {
        return Err(ApiError::not_found(format!(
            "hook secret {id} does not exist or is not yours; list yours with GET /v1/hook-secrets"
        )));
    }
    let retired = state.store.retire_hook_secret(&id).await?;
    state
        .store
        .audit(AuditEvent {
            actor: caller.username().to_owned(),
            action: "hook-secret.retire".to_owned(),
            target: id,
            details: json!({ "hook": retired.hook }),
        })
        .await?;
    Ok(Json(RetiredHookSecret { hook_secret: retired }))
}
