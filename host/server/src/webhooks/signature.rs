//! Signing and verifying: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`,
//! several space-separated signatures while a secret rotates, timestamps within a window.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far `webhook-timestamp` may be from our clock, either way: the spec's recommendation.
pub const DEFAULT_TOLERANCE_SECS: i64 = 5 * 60;

/// A secret as exchanged with the other side: `whsec_` followed by base64 of the key bytes.
#[derive(Clone)]
pub struct SigningSecret(Vec<u8>);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(***)")
    }
}

impl SigningSecret {
    pub fn parse(text: &str) -> Result<Self, SignatureError> {
        let encoded = text.strip_prefix("whsec_").unwrap_or(text);
        let key = STANDARD.decode(encoded).map_err(|_| SignatureError::BadSecret)?;
        if key.len() < 16 {
            return Err(SignatureError::BadSecret);
        }
        Ok(SigningSecret(key))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
        // HMAC takes keys of any length, so this cannot fail; the fallback keeps it panic-free.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable_mac());
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The `webhook-signature` header value for one message.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!("v1,{}", STANDARD.encode(self.mac(id, timestamp, body).finalize().into_bytes()))
    }
}

fn unreachable_mac() -> Hmac<Sha256> {
    #[allow(clippy::expect_used)]
    Hmac::<Sha256>::new_from_slice(&[0u8; 32]).expect("a 32-byte HMAC key is always accepted")
}

/// The three headers, as received.
#[derive(Clone, Debug, Default)]
pub struct SignedHeaders<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

/// Why a signed request was refused. Each variant is its own error code, so an integrator can
/// tell a clock problem from a replay from a bad signature. A tampered body and a wrong secret are
/// deliberately indistinguishable: telling them apart would hand an attacker an oracle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error(
        "the {0} header is missing; sign the request with the Standard Webhooks scheme (webhook-id, \
         webhook-timestamp, webhook-signature)"
    )]
    MissingHeader(&'static str),
    #[error("webhook-timestamp {0:?} is not a whole number of seconds since the Unix epoch")]
    MalformedTimestamp(String),
    #[error(
        "webhook-timestamp is {age} s old, outside the ±{tolerance} s window; send the request with the current \
         time (check the sender's clock), never re-send an old signature"
    )]
    StaleTimestamp { age: i64, tolerance: i64 },
    #[error(
        "webhook-timestamp is {ahead} s in the future, outside the ±{tolerance} s window; check the sender's clock"
    )]
    FutureTimestamp { ahead: i64, tolerance: i64 },
    #[error("webhook-signature has no v1 signature; send `v1,<base64 HMAC-SHA256>` (several separated by spaces)")]
    NoSignature,
    #[error(
        "no signature in webhook-signature matches the body; sign the exact bytes sent as \
         \"{{webhook-id}}.{{webhook-timestamp}}.{{body}}\" with the hook's current secret"
    )]
    Mismatch,
    #[error("the signing secret is not `whsec_` followed by base64 of at least 16 bytes")]
    BadSecret,
}

impl SignatureError {
    /// A stable code for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::MissingHeader(_) => "signature_missing",
            SignatureError::MalformedTimestamp(_) => "timestamp_malformed",
            SignatureError::StaleTimestamp { .. } => "timestamp_stale",
            SignatureError::FutureTimestamp { .. } => "timestamp_in_future",
            SignatureError::NoSignature | SignatureError::Mismatch => "signature_mismatch",
            SignatureError::BadSecret => "secret_invalid",
        }
    }
}

/// Checks `headers` against any of `secrets` (several while rotating). Returns the webhook id,
/// which the caller then deduplicates, and the index of the secret that verified it.
pub fn verify<'a>(
    secrets: &[SigningSecret],
    headers: &SignedHeaders<'a>,
    body: &[u8],
    now: i64,
    tolerance: i64,
) -> Result<(&'a str, usize), SignatureError> {
    let id = headers.id.ok_or(SignatureError::MissingHeader("webhook-id"))?;
    let timestamp_text = headers.timestamp.ok_or(SignatureError::MissingHeader("webhook-timestamp"))?;
    let signature = headers.signature.ok_or(SignatureError::MissingHeader("webhook-signature"))?;
    let timestamp: i64 =
        timestamp_text.trim().parse().map_err(|_| SignatureError::MalformedTimestamp(timestamp_text.to_owned()))?;
    if now - timestamp > tolerance {
        return Err(SignatureError::StaleTimestamp { age: now - timestamp, tolerance });
    }
    if timestamp - now > tolerance {
        return Err(SignatureError::FutureTimestamp { ahead: timestamp - now, tolerance });
    }
    let candidates: Vec<Vec<u8>> = signature
        .split_whitespace()
        .filter_map(|part| part.strip_prefix("v1,"))
        .filter_map(|encoded| STANDARD.decode(encoded).ok())
        .collect();
    if candidates.is_empty() {
        return Err(SignatureError::NoSignature);
    }
    for (index, secret) in secrets.iter().enumerate() {
        let expected = secret.mac(id, timestamp, body);
        // `verify_slice` compares in constant time.
        if candidates.iter().any(|candidate| expected.clone().verify_slice(candidate).is_ok()) {
            return Ok((id, index));
        }
    }
    Err(SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example from the Standard Webhooks specification's test vectors.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TS: i64 = 1614265330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn headers<'a>(id: &'a str, ts: &'a str, sig: &'a str) -> SignedHeaders<'a> {
        SignedHeaders { id: Some(id), timestamp: Some(ts), signature: Some(sig) }
    }

    #[test]
    fn matches_the_specification_vector() {
        let Ok(secret) = SigningSecret::parse(SPEC_SECRET) else { panic!("the spec secret parses") };
        assert_eq!(secret.sign(SPEC_ID, SPEC_TS, SPEC_BODY), SPEC_SIG);
        let ts = SPEC_TS.to_string();
        let verified =
            verify(&[secret], &headers(SPEC_ID, &ts, SPEC_SIG), SPEC_BODY, SPEC_TS + 10, DEFAULT_TOLERANCE_SECS);
        assert_eq!(verified, Ok((SPEC_ID, 0)));
    }

    #[test]
    fn rotation_accepts_any_listed_signature_and_any_current_secret() {
        let Ok(old) = SigningSecret::parse(SPEC_SECRET) else { panic!() };
        let Ok(new) = SigningSecret::parse("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAA") else { panic!() };
        let both = format!("v1,bm90IGl0 {}", new.sign("m", 100, b"{}"));
        assert_eq!(verify(std::slice::from_ref(&new), &headers("m", "100", &both), b"{}", 100, 300), Ok(("m", 0)));
        let by_old = old.sign("m", 100, b"{}");
        assert_eq!(verify(&[new, old], &headers("m", "100", &by_old), b"{}", 100, 300), Ok(("m", 1)));
    }

    #[test]
    fn each_failure_has_its_own_error() {
        let Ok(secret) = SigningSecret::parse(SPEC_SECRET) else { panic!() };
        let secrets = [secret];
        let ts = SPEC_TS.to_string();
        let check = |h: SignedHeaders<'_>, body: &[u8], now: i64| verify(&secrets, &h, body, now, 300).map(|_| ());
        assert_eq!(check(headers(SPEC_ID, &ts, SPEC_SIG), b"{\"test\": 1}", SPEC_TS), Err(SignatureError::Mismatch));
        assert_eq!(
            check(headers(SPEC_ID, &ts, SPEC_SIG), SPEC_BODY, SPEC_TS + 301),
            Err(SignatureError::StaleTimestamp { age: 301, tolerance: 300 })
        );
        assert_eq!(
            check(headers(SPEC_ID, &ts, SPEC_SIG), SPEC_BODY, SPEC_TS - 301),
            Err(SignatureError::FutureTimestamp { ahead: 301, tolerance: 300 })
        );
        assert_eq!(
            check(headers(SPEC_ID, "soon", SPEC_SIG), SPEC_BODY, SPEC_TS).map_err(|e| e.code()),
            Err("timestamp_malformed")
        );
        assert_eq!(check(headers(SPEC_ID, &ts, "v2,abc"), SPEC_BODY, SPEC_TS), Err(SignatureError::NoSignature));
        let missing = SignedHeaders { id: None, ..headers(SPEC_ID, &ts, SPEC_SIG) };
        assert_eq!(check(missing, SPEC_BODY, SPEC_TS), Err(SignatureError::MissingHeader("webhook-id")));
        assert!(SigningSecret::parse("whsec_short").is_err());
    }
}
