//! axum's `Json`, `Query` and `Path` extractors, but rejecting with the shared error body
//! (`{"code", "message", "details"}`) instead of axum's plain-text messages, so a client (and the
//! OpenAPI document) sees one error shape on every route, whatever part of the request was wrong.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::ApiError;

/// A JSON request body (or response: it serializes like `axum::Json`).
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query-string parameters.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path segments.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let (code, hint) = match &rejection {
            JsonRejection::MissingJsonContentType(_) => {
                ("unsupported-media-type", "send the body as JSON with `Content-Type: application/json`")
            }
            JsonRejection::JsonSyntaxError(_) => ("invalid-json", "the body is not well-formed JSON; fix its syntax"),
            JsonRejection::JsonDataError(_) => (
                "invalid-body",
                "the JSON does not have the fields or types this route takes; see /v1/openapi.json for its schema",
            ),
            _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ("body-too-large", "the body is larger than this route accepts; send less")
            }
            _ => ("unreadable-body", "the body could not be read; send it again"),
        };
        ApiError::new(rejection.status(), code, format!("{hint} ({})", rejection.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-query",
            format!(
                "the query string has a parameter of the wrong type or an unknown value ({}); see /v1/openapi.json",
                rejection.body_text()
            ),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        let status = rejection.status();
        let code = if status.is_server_error() { "internal" } else { "invalid-path" };
        ApiError::new(status, code, format!("a path segment is not valid here ({})", rejection.body_text()))
    }
}
