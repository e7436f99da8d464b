//! Outbound events: who wants which events where (subscriptions), and the outbox of deliveries
//! the server's dispatcher works through. Everything an endpoint has not acknowledged yet lives
//! here, so deliveries survive restarts and several processes can share the work.

mod outbox;
mod subscriptions;
pub(crate) mod workflow;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use outbox::{AttemptOutcome, DeliveryFilter, DueDelivery, MAX_DELIVERY_PAGE};

/// The event types a subscription may ask for. `weft.ping` is the test event an operator sends
/// to check an endpoint; it is delivered only to the subscription it was sent to.
pub const EVENT_TYPES: &[&str] = &[
    "run.completed",
    "run.failed",
    "ticket.escalated",
    "compensation.issued",
    "approval.requested",
    "article.published",
    "article.flagged",
];

/// How long deliveries are retried unless the server says otherwise: a day, as receivers of
/// Stripe or Svix webhooks expect.
pub const DEFAULT_EVENT_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// The test event; see [`EVENT_TYPES`].
pub const PING_EVENT: &str = "weft.ping";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Subscription {
    pub id: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub description: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub disabled: bool,
    pub consecutive_failures: i64,
    /// While set and in the future, deliveries to this endpoint wait instead of being attempted.
    pub circuit_open_until: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct NewSubscription {
    pub url: String,
    pub event_types: Vec<String>,
    pub description: String,
}

/// Delivery states. `dead` is the dead-letter list: given up after the retry window, or its
/// subscription was deleted; an operator can replay it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Dead,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(DeliveryStatus::Pending),
            "delivered" => Some(DeliveryStatus::Delivered),
            "dead" => Some(DeliveryStatus::Dead),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Delivery {
    /// Also the `webhook-id` the receiver sees, stable across retries and replays.
    pub id: String,
    pub subscription_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub give_up_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i64>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The signed body, as sent.
    pub payload: serde_json::Value,
}

/// One row of a delivery's log.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DeliveryAttempt {
    pub attempt: i64,
    pub at: DateTime<Utc>,
    pub status: Option<i32>,
    pub latency_ms: i64,
    pub error: Option<String>,
}
