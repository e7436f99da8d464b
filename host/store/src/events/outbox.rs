//! The delivery outbox: enqueue, claim what is due, record each attempt, list, replay.
//!
//! Claims are leases (a conditional update on `lease_until`), so two dispatchers sharing a
//! PostgreSQL database never send the same delivery at once, and a crashed dispatcher's claim
//! simply expires. Delivery is at-least-once by nature (a crash after the POST and before the
//! record resends it); the stable `webhook-id` lets receivers make it exactly-once.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

use super::{Delivery, DeliveryAttempt, DeliveryStatus, PING_EVENT};
use crate::entity::{event_delivery, event_delivery_attempt, event_subscription};
use crate::identity::secrets;
use crate::{Store, StoreError, now};

/// Largest page of `deliveries`.
pub const MAX_DELIVERY_PAGE: u64 = 500;

/// A claimed delivery with what the dispatcher needs to send it.
#[derive(Clone, Debug)]
pub struct DueDelivery {
    pub id: String,
    pub subscription_id: String,
    pub url: String,
    pub secret: String,
    pub payload: String,
    /// The number this attempt will have (1 for the first).
    pub attempt: i64,
    pub give_up_at: DateTime<Utc>,
}

/// What one HTTP attempt came to.
#[derive(Clone, Debug)]
pub struct AttemptOutcome {
    pub status: Option<i32>,
    pub latency_ms: i64,
    pub error: Option<String>,
    /// When to try again if this attempt failed; `None` (or a time past `give_up_at`) gives up.
    pub retry_at: Option<DateTime<Utc>>,
    /// Consecutive failures after which the endpoint's circuit opens, and for how long.
    pub breaker_threshold: i64,
    pub breaker_cooldown: Duration,
}

impl AttemptOutcome {
    fn succeeded(&self) -> bool {
        self.error.is_none() && self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

#[derive(Clone, Debug, Default)]
pub struct DeliveryFilter {
    pub status: Option<DeliveryStatus>,
    pub subscription: Option<String>,
    /// Keyset pagination: deliveries created before this one (its id).
    pub before: Option<String>,
    pub limit: u64,
}

impl Store {
    /// Queues `data` as an event of `kind` for every subscription that asked for it; returns the
    /// delivery ids.
    pub async fn enqueue_event(&self, kind: &str, data: serde_json::Value) -> Result<Vec<String>, StoreError> {
        let txn = self.db.begin().await?;
        let ids = self.enqueue_event_in(&txn, kind, &data).await?;
        txn.commit().await?;
        Ok(ids)
    }

    /// As [`Store::enqueue_event`], inside the caller's transaction: the event exists exactly when
    /// the change it reports was committed (a transactional outbox).
    pub(crate) async fn enqueue_event_in(
        &self,
        db: &impl ConnectionTrait,
        kind: &str,
        data: &serde_json::Value,
    ) -> Result<Vec<String>, StoreError> {
        let subscribers = event_subscription::Entity::find()
            .filter(event_subscription::Column::Disabled.eq(false))
            .all(db)
            .await?
            .into_iter()
            .filter(|s| s.event_types.as_array().is_some_and(|types| types.iter().any(|t| t == kind)));
        let mut ids = Vec::new();
        for subscription in subscribers {
            ids.push(insert_delivery(db, &subscription.id, kind, data, self.event_window).await?.id);
        }
        if !ids.is_empty() {
            tracing::info!(event.type = kind, deliveries = ids.len(), "event queued");
        }
        Ok(ids)
    }

    /// Queues a `weft.ping` test event for one subscription.
    pub async fn enqueue_ping(&self, subscription_id: &str) -> Result<Delivery, StoreError> {
        let subscription = self.subscription(subscription_id).await?;
        let data = serde_json::json!({ "subscription_id": subscription.id, "message": "test event from weft" });
        let model = insert_delivery(&self.db, &subscription.id, PING_EVENT, &data, self.event_window).await?;
        to_delivery(model)
    }

    /// Claims up to `limit` due deliveries for `lease`. Deliveries whose endpoint's circuit is
    /// open are pushed to when it closes instead of being claimed.
    pub async fn claim_due_deliveries(&self, limit: u64, lease: Duration) -> Result<Vec<DueDelivery>, StoreError> {
        let at = now();
        let lease_until = at + lease;
        let candidates = event_delivery::Entity::find()
            .filter(event_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .filter(event_delivery::Column::NextAttemptAt.lte(at))
            .filter(free_lease(at))
            .order_by_asc(event_delivery::Column::NextAttemptAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        let mut subscriptions: HashMap<String, Option<event_subscription::Model>> = HashMap::new();
        let mut claimed = Vec::new();
        for delivery in candidates {
            if !subscriptions.contains_key(&delivery.subscription_id) {
                let found = event_subscription::Entity::find_by_id(delivery.subscription_id.clone())
                    .filter(event_subscription::Column::Disabled.eq(false))
                    .one(&self.db)
                    .await?;
                subscriptions.insert(delivery.subscription_id.clone(), found);
            }
            let Some(Some(subscription)) = subscriptions.get(&delivery.subscription_id) else {
                continue; // Deleted meanwhile; `delete_subscription` moves its rows to dead.
            };
            if let Some(open_until) = subscription.circuit_open_until.filter(|until| *until > at) {
                event_delivery::Entity::update_many()
                    .col_expr(event_delivery::Column::NextAttemptAt, Expr::value(open_until))
                    .filter(event_delivery::Column::Id.eq(delivery.id.as_str()))
                    .exec(&self.db)
                    .await?;
                continue;
            }
            let won = event_delivery::Entity::update_many()
                .col_expr(event_delivery::Column::LeaseUntil, Expr::value(Some(lease_until)))
                .filter(event_delivery::Column::Id.eq(delivery.id.as_str()))
                .filter(event_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
                .filter(free_lease(at))
                .exec(&self.db)
                .await?
                .rows_affected
                == 1;
            if won {
                claimed.push(DueDelivery {
                    id: delivery.id,
                    subscription_id: subscription.id.clone(),
                    url: subscription.url.clone(),
                    secret: subscription.secret.clone(),
                    payload: delivery.payload,
                    attempt: delivery.attempts + 1,
                    give_up_at: delivery.give_up_at,
                });
            }
        }
        Ok(claimed)
    }

    /// Records an attempt, moves the delivery to delivered / pending (retry) / dead, and updates
    /// the endpoint's circuit breaker, all in one transaction.
    pub async fn record_delivery_attempt(
        &self,
        due: &DueDelivery,
        outcome: &AttemptOutcome,
    ) -> Result<DeliveryStatus, StoreError> {
        let at = now();
        let txn = self.db.begin().await?;
        event_delivery_attempt::ActiveModel {
            delivery_id: Set(due.id.clone()),
            attempt: Set(due.attempt),
            at: Set(at),
            status: Set(outcome.status),
            latency_ms: Set(outcome.latency_ms),
            error: Set(outcome.error.clone()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;

        let delivery = event_delivery::Entity::find_by_id(due.id.clone())
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("delivery {} vanished while being sent", due.id)))?;
        let succeeded = outcome.succeeded();
        let retry_at = outcome.retry_at.filter(|t| *t <= delivery.give_up_at);
        let status = match (succeeded, retry_at) {
            (true, _) => DeliveryStatus::Delivered,
            (false, Some(_)) => DeliveryStatus::Pending,
            (false, None) => DeliveryStatus::Dead,
        };
        let mut active: event_delivery::ActiveModel = delivery.into();
        active.status = Set(status.as_str().to_owned());
        active.attempts = Set(due.attempt);
        active.lease_until = Set(None);
        active.last_status = Set(outcome.status);
        active.last_error = Set(outcome.error.clone());
        active.last_latency_ms = Set(Some(outcome.latency_ms));
        if succeeded {
            active.delivered_at = Set(Some(at));
        }
        if let Some(retry_at) = retry_at.filter(|_| !succeeded) {
            active.next_attempt_at = Set(retry_at);
        }
        active.update(&txn).await?;

        if let Some(subscription) =
            event_subscription::Entity::find_by_id(due.subscription_id.clone()).one(&txn).await?
        {
            let failures = if succeeded { 0 } else { subscription.consecutive_failures + 1 };
            let open_until = (failures >= outcome.breaker_threshold).then(|| {
                // Each further failure while half-open doubles the pause, up to 64× the base.
                let doublings = (failures - outcome.breaker_threshold).clamp(0, 6) as u32;
                at + outcome.breaker_cooldown * 2u32.pow(doublings)
            });
            let mut active: event_subscription::ActiveModel = subscription.into();
            active.consecutive_failures = Set(failures);
            active.circuit_open_until = Set(open_until);
            active.update(&txn).await?;
            if let Some(until) = open_until {
                tracing::warn!(
                    subscription = %due.subscription_id, failures, open_until = %until,
                    "endpoint circuit opened: deliveries to it pause until then"
                );
            }
        }
        txn.commit().await?;
        Ok(status)
    }

    /// Deliveries, newest first.
    pub async fn deliveries(&self, filter: DeliveryFilter) -> Result<Vec<Delivery>, StoreError> {
        let mut query = event_delivery::Entity::find();
        if let Some(status) = filter.status {
            query = query.filter(event_delivery::Column::Status.eq(status.as_str()));
        }
        if let Some(subscription) = &filter.subscription {
            query = query.filter(event_delivery::Column::SubscriptionId.eq(subscription.as_str()));
        }
        if let Some(before) = &filter.before {
            let cursor = find_delivery(&self.db, before).await?;
            query = query.filter(
                Condition::any().add(event_delivery::Column::CreatedAt.lt(cursor.created_at)).add(
                    Condition::all()
                        .add(event_delivery::Column::CreatedAt.eq(cursor.created_at))
                        .add(event_delivery::Column::Id.lt(cursor.id)),
                ),
            );
        }
        query
            .order_by_desc(event_delivery::Column::CreatedAt)
            .order_by_desc(event_delivery::Column::Id)
            .limit(filter.limit.clamp(1, MAX_DELIVERY_PAGE))
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_delivery)
            .collect()
    }

    /// A delivery with its attempt log, oldest attempt first.
    pub async fn delivery(&self, id: &str) -> Result<(Delivery, Vec<DeliveryAttempt>), StoreError> {
        let delivery = to_delivery(find_delivery(&self.db, id).await?)?;
        let attempts = event_delivery_attempt::Entity::find()
            .filter(event_delivery_attempt::Column::DeliveryId.eq(id))
            .order_by_asc(event_delivery_attempt::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| DeliveryAttempt {
                attempt: a.attempt,
                at: a.at,
                status: a.status,
                latency_ms: a.latency_ms,
                error: a.error,
            })
            .collect();
        Ok((delivery, attempts))
    }

    /// Sends a delivery again (same `webhook-id`, same body), whatever its state, with a fresh
    /// retry window. Its subscription must still exist.
    pub async fn replay_delivery(&self, id: &str) -> Result<Delivery, StoreError> {
        let delivery = find_delivery(&self.db, id).await?;
        self.subscription(&delivery.subscription_id).await.map_err(|err| match err {
            StoreError::NotFound(_) => StoreError::Conflict(format!(
                "delivery {id} belonged to subscription {}, which was deleted; create a new subscription and \
                 send the event again",
                delivery.subscription_id
            )),
            other => other,
        })?;
        if delivery.status == DeliveryStatus::Pending.as_str() && delivery.lease_until.is_some_and(|l| l > now()) {
            return Err(StoreError::Conflict(format!(
                "delivery {id} is being sent right now; wait for the attempt to finish and look at its log"
            )));
        }
        let at = now();
        let mut active: event_delivery::ActiveModel = delivery.into();
        active.status = Set(DeliveryStatus::Pending.as_str().to_owned());
        active.next_attempt_at = Set(at);
        active.give_up_at = Set(at + self.event_window);
        active.lease_until = Set(None);
        to_delivery(active.update(&self.db).await?)
    }
}

fn free_lease(at: DateTime<Utc>) -> Condition {
    Condition::any().add(event_delivery::Column::LeaseUntil.is_null()).add(event_delivery::Column::LeaseUntil.lt(at))
}

async fn insert_delivery(
    db: &impl ConnectionTrait,
    subscription_id: &str,
    kind: &str,
    data: &serde_json::Value,
    give_up_after: Duration,
) -> Result<event_delivery::Model, StoreError> {
    let at = now();
    // The Standard Webhooks payload shape: type, timestamp, data.
    let payload = serde_json::json!({ "type": kind, "timestamp": at.to_rfc3339(), "data": data }).to_string();
    Ok(event_delivery::ActiveModel {
        id: Set(format!("msg_{}", hex::encode(secrets::random_bytes::<12>()?))),
        subscription_id: Set(subscription_id.to_owned()),
        event_type: Set(kind.to_owned()),
        payload: Set(payload),
        status: Set(DeliveryStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        created_at: Set(at),
        next_attempt_at: Set(at),
        give_up_at: Set(at + give_up_after),
        lease_until: Set(None),
        last_status: Set(None),
        last_error: Set(None),
        last_latency_ms: Set(None),
        delivered_at: Set(None),
    }
    .insert(db)
    .await?)
}

async fn find_delivery(db: &impl ConnectionTrait, id: &str) -> Result<event_delivery::Model, StoreError> {
    event_delivery::Entity::find_by_id(id.to_owned()).one(db).await?.ok_or_else(|| {
        StoreError::NotFound(format!("delivery {id} does not exist; list deliveries with GET /v1/event-deliveries"))
    })
}

fn to_delivery(model: event_delivery::Model) -> Result<Delivery, StoreError> {
    let status = DeliveryStatus::parse(&model.status)
        .ok_or_else(|| StoreError::Corrupt(format!("delivery {} has unknown status {:?}", model.id, model.status)))?;
    let payload = serde_json::from_str(&model.payload)
        .map_err(|err| StoreError::Corrupt(format!("payload of delivery {}: {err}", model.id)))?;
    Ok(Delivery {
        id: model.id,
        subscription_id: model.subscription_id,
        event_type: model.event_type,
        status,
        attempts: model.attempts,
        created_at: model.created_at,
        next_attempt_at: model.next_attempt_at,
        give_up_at: model.give_up_at,
        last_status: model.last_status,
        last_error: model.last_error,
        last_latency_ms: model.last_latency_ms,
        delivered_at: model.delivered_at,
        payload,
    })
}
