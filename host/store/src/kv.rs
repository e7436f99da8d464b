//! Plugin-scoped key-value state. The host picks the scope (e.g. the deployment name) so one
//! plugin can never read another's keys; a step's writes land together or not at all.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

use crate::entity::kv_entry;
use crate::{Store, StoreError, validate};

/// Keys are identifiers, not data; the bound keeps indexes small on both backends.
const MAX_KEY_BYTES: usize = 1024;

impl Store {
    pub async fn kv_get(&self, scope: &str, key: &str) -> Result<Option<String>, StoreError> {
        let entry = kv_entry::Entity::find_by_id((scope.to_owned(), key.to_owned())).one(&self.db).await?;
        Ok(entry.map(|e| e.value))
    }

    /// Applies a batch atomically (one transaction): `Some(v)` sets, `None` deletes. Later writes
    /// to the same key win, as if applied one by one.
    pub async fn kv_apply(&self, scope: &str, writes: &[(String, Option<String>)]) -> Result<(), StoreError> {
        validate::token("kv scope", scope)?;
        for (key, _) in writes {
            if key.is_empty() {
                return Err(StoreError::Invalid(format!(
                    "a kv key in scope {scope} is empty; every key needs at least one byte"
                )));
            }
            if key.len() > MAX_KEY_BYTES {
                return Err(StoreError::Invalid(format!(
                    "a kv key in scope {scope} is {} bytes long; keys may be at most \
                     {MAX_KEY_BYTES} bytes, so store long identifiers hashed",
                    key.len()
                )));
            }
        }
        if writes.is_empty() {
            return Ok(());
        }

        let txn = self.db.begin().await?;
        for (key, value) in writes {
            match value {
                Some(value) => {
                    kv_entry::Entity::insert(kv_entry::ActiveModel {
                        scope: Set(scope.to_owned()),
                        key: Set(key.clone()),
                        value: Set(value.clone()),
                    })
                    .on_conflict(
                        OnConflict::columns([kv_entry::Column::Scope, kv_entry::Column::Key])
                            .update_column(kv_entry::Column::Value)
                            .to_owned(),
                    )
                    .exec_without_returning(&txn)
                    .await?;
                }
                None => {
                    kv_entry::Entity::delete_many()
                        .filter(kv_entry::Column::Scope.eq(scope))
                        .filter(kv_entry::Column::Key.eq(key.as_str()))
                        .exec(&txn)
                        .await?;
                }
            }
        }
        txn.commit().await?;
        tracing::debug!(scope, writes = writes.len(), "kv batch applied");
        Ok(())
    }
}
