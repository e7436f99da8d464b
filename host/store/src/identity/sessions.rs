//! Browser sessions: a random id in a cookie, stored only as a hash, with a fixed lifetime.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::{Principal, UserKind, secrets};
use crate::entity::session;
use crate::{Store, StoreError};

/// A working day plus margin: people sign in once a day, and a stolen cookie dies by tomorrow.
pub const DEFAULT_SESSION_TTL: Duration = Duration::hours(12);

impl Store {
    /// Starts a session for a person who has just proved who they are; returns the session id to
    /// put in the cookie. It is not stored and cannot be shown again.
    pub async fn create_session(&self, username: &str, ttl: Duration) -> Result<String, StoreError> {
        if ttl <= Duration::zero() {
            return Err(StoreError::Invalid("a session lifetime must be positive, e.g. 12 hours".into()));
        }
        let owner = self.existing_user_row(username).await?;
        if owner.kind != UserKind::Human.as_str() {
            return Err(StoreError::Invalid(format!(
                "{username} is a service account; service accounts use API tokens, not browser \
                 sessions"
            )));
        }
        if owner.disabled {
            return Err(StoreError::Invalid(format!("user {username} is disabled; enable the user before signing in")));
        }
        let now = crate::now();
        let expires_at = now
            .checked_add_signed(ttl)
            .ok_or_else(|| StoreError::Invalid("the session lifetime is too long; use at most a few days".into()))?;
        let plaintext = secrets::generate()?;
        let row = session::ActiveModel {
            session_hash: Set(secrets::hash(&plaintext)),
            user_id: Set(owner.id),
            created_at: Set(now),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        tracing::info!(session = row.id, username, %expires_at, "session started");
        Ok(plaintext)
    }

    /// The person behind a session id, or `None` if it is unknown, expired, revoked, or the user
    /// has been disabled since.
    pub async fn authenticate_session(&self, session_id: &str) -> Result<Option<Principal>, StoreError> {
        if session_id.is_empty() || session_id.len() > 128 {
            return Ok(None);
        }
        let Some(row) = self.session_row(session_id).await? else {
            return Ok(None);
        };
        if row.revoked_at.is_some() || expired(row.expires_at) {
            return Ok(None);
        }
        match self.load_user_by_id(row.user_id).await? {
            Some(user) if !user.disabled => Ok(Some(Principal { user, token_scopes: None })),
            _ => Ok(None),
        }
    }

    /// Ends a session (sign-out). Unknown or already ended sessions are fine: signing out twice
    /// is not an error.
    pub async fn revoke_session(&self, session_id: &str) -> Result<(), StoreError> {
        let ended = session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(crate::now()))
            .filter(session::Column::SessionHash.eq(secrets::hash(session_id)))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?
            .rows_affected;
        if ended > 0 {
            tracing::info!("session ended");
        }
        Ok(())
    }

    async fn session_row(&self, session_id: &str) -> Result<Option<session::Model>, StoreError> {
        Ok(session::Entity::find()
            .filter(session::Column::SessionHash.eq(secrets::hash(session_id)))
            .one(&self.db)
            .await?)
    }
}

fn expired(expires_at: DateTime<Utc>) -> bool {
    expires_at <= Utc::now()
}
