//! Versions, diffs and restore (`/v1/kb/articles/{id}/diff|versions`).

use axum::Json;
use axum::extract::{Path, State};
use weft_kb::{ArticleView, Diff, VersionDetail, VersionSummary};

use super::auth::Caller;
use super::error::ApiError;
use super::kb::{KbState, kb_error};

pub async fn diff(State(st): State<KbState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Diff>, ApiError> {
    Ok(Json(st.kb.draft_diff(&id, &caller.0).await.map_err(kb_error)?))
}

pub async fn versions(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<VersionSummary>>, ApiError> {
    Ok(Json(st.kb.versions(&id, &caller.0).await.map_err(kb_error)?))
}

pub async fn version(
    State(st): State<KbState>,
    caller: Caller,
    Path((id, n)): Path<(String, i32)>,
) -> Result<Json<VersionDetail>, ApiError> {
    Ok(Json(st.kb.version(&id, n, &caller.0).await.map_err(kb_error)?))
}

pub async fn restore(
    State(st): State<KbState>,
    caller: Caller,
    Path((id, n)): Path<(String, i32)>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(st.kb.restore(&id, n, &caller.0).await.map_err(kb_error)?))
}
