//! Sealing and opening stored values on the store's behalf. Values written before encryption
//! existed (plain JSON or text) read back as they are, so an upgraded database keeps working;
//! everything written from now on is sealed.

use std::sync::Arc;

use sea_orm::ConnectionTrait;
use serde_json::Value;

use super::seal::{self, DataKey, SealError, Slot};
use crate::{Store, StoreError};

/// The customer a ticket belongs to: `customer.id`, or the tenant key's id when it names none.
pub(crate) fn customer_of(ticket: &Value) -> &str {
    ticket.pointer("/customer/id").and_then(Value::as_str).unwrap_or(super::keyring::TENANT)
}

fn unsealable(slot: Slot<'_>, err: SealError) -> StoreError {
    StoreError::Unsealable(format!("{slot}: {err}"))
}

pub(crate) fn seal_json(key: &DataKey, slot: Slot<'_>, value: &Value) -> Result<Value, StoreError> {
    key.seal_json(slot, value).map_err(|e| StoreError::Internal(format!("sealing {slot}: {e}")))
}

pub(crate) fn seal_text(key: &DataKey, slot: Slot<'_>, text: &str) -> Result<String, StoreError> {
    key.seal_text(slot, text).map_err(|e| StoreError::Internal(format!("sealing {slot}: {e}")))
}

impl Store {
    /// The data key a sealed value names; `Unsealable` once its customer was erased.
    async fn sealing_key<C: ConnectionTrait>(
        &self,
        db: &C,
        slot: Slot<'_>,
        dek: &str,
    ) -> Result<Arc<DataKey>, StoreError> {
        self.data_key_by_id(db, dek).await?.ok_or_else(|| shredded(slot, dek))
    }

    /// The plaintext of a stored JSON value, and the data key that sealed it (`None` for a value
    /// written before encryption).
    pub(crate) async fn open_json_keyed<C: ConnectionTrait>(
        &self,
        db: &C,
        slot: Slot<'_>,
        value: Value,
    ) -> Result<(Value, Option<Arc<DataKey>>), StoreError> {
        let (dek, bytes) = match seal::parse_sealed_json(&value) {
            None => return Ok((value, None)),
            Some(parsed) => parsed.map_err(|e| unsealable(slot, e))?,
        };
        let key = self.sealing_key(db, slot, dek).await?;
        let plain = seal::open_json(&key, slot, &bytes).map_err(|e| unsealable(slot, e))?;
        Ok((plain, Some(key)))
    }

    /// The plaintext of a stored JSON value.
    pub(crate) async fn open_json<C: ConnectionTrait>(
        &self,
        db: &C,
        slot: Slot<'_>,
        value: Value,
    ) -> Result<Value, StoreError> {
        Ok(self.open_json_keyed(db, slot, value).await?.0)
    }

    pub(crate) async fn open_json_opt<C: ConnectionTrait>(
        &self,
        db: &C,
        slot: Slot<'_>,
        value: Option<Value>,
    ) -> Result<Option<Value>, StoreError> {
        match value {
            Some(v) => Ok(Some(self.open_json(db, slot, v).await?)),
            None => Ok(None),
        }
    }

    /// The plaintext of a stored text value.
    pub(crate) async fn open_text<C: ConnectionTrait>(
        &self,
        db: &C,
        slot: Slot<'_>,
        text: String,
    ) -> Result<String, StoreError> {
        let (dek, bytes) = match seal::parse_sealed_text(&text) {
            None => return Ok(text),
            Some(parsed) => parsed.map_err(|e| unsealable(slot, e))?,
        };
        let key = self.sealing_key(db, slot, dek).await?;
        seal::open_text(&key, slot, &bytes).map_err(|e| unsealable(slot, e))
    }
}

fn shredded(slot: Slot<'_>, dek: &str) -> StoreError {
    StoreError::Unsealable(format!(
        "{slot}: sealed under data key {dek}, which no longer exists (its customer was erased, so this \
         copy is unrecoverable by design)"
    ))
}
