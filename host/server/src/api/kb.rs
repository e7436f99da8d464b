//! The knowledge-base API (`/v1/kb/...`, contract in `docs/kb-api.md`): its state, its routes,
//! and how knowledge-base errors become the shared error body.

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use weft_kb::{Kb, KbError};
use weft_store::Store;

use super::error::ApiError;
use super::{kb_articles, kb_history, kb_review, kb_search, kb_spaces, kb_sync};

#[derive(Clone)]
pub struct KbState {
    pub store: Store,
    pub kb: Arc<Kb>,
}

impl FromRef<KbState> for Store {
    fn from_ref(state: &KbState) -> Store {
        state.store.clone()
    }
}

/// Largest JSON body a knowledge-base route reads (an article body is text; 8 MiB is generous).
const MAX_BODY: usize = 8 * 1024 * 1024;

pub fn routes(kb: Arc<Kb>) -> Router {
    let state = KbState { store: kb.store().clone(), kb };
    Router::new()
        .route("/v1/kb/sync/{article}", get(kb_sync::upgrade))
        .route("/v1/kb/spaces", get(kb_spaces::list).post(kb_spaces::create))
        .route("/v1/kb/spaces/{space}/members/{username}", put(kb_spaces::set_member))
        .route("/v1/kb/spaces/{space}/articles", get(kb_articles::list).post(kb_articles::create))
        .route("/v1/kb/articles/{id}", get(kb_articles::show))
        .route("/v1/kb/articles/{id}/submit", post(kb_review::submit))
        .route("/v1/kb/articles/{id}/approve", post(kb_review::approve))
        .route("/v1/kb/articles/{id}/request-changes", post(kb_review::request_changes))
        .route("/v1/kb/articles/{id}/publish", post(kb_review::publish))
        .route("/v1/kb/articles/{id}/transitions", get(kb_review::transitions))
        .route("/v1/kb/articles/{id}/diff", get(kb_history::diff))
        .route("/v1/kb/articles/{id}/versions", get(kb_history::versions))
        .route("/v1/kb/articles/{id}/versions/{n}", get(kb_history::version))
        .route("/v1/kb/articles/{id}/versions/{n}/restore", post(kb_history::restore))
        .route("/v1/kb/articles/{id}/comments", get(kb_review::comments).post(kb_review::add_comment))
        .route("/v1/kb/comments/{cid}/resolve", post(kb_review::resolve_comment))
        .route("/v1/kb/articles/{id}/outcomes", post(kb_review::outcome))
        .route("/v1/kb/search", get(kb_search::search))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

/// Knowledge-base errors in the codes of the contract (`not_found`, `forbidden`, `conflict`, `invalid`).
pub fn kb_error(err: KbError) -> ApiError {
    let message = err.to_string();
    match err {
        KbError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", message),
        KbError::Forbidden(_) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", message),
        KbError::Conflict(_) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
        KbError::Invalid(_) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message),
        KbError::Corrupt { .. } => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "corrupt", message),
        KbError::Unavailable(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message),
        // The shared mapping, but for the contract's `not_found` spelling.
        KbError::Store(weft_store::StoreError::NotFound(_)) => {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
        }
        KbError::Store(other) => ApiError::from(other),
    }
}
