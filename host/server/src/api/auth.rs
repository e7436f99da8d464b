//! Who is calling: a bearer token (API clients, the CLI) or a session cookie (the browser),
//! resolved through the store, and the role check every route makes.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use weft_store::{Principal, Role, Store};

use super::error::ApiError;

pub struct Caller(pub Principal);

/// Name of the browser session cookie.
pub const SESSION_COOKIE: &str = "weft_session";

/// The session id from the request's cookies, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value)
}

impl<S> FromRequestParts<S> for Caller
where
    Store: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let store = Store::from_ref(state);
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let Some(token) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
            if let Some(session) = session_cookie(&parts.headers) {
                same_origin(parts)?;
                return match store.authenticate_session(session).await? {
                    Some(principal) => Ok(Caller(principal)),
                    None => Err(ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "session-expired",
                        "your session has ended (expired or signed out); sign in again",
                    )),
                };
            }
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "this route needs an API token (`Authorization: Bearer <token>`, see `weft token create`) \
                 or a browser session (POST /v1/sessions)",
            ));
        };
        match store.authenticate_token(token.trim()).await? {
            Some(principal) => Ok(Caller(principal)),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid-token",
                "the API token is unknown, expired or revoked; create a new one with `weft token create`",
            )),
        }
    }
}

/// Cookies ride along on requests other sites trigger; a session may change things (or open a
/// WebSocket, which the same-origin policy does not cover) only from our own pages. Browsers send
/// `Origin` on every such request, so its absence means a non-browser client, which should use a
/// token. SameSite=Strict already stops most of this; this check holds even where it does not.
fn same_origin(parts: &Parts) -> Result<(), ApiError> {
    use axum::http::{Method, header};
    let upgrade = parts.headers.get(header::UPGRADE).is_some();
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) && !upgrade {
        return Ok(());
    }
    let text = |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let host = text(header::HOST).unwrap_or_default();
    let origin_host = text(header::ORIGIN).map(|o| o.split_once("://").map_or(o, |(_, rest)| rest));
    let fetch_site = parts.headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let ok = match origin_host {
        Some(origin_host) => !host.is_empty() && origin_host.eq_ignore_ascii_case(host),
        None => fetch_site == Some("same-origin"),
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "cross-site-request",
            "this request carries a session cookie but does not come from a Weft page (its Origin is \
             missing or another site's), so it was refused; API clients should authenticate with \
             `Authorization: Bearer <token>` instead of a cookie",
        ))
    }
}

impl Caller {
    /// Requires one of `roles` (admins have every role) and, for tokens, the `actions:<action>` scope.
    pub fn require(&self, roles: &[Role], action: &str) -> Result<(), ApiError> {
        let has_role = roles.iter().any(|role| self.0.has_role(*role, "*"));
        if !has_role {
            let names: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!(
                    "user `{}` may not {action}: it needs the role {}; an admin can grant it with \
                     `weft user add {} --role {}`",
                    self.0.user.username,
                    names.join(" or "),
                    self.0.user.username,
                    names.first().map(String::as_str).unwrap_or("admin")
                ),
            ));
        }
        if !self.0.token_allows(&format!("actions:{action}")) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "token-scope",
                format!("this API token is not scoped for `actions:{action}`; create a token with that scope"),
            ));
        }
        Ok(())
    }

    pub fn username(&self) -> &str {
        &self.0.user.username
    }
}
