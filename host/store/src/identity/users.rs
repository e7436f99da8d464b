//! Users: people, who sign in with a password, and service accounts, which only hold tokens.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};

use super::{RoleGrant, User, UserKind, normalize_grants, passwords, to_user};
use crate::entity::{role_grant, user};
use crate::error::is_unique_violation;
use crate::{Store, StoreError, validate};

impl Store {
    /// Creates a person (`UserKind::Human`, usually with a password) or a service account
    /// (`UserKind::Service`, never a password). An empty display name becomes the username.
    pub async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        password: Option<&str>,
        kind: UserKind,
        roles: &[RoleGrant],
    ) -> Result<User, StoreError> {
        validate_username(username)?;
        let display_name = if display_name.trim().is_empty() {
            username
        } else {
            validate::label("display name", display_name, 128)?;
            display_name
        };
        let roles = normalize_grants(roles)?;
        // A friendly answer for the common case, before spending a password hash on it; the
        // unique index settles the racy case below.
        if self.user_row(username).await?.is_some() {
            return Err(duplicate(username));
        }
        let password_hash = match (kind, password) {
            (UserKind::Service, Some(_)) => {
                return Err(StoreError::Invalid(format!(
                    "service account {username} cannot have a password; service accounts sign \
                     in with API tokens, so create the account without one and issue a token"
                )));
            }
            (UserKind::Service, None) | (UserKind::Human, None) => None,
            (UserKind::Human, Some(password)) => {
                passwords::check_policy(password)?;
                Some(passwords::hash(password.to_owned()).await?)
            }
        };

        let txn = self.db.begin().await?;
        let inserted = user::ActiveModel {
            username: Set(username.to_owned()),
            display_name: Set(display_name.to_owned()),
            kind: Set(kind.as_str().to_owned()),
            password_hash: Set(password_hash),
            disabled: Set(false),
            created_at: Set(crate::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await;
        let row = match inserted {
            Ok(row) => row,
            Err(err) if is_unique_violation(&err) => return Err(duplicate(username)),
            Err(err) => return Err(err.into()),
        };
        let grants = insert_grants(&txn, row.id, &roles).await?;
        txn.commit().await?;

        tracing::info!(username, kind = %kind, roles = roles.len(), "user created");
        to_user(row, grants)
    }

    /// Replaces all of a user's role grants.
    pub async fn set_roles(&self, username: &str, roles: &[RoleGrant]) -> Result<User, StoreError> {
        let roles = normalize_grants(roles)?;
        let row = self.existing_user_row(username).await?;
        let txn = self.db.begin().await?;
        role_grant::Entity::delete_many().filter(role_grant::Column::UserId.eq(row.id)).exec(&txn).await?;
        let grants = insert_grants(&txn, row.id, &roles).await?;
        txn.commit().await?;

        let shown: Vec<String> = roles.iter().map(ToString::to_string).collect();
        tracing::info!(username, roles = ?shown, "user roles replaced");
        to_user(row, grants)
    }

    /// Disables or re-enables a user. A disabled user's password, tokens and sessions stop
    /// working at once; nothing is deleted, so re-enabling restores them.
    pub async fn set_disabled(&self, username: &str, disabled: bool) -> Result<User, StoreError> {
        let row = self.existing_user_row(username).await?;
        user::Entity::update_many()
            .col_expr(user::Column::Disabled, Expr::value(disabled))
            .filter(user::Column::Id.eq(row.id))
            .exec(&self.db)
            .await?;
        tracing::info!(username, disabled, "user access changed");
        let row = self.existing_user_row(username).await?;
        self.load_user(row).await
    }

    /// Sets a person's password (service accounts have none).
    pub async fn set_password(&self, username: &str, password: &str) -> Result<User, StoreError> {
        let row = self.existing_user_row(username).await?;
        if row.kind != UserKind::Human.as_str() {
            return Err(StoreError::Invalid(format!(
                "{username} is a service account and cannot have a password; issue it an API \
                 token instead"
            )));
        }
        passwords::check_policy(password)?;
        let hash = passwords::hash(password.to_owned()).await?;
        user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash))
            .filter(user::Column::Id.eq(row.id))
            .exec(&self.db)
            .await?;
        tracing::info!(username, "password changed");
        self.load_user(row).await
    }

    pub async fn get_user(&self, username: &str) -> Result<Option<User>, StoreError> {
        match self.user_row(username).await? {
            Some(row) => Ok(Some(self.load_user(row).await?)),
            None => Ok(None),
        }
    }

    /// All users, by username.
    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let rows = user::Entity::find().order_by_asc(user::Column::Username).all(&self.db).await?;
        let mut grants: HashMap<i64, Vec<role_grant::Model>> = HashMap::new();
        for grant in role_grant::Entity::find().order_by_asc(role_grant::Column::Id).all(&self.db).await? {
            grants.entry(grant.user_id).or_default().push(grant);
        }
        rows.into_iter()
            .map(|row| {
                let mine = grants.remove(&row.id).unwrap_or_default();
                to_user(row, mine)
            })
            .collect()
    }

    /// The user if `password` is theirs and they may sign in; `None` for a wrong password, an
    /// unknown user, a service account or a disabled user, alike and in about the same time.
    pub async fn verify_password(&self, username: &str, password: &str) -> Result<Option<User>, StoreError> {
        let row = self.user_row(username).await?;
        let hash = row.as_ref().filter(|r| r.kind == UserKind::Human.as_str()).and_then(|r| r.password_hash.clone());
        let matches = passwords::verify(password.to_owned(), hash).await?;
        match row {
            Some(row) if matches && row.disabled => {
                tracing::info!(username, error.type = "login_refused_disabled", "sign-in refused");
                Ok(None)
            }
            Some(row) if matches => Ok(Some(self.load_user(row).await?)),
            _ => {
                tracing::info!(
                    username,
                    error.type = "login_refused_credentials",
                    "sign-in refused"
                );
                Ok(None)
            }
        }
    }
}

/// Usernames: `[a-z0-9._-]{1,64}`, so they are unambiguous in URLs, logs and audit entries.
fn validate_username(username: &str) -> Result<(), StoreError> {
    let ok = !username.is_empty()
        && username.len() <= 64
        && username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "username {username:?} is not valid: use 1 to 64 characters from a-z, 0-9, '.', '_' \
             and '-'"
        )))
    }
}

fn duplicate(username: &str) -> StoreError {
    StoreError::Conflict(format!(
        "a user named {username:?} already exists; choose another username, or change the \
         existing user's roles instead"
    ))
}

async fn insert_grants(
    db: &impl ConnectionTrait,
    user_id: i64,
    roles: &[RoleGrant],
) -> Result<Vec<role_grant::Model>, StoreError> {
    let mut rows = Vec::with_capacity(roles.len());
    for grant in roles {
        let row = role_grant::ActiveModel {
            user_id: Set(user_id),
            role: Set(grant.role.as_str().to_owned()),
            scope: Set(grant.scope.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        rows.push(row);
    }
    Ok(rows)
}
