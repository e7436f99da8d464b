//! The knowledge-base API (`/v1/kb/...`, contract in `docs/kb-api.md`): its state, its routes,
//! and how knowledge-base errors become the shared error body.

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
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

/// The knowledge-base routes. The y-sync WebSocket is a plain route: OpenAPI cannot describe
/// what happens after the upgrade (docs/kb-api.md does).
pub fn routes() -> OpenApiRouter<KbState> {
    OpenApiRouter::new()
        .route("/v1/kb/sync/{article}", get(kb_sync::upgrade))
        .routes(routes!(kb_spaces::list, kb_spaces::create))
        .routes(routes!(kb_spaces::set_member))
        .routes(routes!(kb_articles::list, kb_articles::create))
        .routes(routes!(kb_articles::show))
        .routes(routes!(kb_review::submit))
        .routes(routes!(kb_review::approve))
        .routes(routes!(kb_review::request_changes))
        .routes(routes!(kb_review::publish))
        .routes(routes!(kb_review::transitions))
        .routes(routes!(kb_history::diff))
        .routes(routes!(kb_history::versions))
        .routes(routes!(kb_history::version))
        .routes(routes!(kb_history::restore))
        .routes(routes!(kb_review::comments, kb_review::add_comment))
        .routes(routes!(kb_review::resolve_comment))
        .routes(routes!(kb_review::outcome))
        .routes(routes!(kb_search::search))
}

/// Binds the knowledge-base routes to `kb`, with their own body limit.
pub fn with_state(routes: Router<KbState>, kb: Arc<Kb>) -> Router {
    let state = KbState { store: kb.store().clone(), kb };
    routes.layer(axum::extract::DefaultBodyLimit::max(MAX_BODY)).with_state(state)
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
