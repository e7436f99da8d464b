//! The one error body every route returns: `{"code", "message", "details"}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use weft_store::StoreError;

/// The body of every error response, as the OpenAPI document describes it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable and machine-readable, e.g. `not-found`, `forbidden`, `invalid-body`.
    code: &'static str,
    /// What happened and what to do next, for a person.
    message: String,
    /// Specifics where the code has them (e.g. every failing path of a schema check); else null.
    #[schema(value_type = Option<Object>)]
    details: serde_json::Value,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: serde_json::Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), details: serde_json::Value::Null }
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        }
        let body = ErrorBody { code: self.code, message: self.message, details: self.details };
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        let message = err.to_string();
        match err {
            StoreError::VersionConflict { .. } => Self::new(StatusCode::CONFLICT, "version-conflict", message),
            StoreError::RevisionConflict { .. } => {
                Self::new(StatusCode::PRECONDITION_FAILED, "revision-conflict", message)
            }
            StoreError::Conflict(..) => Self::new(StatusCode::CONFLICT, "conflict", message),
            StoreError::Stale(..) => Self::new(StatusCode::PRECONDITION_FAILED, "stale", message),
            StoreError::NotFound(..) => Self::not_found(message),
            StoreError::Invalid(..) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message),
            StoreError::Unsealable(..) => Self::new(StatusCode::INTERNAL_SERVER_ERROR, "unsealable", message),
            _ => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store-unavailable",
                format!(
                    "the database could not complete the request ({message}); retry, and check the server log if it persists"
                ),
            ),
        }
    }
}

impl From<weft_runtime::PluginError> for ApiError {
    fn from(err: weft_runtime::PluginError) -> Self {
        let details = serde_json::to_value(&err).unwrap_or_default();
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, err.kind(), err.to_string()).details(details)
    }
}

impl From<weft_runtime::DeployError> for ApiError {
    fn from(err: weft_runtime::DeployError) -> Self {
        let details = match &err {
            weft_runtime::DeployError::Config { errors, .. } => json!({ "errors": errors }),
            _ => serde_json::Value::Null,
        };
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-deployment", err.to_string()).details(details)
    }
}
