//! Secrets handed to clients (API tokens, session ids) and how they are stored: 32 bytes from the
//! OS RNG, shown once, kept only as a SHA-256 hash. A fast hash is right here (unlike passwords):
//! 256 random bits cannot be guessed, so there is nothing for a slow hash to protect.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::StoreError;

/// A fresh random secret, base64url without padding (43 characters, safe in headers and cookies).
pub(crate) fn generate() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|err| StoreError::Internal(format!("the operating system's random source failed: {err}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Random bytes for salts.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|err| StoreError::Internal(format!("the operating system's random source failed: {err}")))?;
    Ok(bytes)
}

/// What the database stores in place of a secret.
pub(crate) fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
