//! Inbound webhook signing secrets and the replay guard for signed requests.
//!
//! An integrator signs requests to a hook with a secret issued for that hook; a verified request
//! acts as the secret's owner. Two secrets may be live at once so a sender can rotate without a
//! gap: issue the new one, switch the sender, retire the old one.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::entity::{hook_secret, webhook_receipt};
use crate::error::is_unique_violation;
use crate::identity::secrets;
use crate::{Store, StoreError, now, validate};

/// How long a `webhook-id` is remembered: the Standard Webhooks guidance is "at least the
/// timestamp window"; a day also covers senders that retry for hours.
pub const RECEIPT_RETENTION: Duration = Duration::from_secs(24 * 3600);

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct HookSecret {
    pub id: String,
    pub hook: String,
    pub owner: String,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// A live secret with its text, for verification only.
#[derive(Clone, Debug)]
pub struct LiveHookSecret {
    pub id: String,
    pub owner: String,
    pub secret: String,
}

impl Store {
    /// Issues a secret for `hook` owned by `owner`; the text is returned only here.
    pub async fn add_hook_secret(&self, hook: &str, owner: &str) -> Result<(HookSecret, String), StoreError> {
        validate::slug("hook path", hook)?;
        let secret = format!("whsec_{}", STANDARD.encode(secrets::random_bytes::<24>()?));
        let model = hook_secret::ActiveModel {
            id: Set(format!("hsec_{}", hex::encode(secrets::random_bytes::<8>()?))),
            hook: Set(hook.to_owned()),
            owner: Set(owner.to_owned()),
            secret: Set(secret.clone()),
            created_at: Set(now()),
            retired_at: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok((to_public(model), secret))
    }

    /// Every secret (live and retired) owned by `owner`, or everybody's when `None`.
    pub async fn hook_secrets(&self, owner: Option<&str>) -> Result<Vec<HookSecret>, StoreError> {
        let mut query = hook_secret::Entity::find();
        if let Some(owner) = owner {
            query = query.filter(hook_secret::Column::Owner.eq(owner));
        }
        let rows = query.order_by_asc(hook_secret::Column::CreatedAt).all(&self.db).await?;
        Ok(rows.into_iter().map(to_public).collect())
    }

    /// One secret (live or retired), without its text.
    pub async fn hook_secret(&self, id: &str) -> Result<Option<HookSecret>, StoreError> {
        Ok(hook_secret::Entity::find_by_id(id.to_owned()).one(&self.db).await?.map(to_public))
    }

    pub async fn live_hook_secrets(&self, hook: &str) -> Result<Vec<LiveHookSecret>, StoreError> {
        let rows = hook_secret::Entity::find()
            .filter(hook_secret::Column::Hook.eq(hook))
            .filter(hook_secret::Column::RetiredAt.is_null())
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|m| LiveHookSecret { id: m.id, owner: m.owner, secret: m.secret }).collect())
    }

    /// Retires a secret; requests signed with it are refused from now on.
    pub async fn retire_hook_secret(&self, id: &str) -> Result<HookSecret, StoreError> {
        let model = hook_secret::Entity::find_by_id(id.to_owned()).one(&self.db).await?.ok_or_else(|| {
            StoreError::NotFound(format!("hook secret {id} does not exist; list them with GET /v1/hook-secrets"))
        })?;
        if model.retired_at.is_some() {
            return Ok(to_public(model));
        }
        let mut active: hook_secret::ActiveModel = model.into();
        active.retired_at = Set(Some(now()));
        Ok(to_public(active.update(&self.db).await?))
    }

    /// Remembers a signed request's `webhook-id`; `false` if it was already seen within
    /// [`RECEIPT_RETENTION`] (a replay). Old receipts are pruned on the way.
    pub async fn record_webhook_receipt(&self, hook: &str, webhook_id: &str) -> Result<bool, StoreError> {
        validate::label("webhook-id", webhook_id, 256)?;
        let at = now();
        let cutoff = at - RECEIPT_RETENTION;
        webhook_receipt::Entity::delete_many()
            .filter(webhook_receipt::Column::ReceivedAt.lt(cutoff))
            .exec(&self.db)
            .await?;
        let inserted = webhook_receipt::Entity::insert(webhook_receipt::ActiveModel {
            hook: Set(hook.to_owned()),
            webhook_id: Set(webhook_id.to_owned()),
            received_at: Set(at),
        })
        .exec_without_returning(&self.db)
        .await;
        match inserted {
            Ok(_) => Ok(true),
            Err(err) if is_unique_violation(&err) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }
}

fn to_public(model: hook_secret::Model) -> HookSecret {
    HookSecret {
        id: model.id,
        hook: model.hook,
        owner: model.owner,
        created_at: model.created_at,
        retired_at: model.retired_at,
    }
}
