//! Refusals that come before the request body is read (401 from the auth extractor, 403 from a
//! role check, 413) leave unread bytes on the connection, so hyper closes it after answering. A
//! client that meanwhile put the connection back in its pool then sends its next request into a
//! closing socket and gets `IncompleteMessage`. Answering such requests with `Connection: close`
//! tells the client up front not to reuse the connection.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING};
use axum::middleware::Next;
use axum::response::Response;

pub async fn close_after_refused_upload(req: Request, next: Next) -> Response {
    let headers = req.headers();
    let uploads = headers.contains_key(TRANSFER_ENCODING)
        || headers.get(CONTENT_LENGTH).is_some_and(|length| length.as_bytes() != b"0");
    let mut response = next.run(req).await;
    let status = response.status();
    if uploads && (status.is_client_error() || status.is_server_error()) {
        response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
