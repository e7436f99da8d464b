//! Search published articles (`GET /v1/kb/search?q=&space=&tag=&limit=`), in the spaces the
//! caller may read. Every parameter is read by hand so a bad one is the contract's `invalid` error
//! with a sentence, not the framework's plain-text rejection.

use axum::extract::State;
use weft_kb::KbError;
use weft_kb::search::{MAX_LIMIT, SearchRequest, SearchResults};

use super::auth::Caller;
use super::error::ApiError;
use super::extract::{Json, Query};
use super::kb::{KbState, kb_error};

const DEFAULT_LIMIT: usize = 10;

/// `tag` may repeat (`tag=a&tag=b`: articles carrying both); empty values count as absent.
fn request_of(params: Vec<(String, String)>) -> Result<SearchRequest, KbError> {
    let mut request = SearchRequest { limit: DEFAULT_LIMIT, ..Default::default() };
    for (key, value) in params {
        match key.as_str() {
            "q" => request.text = value,
            "space" if !value.is_empty() => request.space = Some(value),
            "tag" if !value.is_empty() => request.tags.push(value),
            "limit" => {
                request.limit = value.trim().parse().map_err(|_| {
                    KbError::Invalid(format!("limit must be a whole number from 1 to {MAX_LIMIT}, got {value:?}"))
                })?
            }
            "space" | "tag" => {}
            other => {
                return Err(KbError::Invalid(format!(
                    "unknown search parameter {other:?}; use q, space, tag and limit"
                )));
            }
        }
    }
    Ok(request)
}

#[utoipa::path(
    get,
    path = "/v1/kb/search",
    tag = "kb",
    params(("q" = String, Query, description = "Words (Chinese or English), \"phrases\", AND/OR/NOT, title:word"), ("space" = Option<String>, Query, description = "Only this space"), ("tag" = Option<Vec<String>>, Query, description = "Only articles with every such tag (repeatable)"), ("limit" = Option<u32>, Query, description = "1 to 50, default 10")),
    responses((status = 200, description = "Published articles, best first, with highlighted snippets", body = weft_kb::search::SearchResults)),
)]
pub async fn search(
    State(st): State<KbState>,
    caller: Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<SearchResults>, ApiError> {
    let request = request_of(params).map_err(kb_error)?;
    Ok(Json(st.kb.search(&caller.0, request).await.map_err(kb_error)?))
}
