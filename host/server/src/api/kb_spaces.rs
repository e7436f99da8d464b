//! Spaces and their members (`/v1/kb/spaces`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use weft_kb::SpaceView;
use weft_store::Role;
use weft_store::kb::Stage;

use super::auth::Caller;
use super::error::ApiError;
use super::kb::{KbState, kb_error};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSpace {
    id: String,
    name: String,
    #[serde(default)]
    stages: Option<Vec<Stage>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Members {
    roles: Vec<String>,
}

pub async fn list(State(st): State<KbState>, caller: Caller) -> Result<Json<Vec<SpaceView>>, ApiError> {
    Ok(Json(st.kb.spaces(&caller.0).await.map_err(kb_error)?))
}

pub async fn create(
    State(st): State<KbState>,
    caller: Caller,
    Json(body): Json<NewSpace>,
) -> Result<(StatusCode, Json<SpaceView>), ApiError> {
    caller.require(&[Role::Admin], "kb.space.create")?;
    let space = st.kb.create_space(&body.id, &body.name, body.stages, caller.username()).await.map_err(kb_error)?;
    Ok((StatusCode::CREATED, Json(space)))
}

pub async fn set_member(
    State(st): State<KbState>,
    caller: Caller,
    Path((space, username)): Path<(String, String)>,
    Json(body): Json<Members>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(&[Role::Admin], "kb.member.set")?;
    st.kb.set_member(&space, &username, &body.roles, caller.username()).await.map_err(kb_error)?;
    Ok(Json(serde_json::json!({"space": space, "username": username, "roles": body.roles})))
}
