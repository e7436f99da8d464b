//! Articles: list, create, show (`/v1/kb/spaces/{space}/articles`, `/v1/kb/articles/{id}`).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use weft_kb::doc::Content;
use weft_kb::{ArticleSummary, ArticleView, Filter};

use super::auth::Caller;
use super::error::ApiError;
use super::extract::{Json, Path, Query};
use super::kb::{KbState, kb_error};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[serde(default)]
    filter: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewArticle {
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    tags: Vec<String>,
}

#[utoipa::path(
    get,
    path = "/v1/kb/spaces/{space}/articles",
    tag = "kb",
    params(("space" = String, Path, description = "Space id"), ListQuery),
    responses((status = 200, description = "Articles with stage, author, last editor, verification expiry", body = Vec<weft_kb::ArticleSummary>)),
)]
pub async fn list(
    State(st): State<KbState>,
    caller: Caller,
    Path(space): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ArticleSummary>>, ApiError> {
    let filter: Filter = q.filter.as_deref().unwrap_or("all").parse().map_err(kb_error)?;
    Ok(Json(st.kb.list_articles(&space, &caller.0, filter).await.map_err(kb_error)?))
}

#[utoipa::path(
    post,
    path = "/v1/kb/spaces/{space}/articles",
    tag = "kb",
    params(("space" = String, Path, description = "Space id")),
    request_body = NewArticle,
    responses((status = 201, description = "Created as a draft", body = weft_kb::ArticleView)),
)]
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

#[utoipa::path(
    get,
    path = "/v1/kb/articles/{id}",
    tag = "kb",
    params(("id" = String, Path, description = "Article id")),
    responses((status = 200, description = "The article: content, hash, stage, approvals", body = weft_kb::ArticleView)),
)]
pub async fn show(
    State(st): State<KbState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(st.kb.article(&id, &caller.0).await.map_err(kb_error)?))
}
