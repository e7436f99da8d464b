//! Versions, diffs and restore (`/v1/kb/articles/{id}/diff|versions`).

use axum::extract::State;
use weft_kb::{ArticleView, Diff, VersionDetail, VersionSummary};

use super::auth::Caller;
use super::error::ApiError;
use super::extract::{Json, Path};
use super::kb::{KbState, kb_error};

#[utoipa::path(
    get,
    path = "/v1/kb/articles/{id}/diff",
    tag = "kb",
    params(("id" = String, Path, description = "Article id")),
    responses((status = 200, description = "The draft against the last published version", body = weft_kb::Diff)),
)]
pub async fn diff(State(st): State<KbState>, caller: Caller, Path(id): Path<String>) -> Result<Json<Diff>, ApiError> {
    Ok(Json(st.kb.draft_diff(&id, &caller.0).await.map_err(kb_error)?))
}

#[utoipa::path(
    get,
    path = "/v1/kb/articles/{id}/versions",
    tag = "kb",
    params(("id" = String, Path, description = "Article id")),
    responses((status = 200, description = "Published versions, newest first", body = Vec<weft_kb::VersionSummary>)),
)]
pub async fn versions(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<VersionSummary>>, ApiError> {
    Ok(Json(st.kb.versions(&id, &caller.0).await.map_err(kb_error)?))
}

#[utoipa::path(
    get,
    path = "/v1/kb/articles/{id}/versions/{n}",
    tag = "kb",
    params(("id" = String, Path, description = "Article id"), ("n" = i32, Path, description = "Version number")),
    responses((status = 200, description = "One version with its diff and approvals", body = weft_kb::VersionDetail)),
)]
pub async fn version(
    State(st): State<KbState>,
    caller: Caller,
    Path((id, n)): Path<(String, i32)>,
) -> Result<Json<VersionDetail>, ApiError> {
    Ok(Json(st.kb.version(&id, n, &caller.0).await.map_err(kb_error)?))
}

#[utoipa::path(
    post,
    path = "/v1/kb/articles/{id}/versions/{n}/restore",
    tag = "kb",
    params(("id" = String, Path, description = "Article id"), ("n" = i32, Path, description = "Version number")),
    responses((status = 200, description = "The draft now holds that version", body = weft_kb::ArticleView)),
)]
pub async fn restore(
    State(st): State<KbState>,
    caller: Caller,
    Path((id, n)): Path<(String, i32)>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(st.kb.restore(&id, n, &caller.0).await.map_err(kb_error)?))
}
