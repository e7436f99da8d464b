//! Articles: list, create, show (`/v1/kb/spaces/{space}/articles`, `/v1/kb/articles/{id}`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use weft_kb::doc::Content;
use weft_kb::{ArticleSummary, ArticleView, Filter};

use super::auth::Caller;
use super::error::ApiError;
use super::kb::{KbState, kb_error};

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    filter: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewArticle {
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    tags: Vec<String>,
}

pub async fn list(
    State(st): State<KbState>,
    caller: Caller,
    Path(space): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ArticleSummary>>, ApiError> {
    let filter: Filter = q.filter.as_deref().unwrap_or("all").parse().map_err(kb_error)?;
    Ok(Json(st.kb.list_articles(&space, &caller.0, filter).await.map_err(kb_error)?))
}

pub async fn create(
    State(st): State<KbState>,
    caller: Caller,
    Path(space): Path<String>,
    Json(body): Json<NewArticle>,
) -> Result<(StatusCode, Json<ArticleView>), ApiError> {
    let content = Content { title: body.title, body: body.body, tags: body.tags };
    let article = st.kb.create_article(&space, &caller.0, content).await.map_err(kb_error)?;
    Ok((StatusCode::CREATED, Json(article)))
}

pub async fn show(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(st.kb.article(&id, &caller.0).await.map_err(kb_error)?))
}
