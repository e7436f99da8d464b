//! Authenticating an inbound hook request by its Standard Webhooks signature: the secret that
//! verifies it names the integrator it acts as, and its `webhook-id` is accepted once.

use axum::http::{HeaderMap, StatusCode};
use weft_store::{Principal, Store};

use super::signature::{self, DEFAULT_TOLERANCE_SECS, SignedHeaders, SigningSecret};
use crate::api::error::ApiError;

/// The only action a signature authorizes: a leaked hook secret cannot read or change anything.
pub const SIGNED_SCOPE: &str = "actions:workflow.trigger";

/// Whether the request claims to be signed (then it must verify; it never falls back to a token).
pub fn is_signed(headers: &HeaderMap) -> bool {
    ["webhook-id", "webhook-signature", "webhook-timestamp"].iter().any(|h| headers.contains_key(*h))
}

/// Verifies a signed request to `hook` and returns who it acts as. Refusals have distinct codes:
/// `signature_missing`, `timestamp_malformed`, `timestamp_stale`, `timestamp_in_future`,
/// `signature_mismatch`, `webhook_replayed`, `hook_unsigned`.
pub async fn authenticate(store: &Store, hook: &str, headers: &HeaderMap, body: &[u8]) -> Result<Principal, ApiError> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signed = SignedHeaders {
        id: text("webhook-id"),
        timestamp: text("webhook-timestamp"),
        signature: text("webhook-signature"),
    };
    let live = store.live_hook_secrets(hook).await?;
    if live.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "hook_unsigned",
            format!(
                "this request is signed, but hook {hook} has no signing secret; an integrator creates one with \
                 POST /v1/hook-secrets {{\"hook\": \"{hook}\"}}, or send an API token instead of signature headers"
            ),
        ));
    }
    // A secret stored unparseable verifies nothing; the others still may (rotation).
    let (owners, secrets): (Vec<&str>, Vec<SigningSecret>) = live
        .iter()
        .filter_map(|candidate| Some((candidate.owner.as_str(), SigningSecret::parse(&candidate.secret).ok()?)))
        .unzip();
    let now = chrono::Utc::now().timestamp();
    let (id, index) = signature::verify(&secrets, &signed, body, now, DEFAULT_TOLERANCE_SECS).map_err(refusal)?;
    if !store.record_webhook_receipt(hook, id).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "webhook_replayed",
            format!(
                "webhook-id {id} was already received by hook {hook} within the last 24 h, so this request was \
                 ignored; give every new request its own webhook-id"
            ),
        ));
    }
    let owner = owners.get(index).copied().unwrap_or_default();
    let user = store.get_user(owner).await?.filter(|u| !u.disabled).ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("the secret that signed this request belongs to {owner}, who no longer exists or is disabled"),
        )
    })?;
    Ok(Principal { user, token_scopes: Some(vec![SIGNED_SCOPE.to_owned()]) })
}

fn refusal(err: signature::SignatureError) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, err.code(), err.to_string())
}
