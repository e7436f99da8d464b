//! Entity tags on mutable configuration (deployments, agents, queues): every read and write
//! answers with an `ETag`, and a write with a stale `If-Match` is refused with 412.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::extract::Json;

/// A JSON answer carrying the resource's ETag, for a later `If-Match`.
pub fn tagged(status: StatusCode, etag: &str, body: &impl serde::Serialize) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("\"{etag}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}
