//! Identity: users and service accounts, their role grants, API tokens and browser sessions. The
//! server authenticates every request through here and authorizes with [`Principal`].

mod passwords;
mod principal;
mod roles;
pub(crate) mod secrets;
mod sessions;
mod tokens;
mod users;

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

pub use principal::{Principal, User, UserKind};
pub use roles::{ParseRoleError, Role, RoleGrant};
pub use sessions::DEFAULT_SESSION_TTL;
pub use tokens::TokenInfo;

use crate::entity::{role_grant, user};
use crate::{Store, StoreError};

impl Store {
    pub(crate) async fn user_row(&self, username: &str) -> Result<Option<user::Model>, StoreError> {
        Ok(user::Entity::find().filter(user::Column::Username.eq(username)).one(&self.db).await?)
    }

    /// The user row, or a NotFound that says what to do.
    pub(crate) async fn existing_user_row(&self, username: &str) -> Result<user::Model, StoreError> {
        self.user_row(username).await?.ok_or_else(|| unknown_user(username))
    }

    /// The full user (with roles) for a row.
    pub(crate) async fn load_user(&self, row: user::Model) -> Result<User, StoreError> {
        let grants = grants_of(&self.db, row.id).await?;
        to_user(row, grants)
    }

    /// The full user for an id held by a token or session, if it still exists.
    pub(crate) async fn load_user_by_id(&self, id: i64) -> Result<Option<User>, StoreError> {
        match user::Entity::find_by_id(id).one(&self.db).await? {
            Some(row) => Ok(Some(self.load_user(row).await?)),
            None => Ok(None),
        }
    }
}

pub(crate) fn unknown_user(username: &str) -> StoreError {
    StoreError::NotFound(format!("there is no user named {username:?}; check the spelling, or create the user first"))
}

async fn grants_of(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<role_grant::Model>, StoreError> {
    Ok(role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(user_id))
        .order_by_asc(role_grant::Column::Id)
        .all(db)
        .await?)
}

fn to_user(row: user::Model, grants: Vec<role_grant::Model>) -> Result<User, StoreError> {
    let kind = row.kind.parse().map_err(|_| {
        StoreError::Corrupt(format!("user {}: kind {:?} is neither \"human\" nor \"service\"", row.username, row.kind))
    })?;
    let roles = grants
        .into_iter()
        .map(|g| {
            let role = g
                .role
                .parse()
                .map_err(|err: ParseRoleError| StoreError::Corrupt(format!("user {}: {err}", row.username)))?;
            Ok(RoleGrant { role, scope: g.scope })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(User {
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        kind,
        roles,
        disabled: row.disabled,
        created_at: row.created_at,
    })
}

/// Validated, de-duplicated grants in a stable order.
fn normalize_grants(roles: &[RoleGrant]) -> Result<Vec<RoleGrant>, StoreError> {
    for grant in roles {
        grant.validate()?;
    }
    Ok(roles.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect())
}
