//! Review actions, comments, transitions and outcomes on one article.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use weft_kb::{ArticleView, CommentView, OutcomeReport, TransitionView};
use weft_store::Role;

use super::auth::Caller;
use super::error::ApiError;
use super::kb::{KbState, kb_error};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashBody {
    content_hash: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangesBody {
    comment: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnchorBody {
    start: String,
    end: String,
}

#[derive(Deserialize)]
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

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Resolved,
    NotResolved,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    outcome: Outcome,
    ticket_id: String,
}

pub async fn submit(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(st.kb.submit(&id, &caller.0).await.map_err(kb_error)?))
}

pub async fn approve(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<HashBody>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(st.kb.approve(&id, &caller.0, &body.content_hash).await.map_err(kb_error)?))
}

pub async fn request_changes(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<ChangesBody>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(st.kb.request_changes(&id, &caller.0, &body.comment).await.map_err(kb_error)?))
}

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

pub async fn transitions(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<TransitionView>>, ApiError> {
    Ok(Json(st.kb.transitions(&id, &caller.0).await.map_err(kb_error)?))
}

pub async fn comments(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<CommentView>>, ApiError> {
    Ok(Json(st.kb.comments(&id, &caller.0).await.map_err(kb_error)?))
}

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

pub async fn resolve_comment(
    State(st): State<KbState>,
    caller: Caller,
    Path(cid): Path<i64>,
) -> Result<Json<CommentView>, ApiError> {
    Ok(Json(st.kb.resolve_comment(cid, &caller.0).await.map_err(kb_error)?))
}

/// Workflows (operators, integrators, agents) report whether an article resolved a ticket.
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
