//! Data keys: created on a customer's first sealed value, wrapped by the current master key and
//! stored in `customer_keys`; unwrapped once per process and kept in memory, so the hot path pays
//! one AES-GCM operation per value and no extra query once a customer's key is warm.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};

use super::master::{MasterKey, MasterKeys};
use super::seal::DataKey;
use crate::entity::customer_key;
use crate::{Store, StoreError};

/// The customer id of the tenant-wide data key, for data that names no customer.
pub const TENANT: &str = "";

#[derive(Debug)]
pub(crate) struct Keyring {
    masters: MasterKeys,
    by_id: RwLock<HashMap<String, Arc<DataKey>>>,
    by_customer: RwLock<HashMap<String, Arc<DataKey>>>,
}

impl Keyring {
    pub(crate) fn new(masters: MasterKeys) -> Keyring {
        Keyring { masters, by_id: RwLock::default(), by_customer: RwLock::default() }
    }

    fn cached_customer(&self, customer: &str) -> Option<Arc<DataKey>> {
        self.by_customer.read().unwrap_or_else(|p| p.into_inner()).get(customer).cloned()
    }

    fn cached_id(&self, dek_id: &str) -> Option<Arc<DataKey>> {
        self.by_id.read().unwrap_or_else(|p| p.into_inner()).get(dek_id).cloned()
    }

    fn remember(&self, customer: &str, key: Arc<DataKey>) {
        self.by_id.write().unwrap_or_else(|p| p.into_inner()).insert(key.id().to_owned(), key.clone());
        self.by_customer.write().unwrap_or_else(|p| p.into_inner()).insert(customer.to_owned(), key);
    }

    pub(crate) fn forget(&self, customer: &str) {
        let removed = self.by_customer.write().unwrap_or_else(|p| p.into_inner()).remove(customer);
        if let Some(key) = removed {
            self.by_id.write().unwrap_or_else(|p| p.into_inner()).remove(key.id());
        }
    }

    /// Unwraps a stored row with whichever held master key wrapped it.
    fn unwrap_row(&self, row: &customer_key::Model) -> Result<DataKey, StoreError> {
        let master = self.masters.find(&row.master_key_id).ok_or_else(|| wrong_master(&self.masters, row))?;
        let bytes = master.unwrap(&row.dek_id, &row.wrapped).map_err(|e| {
            StoreError::MasterKey(format!(
                "the data key {} (customer {:?}) does not unwrap under master key {}: {e}",
                row.dek_id, row.customer_id, row.master_key_id
            ))
        })?;
        Ok(DataKey::new(row.dek_id.clone(), &bytes))
    }
}

fn wrong_master(masters: &MasterKeys, row: &customer_key::Model) -> StoreError {
    StoreError::MasterKey(format!(
        "the database's data keys are wrapped by master key {}, but this process holds master key {}",
        row.master_key_id,
        masters.current().id()
    ))
}

/// What [`Store::check_master_keys`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCheck {
    /// Data keys found (and unwrapped) before the check; the tenant key is created if missing.
    pub data_keys: usize,
    pub master_key_id: String,
}

impl Store {
    /// The customer's data key, created (and wrapped by the current master key) on first use.
    /// Runs outside any transaction of the caller: a key created inside a transaction that then
    /// rolled back would be cached here but missing from the table, and data sealed with it
    /// would be lost on restart.
    pub(crate) async fn data_key_for(&self, customer: &str) -> Result<Arc<DataKey>, StoreError> {
        if let Some(key) = self.keys.cached_customer(customer) {
            return Ok(key);
        }
        if let Some(row) = self.key_row_for(customer).await? {
            let key = Arc::new(self.keys.unwrap_row(&row)?);
            self.keys.remember(customer, key.clone());
            return Ok(key);
        }
        let dek_id = format!("dek-{}", crate::identity::secrets::generate()?.get(..16).unwrap_or_default());
        let (key, bytes) = DataKey::generate(dek_id.clone()).map_err(|e| StoreError::Internal(e.to_string()))?;
        let master = self.keys.masters.current();
        let wrapped = master.wrap(&dek_id, &bytes).map_err(|e| StoreError::Internal(e.to_string()))?;
        customer_key::Entity::insert(customer_key::ActiveModel {
            dek_id: Set(dek_id),
            customer_id: Set(customer.to_owned()),
            master_key_id: Set(master.id().to_owned()),
            wrapped: Set(wrapped),
            created_at: Set(crate::now()),
            rotated_at: Set(None),
        })
        // Two first writes for one customer at once: one key wins, the other reads it back.
        .on_conflict(OnConflict::column(customer_key::Column::CustomerId).do_nothing().to_owned())
        .exec_without_returning(&self.db)
        .await?;
        let row = self.key_row_for(customer).await?.ok_or_else(|| {
            StoreError::Internal(format!("the data key of customer {customer:?} vanished right after it was stored"))
        })?;
        let key = if row.dek_id == key.id() { Arc::new(key) } else { Arc::new(self.keys.unwrap_row(&row)?) };
        self.keys.remember(customer, key.clone());
        tracing::debug!(dek = %row.dek_id, "data key created");
        Ok(key)
    }

    /// The data key with this id, if it still exists (it does not after its customer's erasure).
    pub(crate) async fn data_key_by_id<C: ConnectionTrait>(
        &self,
        db: &C,
        dek_id: &str,
    ) -> Result<Option<Arc<DataKey>>, StoreError> {
        if let Some(key) = self.keys.cached_id(dek_id) {
            return Ok(Some(key));
        }
        let Some(row) = customer_key::Entity::find_by_id(dek_id.to_owned()).one(db).await? else {
            return Ok(None);
        };
        let key = Arc::new(self.keys.unwrap_row(&row)?);
        self.keys.remember(&row.customer_id, key.clone());
        Ok(Some(key))
    }

    async fn key_row_for(&self, customer: &str) -> Result<Option<customer_key::Model>, StoreError> {
        Ok(customer_key::Entity::find().filter(customer_key::Column::CustomerId.eq(customer)).one(&self.db).await?)
    }

    /// Start-up check: every stored data key unwraps under a master key this process holds, and
    /// the tenant key exists (so even a database with no customers yet is bound to its master
    /// key, and a wrong key is caught on the next start rather than on the first read).
    pub async fn check_master_keys(&self) -> Result<KeyCheck, StoreError> {
        let rows = customer_key::Entity::find().all(&self.db).await?;
        for row in &rows {
            let key = Arc::new(self.keys.unwrap_row(row)?);
            self.keys.remember(&row.customer_id, key);
        }
        self.data_key_for(TENANT).await?;
        Ok(KeyCheck { data_keys: rows.len(), master_key_id: self.keys.masters.current().id().to_owned() })
    }

    /// Rewraps every data key under `new`, in one transaction: either all keys move or none.
    /// The data itself is untouched (it is sealed by the data keys, which do not change). Returns
    /// how many keys were rewrapped. Afterwards only `new` opens this database.
    pub async fn rotate_master_key(&self, new: &MasterKey) -> Result<usize, StoreError> {
        let txn = self.db.begin().await?;
        let rows = customer_key::Entity::find().all(&txn).await?;
        let now = crate::now();
        let mut moved = 0;
        for row in rows {
            if row.master_key_id == new.id() {
                continue;
            }
            let key =
                self.keys.masters.find(&row.master_key_id).ok_or_else(|| wrong_master(&self.keys.masters, &row))?;
            let bytes = key
                .unwrap(&row.dek_id, &row.wrapped)
                .map_err(|e| StoreError::MasterKey(format!("the data key {} does not unwrap: {e}", row.dek_id)))?;
            let wrapped = new.wrap(&row.dek_id, &bytes).map_err(|e| StoreError::Internal(e.to_string()))?;
            customer_key::Entity::update(customer_key::ActiveModel {
                dek_id: Set(row.dek_id),
                master_key_id: Set(new.id().to_owned()),
                wrapped: Set(wrapped),
                rotated_at: Set(Some(now)),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
            moved += 1;
        }
        txn.commit().await?;
        tracing::info!(rewrapped = moved, master_key = new.id(), "master key rotated");
        Ok(moved)
    }
}
