//! API tokens for integrators, CI and service accounts: `weft_<43 base64url chars>`, shown once,
//! stored as a SHA-256 hash with a short prefix for telling tokens apart in a list.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use super::{Principal, secrets, unknown_user};
use crate::entity::{api_token, user};
use crate::{Store, StoreError, validate};

/// Recognisable in logs, config files and secret scanners.
const TOKEN_PREFIX: &str = "weft_";
/// "weft_" plus 8 characters: 48 bits of the 256, useless to an attacker, enough to tell apart.
const DISPLAY_PREFIX_LEN: usize = TOKEN_PREFIX.len() + 8;
/// Recording every use would turn each authenticated read into a write; a minute's precision is
/// enough to spot unused tokens.
const LAST_USED_RESOLUTION: Duration = Duration::seconds(60);

/// A token as listed: everything but the secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    /// The owning user's username.
    pub owner: String,
    /// The token's first characters, e.g. `weft_AbCdEfGh`.
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Issues a token for `username` limited to `scopes` (`*` for everything the user may do).
    /// Returns the token text, which is never stored and cannot be shown again, and its info.
    pub async fn create_token(
        &self,
        username: &str,
        name: &str,
        scopes: &[String],
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(String, TokenInfo), StoreError> {
        validate::label("token name", name, 128)?;
        if scopes.is_empty() {
            return Err(StoreError::Invalid(
                "a token needs at least one scope, e.g. \"workflows:inbound-ticket\"; use \"*\" \
                 for everything its user may do"
                    .into(),
            ));
        }
        for scope in scopes {
            validate::token("token scope", scope)?;
        }
        let now = crate::now();
        if expires_at.is_some_and(|at| at <= now) {
            return Err(StoreError::Invalid(
                "the token's expiry is in the past; choose a future time or no expiry".into(),
            ));
        }
        let owner = self.existing_user_row(username).await?;
        if owner.disabled {
            return Err(StoreError::Invalid(format!(
                "user {username} is disabled; enable the user before issuing tokens"
            )));
        }

        let plaintext = format!("{TOKEN_PREFIX}{}", secrets::generate()?);
        let prefix: String = plaintext.chars().take(DISPLAY_PREFIX_LEN).collect();
        let row = api_token::ActiveModel {
            user_id: Set(owner.id),
            name: Set(name.to_owned()),
            prefix: Set(prefix),
            token_hash: Set(secrets::hash(&plaintext)),
            scopes: Set(serde_json::Value::from(scopes.to_vec())),
            created_at: Set(now),
            expires_at: Set(expires_at.map(truncate)),
            revoked_at: Set(None),
            last_used_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;

        tracing::info!(
            token_id = row.id,
            owner = %owner.username,
            name,
            scopes = ?scopes,
            "api token created"
        );
        let info = to_info(row, owner.username)?;
        Ok((plaintext, info))
    }

    /// The caller behind a token, or `None` if the token is unknown, malformed, expired, revoked,
    /// or its user is disabled. Which of these it was is logged, never returned: a caller
    /// probing tokens learns nothing.
    pub async fn authenticate_token(&self, plaintext: &str) -> Result<Option<Principal>, StoreError> {
        if !plaintext.starts_with(TOKEN_PREFIX) || plaintext.len() > 128 {
            return Ok(None);
        }
        let Some(row) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(secrets::hash(plaintext)))
            .one(&self.db)
            .await?
        else {
            tracing::debug!("unknown api token presented");
            return Ok(None);
        };
        let now = crate::now();
        if row.revoked_at.is_some() {
            tracing::info!(
                token_id = row.id,
                error.type = "token_revoked",
                "revoked api token presented"
            );
            return Ok(None);
        }
        if row.expires_at.is_some_and(|at| at <= now) {
            tracing::info!(
                token_id = row.id,
                error.type = "token_expired",
                "expired api token presented"
            );
            return Ok(None);
        }
        let Some(user) = self.load_user_by_id(row.user_id).await? else {
            return Ok(None);
        };
        if user.disabled {
            tracing::info!(
                token_id = row.id,
                username = %user.username,
                error.type = "token_user_disabled",
                "api token of a disabled user presented"
            );
            return Ok(None);
        }

        if row.last_used_at.is_none_or(|at| now - at >= LAST_USED_RESOLUTION) {
            // Only the request that moves `last_used_at` writes the audit entry (the filter on
            // the old value makes racing requests agree on one winner). So the log shows a
            // token's first use and then at most one entry per token per minute in which it was
            // used: enough to answer "was this token used, when, by whom" after an incident,
            // without turning every authenticated read into an audit write (each entry is a
            // serialised, hash-chained insert, the hot path's most expensive statement).
            let mut update = api_token::Entity::update_many()
                .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
                .filter(api_token::Column::Id.eq(row.id));
            update = match row.last_used_at {
                Some(at) => update.filter(api_token::Column::LastUsedAt.eq(at)),
                None => update.filter(api_token::Column::LastUsedAt.is_null()),
            };
            if update.exec(&self.db).await?.rows_affected == 1 {
                self.audit(crate::AuditEvent {
                    actor: user.username.clone(),
                    action: "token.use".into(),
                    target: format!("token:{}", row.id),
                    details: serde_json::json!({
                        "token_id": row.id, "name": row.name, "first_use": row.last_used_at.is_none(),
                    }),
                })
                .await?;
            }
        }
        let scopes = scopes_of(&row)?;
        Ok(Some(Principal { user, token_scopes: Some(scopes) }))
    }

    /// Revokes a token for good. Revoking an already revoked token changes nothing.
    pub async fn revoke_token(&self, token_id: i64) -> Result<(), StoreError> {
        let revoked = api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(crate::now()))
            .filter(api_token::Column::Id.eq(token_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?
            .rows_affected;
        if revoked == 0 && api_token::Entity::find_by_id(token_id).one(&self.db).await?.is_none() {
            return Err(StoreError::NotFound(format!(
                "there is no API token with id {token_id}; list tokens to find its id"
            )));
        }
        tracing::info!(token_id, "api token revoked");
        Ok(())
    }

    /// Tokens of one user, or of everyone, oldest first. Never includes secrets.
    pub async fn list_tokens(&self, username: Option<&str>) -> Result<Vec<TokenInfo>, StoreError> {
        let mut query = api_token::Entity::find().order_by_asc(api_token::Column::Id);
        let mut owners: HashMap<i64, String> = HashMap::new();
        match username {
            Some(username) => {
                let owner = self.user_row(username).await?.ok_or_else(|| unknown_user(username))?;
                query = query.filter(api_token::Column::UserId.eq(owner.id));
                owners.insert(owner.id, owner.username);
            }
            None => {
                for owner in user::Entity::find().all(&self.db).await? {
                    owners.insert(owner.id, owner.username);
                }
            }
        }
        query
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| {
                let owner = owners.get(&row.user_id).cloned().unwrap_or_default();
                to_info(row, owner)
            })
            .collect()
    }
}

fn scopes_of(row: &api_token::Model) -> Result<Vec<String>, StoreError> {
    serde_json::from_value(row.scopes.clone())
        .map_err(|err| StoreError::Corrupt(format!("api token {}: scopes are not a list of strings ({err})", row.id)))
}

fn to_info(row: api_token::Model, owner: String) -> Result<TokenInfo, StoreError> {
    let scopes = scopes_of(&row)?;
    Ok(TokenInfo {
        id: row.id,
        name: row.name,
        owner,
        prefix: row.prefix,
        scopes,
        created_at: row.created_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
        last_used_at: row.last_used_at,
    })
}

/// Stored timestamps keep microseconds; so must the value we hand back.
fn truncate(at: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    at.trunc_subsecs(6)
}
