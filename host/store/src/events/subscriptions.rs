//! Creating, listing and removing event subscriptions.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::{DeliveryStatus, EVENT_TYPES, NewSubscription, Subscription};
use crate::entity::{event_delivery, event_subscription};
use crate::identity::secrets;
use crate::{Store, StoreError, now};

/// Endpoint URLs end up in logs and the delivery log; anything longer is a mistake.
const MAX_URL_BYTES: usize = 2048;

impl Store {
    /// Creates a subscription and returns it with its signing secret (`whsec_…`), which the
    /// receiver needs to verify deliveries. The secret is readable again only by admins.
    pub async fn create_subscription(
        &self,
        new: NewSubscription,
        actor: &str,
    ) -> Result<(Subscription, String), StoreError> {
        validate_url(&new.url)?;
        if new.event_types.is_empty() {
            return Err(StoreError::Invalid(format!(
                "event_types is empty; list at least one of: {}",
                EVENT_TYPES.join(", ")
            )));
        }
        for kind in &new.event_types {
            if !EVENT_TYPES.contains(&kind.as_str()) {
                return Err(StoreError::Invalid(format!(
                    "event type {kind:?} does not exist; use one of: {}",
                    EVENT_TYPES.join(", ")
                )));
            }
        }
        let secret = format!("whsec_{}", STANDARD.encode(secrets::random_bytes::<24>()?));
        let id = format!("sub_{}", hex::encode(secrets::random_bytes::<8>()?));
        let model = event_subscription::ActiveModel {
            id: Set(id),
            url: Set(new.url),
            event_types: Set(serde_json::json!(new.event_types)),
            description: Set(new.description),
            secret: Set(secret.clone()),
            created_by: Set(actor.to_owned()),
            created_at: Set(now()),
            disabled: Set(false),
            consecutive_failures: Set(0),
            circuit_open_until: Set(None),
        }
        .insert(&self.db)
        .await?;
        Ok((to_subscription(model)?, secret))
    }

    pub async fn subscriptions(&self) -> Result<Vec<Subscription>, StoreError> {
        event_subscription::Entity::find()
            .filter(event_subscription::Column::Disabled.eq(false))
            .order_by_asc(event_subscription::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_subscription)
            .collect()
    }

    pub async fn subscription(&self, id: &str) -> Result<Subscription, StoreError> {
        to_subscription(find(&self.db, id).await?)
    }

    /// The signing secret, for an admin who lost it.
    pub async fn subscription_secret(&self, id: &str) -> Result<String, StoreError> {
        Ok(find(&self.db, id).await?.secret)
    }

    /// Disables the subscription and moves its undelivered events to the dead-letter list, where
    /// they stay visible (and replayable if the subscription is recreated under the same id).
    pub async fn delete_subscription(&self, id: &str) -> Result<u64, StoreError> {
        let txn = self.db.begin().await?;
        let model = find(&txn, id).await?;
        let mut active: event_subscription::ActiveModel = model.into();
        active.disabled = Set(true);
        active.update(&txn).await?;
        let moved = event_delivery::Entity::update_many()
            .col_expr(event_delivery::Column::Status, DeliveryStatus::Dead.as_str().into())
            .col_expr(
                event_delivery::Column::LastError,
                Some("the subscription was deleted before this event was delivered".to_owned()).into(),
            )
            .filter(event_delivery::Column::SubscriptionId.eq(id))
            .filter(event_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
        Ok(moved)
    }
}

async fn find(db: &impl sea_orm::ConnectionTrait, id: &str) -> Result<event_subscription::Model, StoreError> {
    event_subscription::Entity::find_by_id(id.to_owned())
        .filter(event_subscription::Column::Disabled.eq(false))
        .one(db)
        .await?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "event subscription {id} does not exist (or was deleted); list them with GET /v1/event-subscriptions"
            ))
        })
}

fn validate_url(url: &str) -> Result<(), StoreError> {
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    let authority = url.split_once("://").map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or_default());
    let problem = if url.len() > MAX_URL_BYTES {
        Some(format!("is {} bytes long; at most {MAX_URL_BYTES} are allowed", url.len()))
    } else if !scheme_ok {
        Some("must start with http:// or https://".to_owned())
    } else if authority.is_none_or(str::is_empty) {
        Some("has no host".to_owned())
    } else if authority.is_some_and(|a| a.contains('@')) {
        Some("contains credentials; receivers authenticate deliveries by their signature instead".to_owned())
    } else if url.chars().any(char::is_whitespace) {
        Some("contains whitespace".to_owned())
    } else {
        None
    };
    match problem {
        Some(problem) => Err(StoreError::Invalid(format!("url {url:?} {problem}"))),
        None => Ok(()),
    }
}

pub(super) fn to_subscription(model: event_subscription::Model) -> Result<Subscription, StoreError> {
    let event_types = serde_json::from_value(model.event_types)
        .map_err(|err| StoreError::Corrupt(format!("event_types of subscription {}: {err}", model.id)))?;
    Ok(Subscription {
        id: model.id,
        url: model.url,
        event_types,
        description: model.description,
        created_by: model.created_by,
        created_at: model.created_at,
        disabled: model.disabled,
        consecutive_failures: model.consecutive_failures,
        circuit_open_until: model.circuit_open_until,
    })
}

#[cfg(test)]
mod tests {
    use super::validate_url;

    #[test]
    fn endpoint_urls_are_checked() {
        assert!(validate_url("https://hooks.example.com/weft").is_ok());
        assert!(validate_url("http://127.0.0.1:9000/in").is_ok());
        for bad in ["ftp://x/y", "https://", "https://user:pw@host/x", "https://host/a b", "hooks.example.com"] {
            assert!(validate_url(bad).is_err(), "{bad} should be refused");
        }
    }
}
