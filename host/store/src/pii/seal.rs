//! Sealing one value with a data key: AES-256-GCM, a fresh random 96-bit nonce per value, and
//! associated data naming the table, row and field the value belongs to. GCM authenticates the
//! associated data without storing it, so a ciphertext copied into another row or field (by a
//! bug or by someone with write access to the database) fails to open instead of being read as
//! the other row's data.
//!
//! Two stored forms, so sealing never changes a column's type (and no shipped migration changes):
//! JSON columns hold `{"$weft_sealed": "v1", "dek": ID, "data": BASE64}`, text columns hold
//! `weft-sealed:v1:ID:BASE64`, where BASE64 is `nonce || ciphertext || tag`.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde_json::{Value, json};
use zeroize::Zeroizing;

/// GCM's standard nonce length. Random nonces are safe for up to 2^32 values per key; one key
/// per customer stays far below that.
pub const NONCE_LEN: usize = 12;
/// A data key's length: AES-256.
pub const KEY_LEN: usize = 32;

const JSON_MARKER: &str = "$weft_sealed";
const TEXT_PREFIX: &str = "weft-sealed:v1:";

/// Why a sealed value could not be opened; [`crate::StoreError::Unsealable`] adds the row.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("the value is not a well-formed sealed value ({0})")]
    Malformed(String),
    #[error(
        "the ciphertext failed authentication: it was altered, or copied here from another row or \
         field, or sealed under a different key"
    )]
    Authentication,
    #[error("the operating system's random source failed: {0}")]
    Random(String),
}

/// Where a value lives: bound into its ciphertext as associated data.
#[derive(Clone, Copy, Debug)]
pub struct Slot<'a> {
    pub table: &'a str,
    pub row: &'a str,
    pub field: &'a str,
}

impl Slot<'_> {
    fn aad(&self) -> Vec<u8> {
        // NUL cannot occur in table or field names, and ends the row id unambiguously because
        // the field follows it; the version prefix lets a later format change its binding.
        format!("weft-pii/v1\0{}\0{}\0{}", self.table, self.row, self.field).into_bytes()
    }
}

impl std::fmt::Display for Slot<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} row {} field {}", self.table, self.row, self.field)
    }
}

/// One customer's (or the tenant's) data key, unwrapped, ready to seal and open.
pub struct DataKey {
    id: String,
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key material.
        f.debug_struct("DataKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl DataKey {
    pub fn new(id: impl Into<String>, key: &[u8; KEY_LEN]) -> DataKey {
        DataKey { id: id.into(), cipher: Aes256Gcm::new(key.into()) }
    }

    /// A fresh random key and its bytes (to be wrapped by the master key and stored).
    pub fn generate(id: impl Into<String>) -> Result<(DataKey, Zeroizing<[u8; KEY_LEN]>), SealError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        getrandom::fill(&mut bytes[..]).map_err(|e| SealError::Random(e.to_string()))?;
        Ok((DataKey::new(id, &bytes), bytes))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// `nonce || ciphertext || tag`.
    pub fn seal_bytes(&self, slot: Slot<'_>, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        seal_with(&self.cipher, &slot.aad(), plaintext)
    }

    pub fn open_bytes(&self, slot: Slot<'_>, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        open_with(&self.cipher, &slot.aad(), sealed)
    }

    /// A JSON value as the sealed JSON form.
    pub fn seal_json(&self, slot: Slot<'_>, value: &Value) -> Result<Value, SealError> {
        let plain = Zeroizing::new(serde_json::to_vec(value).map_err(|e| SealError::Malformed(e.to_string()))?);
        let sealed = self.seal_bytes(slot, &plain)?;
        Ok(json!({ JSON_MARKER: "v1", "dek": self.id, "data": STANDARD_NO_PAD.encode(sealed) }))
    }

    /// Text as the sealed text form.
    pub fn seal_text(&self, slot: Slot<'_>, text: &str) -> Result<String, SealError> {
        let sealed = self.seal_bytes(slot, text.as_bytes())?;
        Ok(format!("{TEXT_PREFIX}{}:{}", self.id, STANDARD_NO_PAD.encode(sealed)))
    }
}

pub(crate) fn seal_with(cipher: &Aes256Gcm, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|e| SealError::Random(e.to_string()))?;
    let ciphertext = cipher
        .encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad })
        // Only fails for inputs over GCM's 64 GiB limit, far beyond any row.
        .map_err(|_| SealError::Malformed("value too large to seal".into()))?;
    let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

pub(crate) fn open_with(cipher: &Aes256Gcm, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, SealError> {
    if sealed.len() < NONCE_LEN + 16 {
        return Err(SealError::Malformed(format!("{} bytes is shorter than a nonce and a tag", sealed.len())));
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError::Malformed("short nonce".into()))?;
    cipher.decrypt(&Nonce::from(nonce), Payload { msg: ciphertext, aad }).map_err(|_| SealError::Authentication)
}

/// A sealed JSON value's data-key id and bytes; `None` for a plain value (written before
/// encryption existed, or not personal data).
pub fn parse_sealed_json(value: &Value) -> Option<Result<(&str, Vec<u8>), SealError>> {
    let object = value.as_object()?;
    let version = object.get(JSON_MARKER)?;
    Some((|| {
        if version != "v1" {
            return Err(SealError::Malformed(format!("unknown sealed format {version}")));
        }
        let dek = object.get("dek").and_then(Value::as_str).ok_or_else(|| SealError::Malformed("no dek".into()))?;
        let data = object.get("data").and_then(Value::as_str).ok_or_else(|| SealError::Malformed("no data".into()))?;
        let bytes = STANDARD_NO_PAD.decode(data).map_err(|e| SealError::Malformed(format!("bad base64: {e}")))?;
        Ok((dek, bytes))
    })())
}

/// A sealed text value's data-key id and bytes; `None` for plain text.
pub fn parse_sealed_text(text: &str) -> Option<Result<(&str, Vec<u8>), SealError>> {
    let rest = text.strip_prefix(TEXT_PREFIX)?;
    Some((|| {
        let (dek, data) = rest.split_once(':').ok_or_else(|| SealError::Malformed("no data key id".into()))?;
        let bytes = STANDARD_NO_PAD.decode(data).map_err(|e| SealError::Malformed(format!("bad base64: {e}")))?;
        Ok((dek, bytes))
    })())
}

/// Opens a value parsed by [`parse_sealed_json`] with its data key.
pub fn open_json(key: &DataKey, slot: Slot<'_>, sealed: &[u8]) -> Result<Value, SealError> {
    let plain = Zeroizing::new(key.open_bytes(slot, sealed)?);
    serde_json::from_slice(&plain).map_err(|e| SealError::Malformed(format!("sealed JSON does not parse: {e}")))
}

/// Opens a value parsed by [`parse_sealed_text`] with its data key.
pub fn open_text(key: &DataKey, slot: Slot<'_>, sealed: &[u8]) -> Result<String, SealError> {
    let plain = key.open_bytes(slot, sealed)?;
    String::from_utf8(plain).map_err(|_| SealError::Malformed("sealed text is not UTF-8".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DataKey {
        DataKey::new("dek-1", &[7u8; KEY_LEN])
    }

    const SLOT: Slot<'static> = Slot { table: "workflow_runs", row: "run-1", field: "ticket" };

    #[test]
    fn json_round_trips_and_hides_the_plaintext() {
        let value = json!({"customer": {"email": "ana@example.com", "phone": "+34 600 000 000"}});
        let sealed = key().seal_json(SLOT, &value).expect("seal");
        let text = sealed.to_string();
        assert!(!text.contains("ana@example.com") && !text.contains("600 000"), "{text}");
        let (dek, bytes) = parse_sealed_json(&sealed).expect("sealed").expect("well formed");
        assert_eq!(dek, "dek-1");
        assert_eq!(open_json(&key(), SLOT, &bytes).expect("open"), value);
    }

    #[test]
    fn every_seal_uses_a_fresh_nonce() {
        let a = key().seal_text(SLOT, "same").expect("seal");
        let b = key().seal_text(SLOT, "same").expect("seal");
        assert_ne!(a, b, "equal plaintexts must not give equal ciphertexts");
    }

    #[test]
    fn a_ciphertext_moved_to_another_row_or_field_does_not_open() {
        let (_, bytes) = parse_sealed_text(&key().seal_text(SLOT, "ana@example.com").expect("seal"))
            .expect("sealed")
            .expect("well formed");
        let other_row = Slot { row: "run-2", ..SLOT };
        let other_field = Slot { field: "state", ..SLOT };
        let other_table = Slot { table: "workflow_attempts", ..SLOT };
        for slot in [other_row, other_field, other_table] {
            assert_eq!(open_text(&key(), slot, &bytes), Err(SealError::Authentication), "{slot}");
        }
        assert_eq!(open_text(&key(), SLOT, &bytes).expect("its own slot opens"), "ana@example.com");
    }

    #[test]
    fn a_flipped_bit_or_another_key_is_refused() {
        let (_, mut bytes) =
            parse_sealed_text(&key().seal_text(SLOT, "secret").expect("seal")).expect("sealed").expect("well formed");
        let other = DataKey::new("dek-2", &[8u8; KEY_LEN]);
        assert_eq!(open_text(&other, SLOT, &bytes), Err(SealError::Authentication));
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert_eq!(open_text(&key(), SLOT, &bytes), Err(SealError::Authentication));
        assert!(matches!(open_text(&key(), SLOT, &bytes[..10]), Err(SealError::Malformed(_))));
    }

    #[test]
    fn plain_values_are_recognised_as_not_sealed() {
        assert!(parse_sealed_json(&json!({"id": "T-1"})).is_none());
        assert!(parse_sealed_text("hello").is_none());
        assert!(matches!(parse_sealed_json(&json!({"$weft_sealed": "v9"})), Some(Err(SealError::Malformed(_)))));
        assert!(matches!(parse_sealed_text("weft-sealed:v1:nodata"), Some(Err(SealError::Malformed(_)))));
    }
}
