//! Review actions, comments, transitions and outcomes on one article.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use weft_kb::{ArticleView, CommentView, OutcomeReport, TransitionView};
use weft_store::Role;

use super::auth::Caller;
use super::error::ApiError;
use super::extract::{Json, Path};
use super::kb::{KbState, kb_error};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HashBody {
    content_hash: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangesBody {
    comment: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnchorBody {
    start: String,
    end: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    body: String,
    #[serde(default)]
    anchor: Option<AnchorBody>,
    #[serde(default)]
    quote: Option<String>,
    #[serde(default)]
    parent: Option<i64>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Resolved,
    NotResolved,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    outcome: Outcome,
    ticket_id: String,
}

#[utoipa::path(
    post,
    path = "/v1/kb/articles/{id}/submit",
    tag = "kb",
    params(("id" = String, Path, description = "Article id")),
    responses((status = 200, description = "Submitted to the first review stage", body = weft_kb::ArticleView)),
)]
pub async fn submit(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(st.kb.submit(&id, &caller.0).await.map_err(kb_error)?))
}

#[utoipa::path(
    post,
    path = "/v1/kb/articles/{id}/approve",
    tag = "kb",
    params(("id" = String, Path, description = "Article id")),
    request_body = HashBody,
    responses((status = 200, description = "Approved at the current stage", body = weft_kb::ArticleView)),
)]
pub async fn approve(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<HashBody>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(st.kb.approve(&id, &caller.0, &body.content_hash).await.map_err(kb_error)?))
}

#[utoipa::path(
    post,
    path = "/v1/kb/articles/{id}/request-changes",
    tag = "kb",
    params(("id" = String, Path, description = "Article id")),
    request_body = ChangesBody,
    responses((status = 200, description = "Sent back to draft", body = weft_kb::ArticleView)),
)]
pub async fn request_changes(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<ChangesBody>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(st.kb.request_changes(&id, &caller.0, &body.comment).await.map_err(kb_error)?))
}

#[utoipa::path(
    post,
    path = "/v1/kb/articles/{id}/publish",
    tag = "kb",
    params(("id" = String, Path, description = "Article id")),
    request_body = HashBody,
    responses((status = 200, description = "Published as a new immutable version", body = serde_json::Value)),
)]
pub async fn publish(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<HashBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let v = st.kb.publish(&id, &caller.0, &body.content_hash).await.map_err(kb_error)?;
    Ok(Json(serde_json::json!({
        "version": v.version, "article_id": v.article_id, "title": v.title, "content_hash": v.content_hash,
        "published_by": v.published_by, "published_at": v.published_at, "approvals": v.approvals,
    })))
}

#[utoipa::path(
    get,
    path = "/v1/kb/articles/{id}/transitions",
    tag = "kb",
    params(("id" = String, Path, description = "Article id")),
    responses((status = 200, description = "Every stage transition with actor and time", body = Vec<weft_kb::TransitionView>)),
)]
pub async fn transitions(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<TransitionView>>, ApiError> {
    Ok(Json(st.kb.transitions(&id, &caller.0).await.map_err(kb_error)?))
}

#[utoipa::path(
    get,
    path = "/v1/kb/articles/{id}/comments",
    tag = "kb",
    params(("id" = String, Path, description = "Article id")),
    responses((status = 200, description = "Comments with anchors and replies", body = Vec<weft_kb::CommentView>)),
)]
pub async fn comments(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<CommentView>>, ApiError> {
    Ok(Json(st.kb.comments(&id, &caller.0).await.map_err(kb_error)?))
}

#[utoipa::path(
    post,
    path = "/v1/kb/articles/{id}/comments",
    tag = "kb",
    params(("id" = String, Path, description = "Article id")),
    request_body = CommentBody,
    responses((status = 201, description = "Added", body = weft_kb::CommentView)),
)]
pub async fn add_comment(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<CommentBody>,
) -> Result<(StatusCode, Json<CommentView>), ApiError> {
    let anchor = body.anchor.map(|a| (a.start, a.end));
    let comment =
        st.kb.add_comment(&id, &caller.0, body.body, anchor, body.quote, body.parent).await.map_err(kb_error)?;
    Ok((StatusCode::CREATED, Json(comment)))
}

#[utoipa::path(
    post,
    path = "/v1/kb/comments/{cid}/resolve",
    tag = "kb",
    params(("cid" = i64, Path, description = "Comment id")),
    responses((status = 200, description = "Resolved", body = weft_kb::CommentView)),
)]
pub async fn resolve_comment(
    State(st): State<KbState>,
    caller: Caller,
    Path(cid): Path<i64>,
) -> Result<Json<CommentView>, ApiError> {
    Ok(Json(st.kb.resolve_comment(cid, &caller.0).await.map_err(kb_error)?))
}

/// Workflows (operators, integrators, agents) report whether an article resolved a ticket.
#[utoipa::path(
    post,
    path = "/v1/kb/articles/{id}/outcomes",
    tag = "kb",
    params(("id" = String, Path, description = "Article id")),
    request_body = OutcomeBody,
    responses((status = 200, description = "Recorded; the article's resolution rate and whether it is now flagged", body = weft_kb::OutcomeReport)),
)]
pub async fn outcome(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<OutcomeBody>,
) -> Result<Json<OutcomeReport>, ApiError> {
    caller.require(&[Role::Operator, Role::Integrator, Role::Agent], "kb.outcome.report")?;
    let resolved = matches!(body.outcome, Outcome::Resolved);
    Ok(Json(st.kb.report_outcome(&id, caller.username(), resolved, &body.ticket_id).await.map_err(kb_error)?))
}
