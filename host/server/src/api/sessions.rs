//! Browser sign-in: a password exchanged for an HttpOnly session cookie. API clients use tokens.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use weft_store::{AuditEvent, DEFAULT_SESSION_TTL, User};

use super::AppState;
use super::auth::{Caller, SESSION_COOKIE, session_cookie};
use super::error::ApiError;
use super::extract::Json;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    username: String,
    password: String,
}

fn cookie(value: &str, max_age: i64) -> Result<HeaderValue, ApiError> {
    // HttpOnly keeps scripts from reading it; SameSite=Strict keeps other sites from sending it.
    HeaderValue::from_str(&format!("{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}"))
        .map_err(|_| ApiError::bad_request("could not build the session cookie"))
}

/// The signed-in user, with their role grants.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SignedInUser {
    user: User,
}

#[utoipa::path(
    post,
    path = "/v1/sessions",
    tag = "sessions",
    request_body = Login,
    security(()),
    responses((status = 201, description = "Signed in: the `weft_session` cookie is set; the body is the user", body = SignedInUser, headers(("set-cookie" = String, description = "The HttpOnly session cookie")))),
)]
pub async fn login(State(state): State<AppState>, Json(body): Json<Login>) -> Result<Response, ApiError> {
    let user = state.store.verify_password(&body.username, &body.password).await?;
    let (action, outcome) = if user.is_some() { ("session.login", "ok") } else { ("session.login_failed", "denied") };
    // Failed attempts are audited too: they are what an operator looks for after an incident.
    state
        .store
        .audit(AuditEvent {
            actor: body.username.clone(),
            action: action.into(),
            target: body.username.clone(),
            details: json!({ "outcome": outcome }),
        })
        .await?;
    let Some(user) = user else {
        // One message for unknown users and wrong passwords, so neither can be probed.
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid-credentials",
            "the username or password is wrong, or the account is disabled; check them or ask an admin",
        ));
    };
    let session = state.store.create_session(&user.username, DEFAULT_SESSION_TTL).await?;
    let mut response = (StatusCode::CREATED, Json(SignedInUser { user })).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie(&session, DEFAULT_SESSION_TTL.num_seconds())?);
    Ok(response)
}

/// Ends the session the request came with, and clears the cookie.
#[utoipa::path(
    delete,
    path = "/v1/sessions",
    tag = "sessions",
    security(()),
    responses((status = 204, description = "Signed out (also when there was no session); the cookie is cleared")),
)]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(session) = session_cookie(&headers) {
        state.store.revoke_session(session).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie("", 0)?);
    Ok(response)
}

/// Who the caller is, with their roles: the browser editor decides what to show from this.
#[utoipa::path(
    get,
    path = "/v1/sessions/me",
    tag = "sessions",
    responses((status = 200, description = "The caller, with their roles", body = SignedInUser)),
)]
pub async fn me(caller: Caller) -> Json<SignedInUser> {
    Json(SignedInUser { user: caller.0.user })
}
