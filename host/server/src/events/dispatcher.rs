//! Drains the outbox: claims due deliveries, POSTs them signed, records every attempt. Runs as one
//! task per server; several servers on one PostgreSQL database share the work through leases.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use weft_store::Store;
use weft_store::events::{AttemptOutcome, DueDelivery};

use super::backoff::retry_delay;
use super::settings::OutboundArgs;
use crate::webhooks::signature::SigningSecret;

/// Deliveries claimed per round; each is sent concurrently.
const BATCH: u64 = 32;
/// How often the outbox is checked when nobody rings.
const IDLE_POLL: Duration = Duration::from_millis(500);
/// Longest response body kept in the delivery log.
const MAX_LOGGED_BODY: usize = 512;

#[derive(Clone)]
pub struct Dispatcher {
    store: Store,
    settings: Arc<OutboundArgs>,
    client: reqwest::Client,
    wake: Arc<Notify>,
}

impl Dispatcher {
    pub fn new(store: Store, settings: OutboundArgs) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(settings.outbound_timeout)
            // A redirect would send a signed event somewhere the subscriber did not name.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("weft/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { store, settings: Arc::new(settings), client, wake: Arc::default() })
    }

    /// Wakes the loop now (after a ping or a replay was queued).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs until the process ends.
    pub async fn run(self) {
        // A lease outlives the slowest attempt, so a live dispatcher never loses its claim.
        let lease = self.settings.outbound_timeout + Duration::from_secs(30);
        loop {
            let due = match self.store.claim_due_deliveries(BATCH, lease).await {
                Ok(due) => due,
                Err(err) => {
                    tracing::error!(error = %err, "could not read the outbound delivery outbox; retrying");
                    Vec::new()
                }
            };
            let full_batch = due.len() as u64 == BATCH;
            let sends = due.into_iter().map(|delivery| {
                let this = self.clone();
                tokio::spawn(async move { this.deliver(delivery).await })
            });
            for send in sends.collect::<Vec<_>>() {
                let _ = send.await;
            }
            if !full_batch {
                let _ = tokio::time::timeout(IDLE_POLL, self.wake.notified()).await;
            }
        }
    }

    async fn deliver(&self, due: DueDelivery) {
        let started = Instant::now();
        let result = self.send(&due).await;
        let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let (status, error) = match result {
            Ok((status, _)) if (200..300).contains(&status) => (Some(status), None),
            Ok((status, body)) => (Some(status), Some(format!("the endpoint answered {status}: {body}"))),
            Err(error) => (None, Some(error)),
        };
        let retry_at = error.as_ref().map(|_| {
            chrono::Utc::now()
                + retry_delay(due.attempt, self.settings.outbound_retry_base, self.settings.outbound_retry_max)
        });
        let outcome = AttemptOutcome {
            status,
            latency_ms,
            error: error.clone(),
            retry_at,
            breaker_threshold: self.settings.outbound_breaker_threshold,
            breaker_cooldown: self.settings.outbound_breaker_cooldown,
        };
        match self.store.record_delivery_attempt(&due, &outcome).await {
            Ok(state) => tracing::info!(
                delivery = %due.id, subscription = %due.subscription_id, attempt = due.attempt,
                status = ?status, latency_ms, state = state.as_str(), error = error.as_deref().unwrap_or(""),
                "outbound delivery attempt"
            ),
            // The lease expires and the delivery is tried again: at-least-once, never lost.
            Err(err) => tracing::error!(delivery = %due.id, error = %err, "could not record a delivery attempt"),
        }
    }

    /// One signed POST. `Ok` carries the status and the start of the response body.
    async fn send(&self, due: &DueDelivery) -> Result<(i32, String), String> {
        let secret = SigningSecret::parse(&due.secret).map_err(|err| {
            format!("the subscription's signing secret is unusable ({err}); recreate the subscription")
        })?;
        let timestamp = chrono::Utc::now().timestamp();
        let signature = secret.sign(&due.id, timestamp, due.payload.as_bytes());
        let response = self
            .client
            .post(&due.url)
            .header("content-type", "application/json")
            .header("webhook-id", &due.id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(due.payload.clone())
            .send()
            .await
            .map_err(|err| describe_send_error(&err))?;
        let status = i32::from(response.status().as_u16());
        let body = response.text().await.unwrap_or_default();
        let mut end = body.len().min(MAX_LOGGED_BODY);
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        Ok((status, body[..end].to_owned()))
    }
}

fn describe_send_error(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "the endpoint did not answer in time".to_owned()
    } else if err.is_connect() {
        format!("could not connect to the endpoint: {err}")
    } else {
        format!("sending failed: {err}")
    }
}
