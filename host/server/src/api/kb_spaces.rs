//! Spaces and their members (`/v1/kb/spaces`).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use weft_kb::SpaceView;
use weft_store::Role;
use weft_store::kb::Stage;

use super::auth::Caller;
use super::error::ApiError;
use super::extract::{Json, Path};
use super::kb::{KbState, kb_error};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSpace {
    id: String,
    name: String,
    #[serde(default)]
    /// The review pipeline; omitted: expert review, verification (one approval each).
    stages: Option<Vec<Stage>>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Members {
    roles: Vec<String>,
}

/// A user's roles in a space, as stored.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Membership {
    space: String,
    username: String,
    roles: Vec<String>,
}

#[utoipa::path(
    get,
    path = "/v1/kb/spaces",
    tag = "kb",
    responses((status = 200, description = "The spaces the caller has a role in", body = Vec<weft_kb::SpaceView>)),
)]
pub async fn list(State(st): State<KbState>, caller: Caller) -> Result<Json<Vec<SpaceView>>, ApiError> {
    Ok(Json(st.kb.spaces(&caller.0).await.map_err(kb_error)?))
}

#[utoipa::path(
    post,
    path = "/v1/kb/spaces",
    tag = "kb",
    request_body = NewSpace,
    responses((status = 201, description = "Created", body = weft_kb::SpaceView)),
)]
pub async fn create(
    State(st): State<KbState>,
    caller: Caller,
    Json(body): Json<NewSpace>,
) -> Result<(StatusCode, Json<SpaceView>), ApiError> {
    caller.require(&[Role::Admin], "kb.space.create")?;
    let space = st.kb.create_space(&body.id, &body.name, body.stages, caller.username()).await.map_err(kb_error)?;
    Ok((StatusCode::CREATED, Json(space)))
}

#[utoipa::path(
    put,
    path = "/v1/kb/spaces/{space}/members/{username}",
    tag = "kb",
    params(("space" = String, Path, description = "Space id"), ("username" = String, Path, description = "User")),
    request_body = Members,
    responses((status = 200, description = "The user's roles in the space", body = Membership)),
)]
pub async fn set_member(
    State(st): State<KbState>,
    caller: Caller,
    Path((space, username)): Path<(String, String)>,
    Json(body): Json<Members>,
) -> Result<Json<Membership>, ApiError> {
    caller.require(&[Role::Admin], "kb.member.set")?;
    st.kb.set_member(&space, &username, &body.roles, caller.username()).await.map_err(kb_error)?;
    Ok(Json(Membership { space, username, roles: body.roles }))
}
