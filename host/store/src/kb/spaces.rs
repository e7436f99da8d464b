//! Spaces, their review stages, and who holds which role in them.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::entity::kb::{member, space};
use crate::{Store, StoreError, validate};

/// One review stage: who may approve at it and how many approvals it needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Lowercase identifier, e.g. `expert-review`.
    pub name: String,
    /// Member roles that may approve here, e.g. `["kb-reviewer"]`; a member holding
    /// `kb-reviewer:<stage>` may approve only at that stage.
    pub roles: Vec<String>,
    pub approvals_required: u32,
}

impl Store {
    pub async fn kb_create_space(&self, id: &str, name: &str, stages: &[Stage]) -> Result<space::Model, StoreError> {
        validate::slug("space id", id)?;
        validate::label("space name", name, 200)?;
        let model = space::Model {
            id: id.to_owned(),
            name: name.to_owned(),
            stages: serde_json::to_value(stages).map_err(|e| StoreError::Internal(e.to_string()))?,
            created_at: crate::now(),
        };
        let result = space::Entity::insert(space::ActiveModel {
            id: Set(model.id.clone()),
            name: Set(model.name.clone()),
            stages: Set(model.stages.clone()),
            created_at: Set(model.created_at),
        })
        .exec_without_returning(&self.db)
        .await;
        match result {
            Ok(_) => Ok(model),
            Err(err) if crate::error::is_unique_violation(&err) => {
                Err(StoreError::Conflict(format!("a space with id {id:?} already exists; choose another id")))
            }
            Err(err) => Err(err.into()),
        }
    }

    pub async fn kb_space(&self, id: &str) -> Result<Option<space::Model>, StoreError> {
        Ok(space::Entity::find_by_id(id.to_owned()).one(&self.db).await?)
    }

    pub async fn kb_spaces(&self) -> Result<Vec<space::Model>, StoreError> {
        Ok(space::Entity::find().order_by_asc(space::Column::Id).all(&self.db).await?)
    }

    /// Replaces `username`'s roles in `space`; an empty list removes the membership.
    pub async fn kb_set_member(&self, space: &str, username: &str, roles: &[String]) -> Result<(), StoreError> {
        if roles.is_empty() {
            member::Entity::delete_many()
                .filter(member::Column::Space.eq(space))
                .filter(member::Column::Username.eq(username))
                .exec(&self.db)
                .await?;
            return Ok(());
        }
        member::Entity::insert(member::ActiveModel {
            space: Set(space.to_owned()),
            username: Set(username.to_owned()),
            roles: Set(serde_json::json!(roles)),
        })
        .on_conflict(
            OnConflict::columns([member::Column::Space, member::Column::Username])
                .update_column(member::Column::Roles)
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    /// The roles `username` holds in `space` through membership (not through global grants).
    pub async fn kb_member_roles(&self, space: &str, username: &str) -> Result<Vec<String>, StoreError> {
        let row = member::Entity::find_by_id((space.to_owned(), username.to_owned())).one(&self.db).await?;
        Ok(row.map(|m| json_strings(&m.roles)).unwrap_or_default())
    }
}

/// A JSON array of strings as a vector; anything else reads as empty.
pub(crate) fn json_strings(value: &serde_json::Value) -> Vec<String> {
    value.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}
