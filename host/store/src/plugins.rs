//! The plugin registry. A name@version, once published, names the same component forever; the
//! component bytes are stored once per digest however many names point at them.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::entity::{plugin, plugin_blob};
use crate::error::is_unique_violation;
use crate::{Store, StoreError, validate};

/// A plugin version as uploaded.
#[derive(Clone, Debug)]
pub struct NewPlugin {
    pub name: String,
    pub version: String,
    /// `sha256:<hex>` of `component`; checked against the bytes before anything is stored.
    pub digest: String,
    /// The `weft:plugin` contract version the component was built against.
    pub contract_version: String,
    pub manifest: serde_json::Value,
    pub component: Vec<u8>,
    pub uploaded_by: String,
}

/// A published plugin version, without its component bytes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PluginRecord {
    pub name: String,
    pub version: String,
    pub digest: String,
    pub contract_version: String,
    pub manifest: serde_json::Value,
    pub size_bytes: i64,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: String,
}

/// What a publish did. Re-publishing identical bytes is not an error, so CI can publish on every
/// build without first asking whether it already did.
#[derive(Clone, Debug, PartialEq)]
pub enum Published {
    Created(PluginRecord),
    AlreadyPublished(PluginRecord),
}

impl Published {
    pub fn record(&self) -> &PluginRecord {
        match self {
            Published::Created(record) | Published::AlreadyPublished(record) => record,
        }
    }
}

impl Store {
    pub async fn publish_plugin(&self, p: NewPlugin) -> Result<Published, StoreError> {
        validate::slug("plugin name", &p.name)?;
        validate::semver("plugin version", &p.version)?;
        validate::semver("contract version", &p.contract_version)?;
        validate::digest(&p.digest)?;
        validate::label("uploaded_by", &p.uploaded_by, 128)?;
        let actual = format!("sha256:{}", hex::encode(Sha256::digest(&p.component)));
        if actual != p.digest {
            return Err(StoreError::Invalid(format!(
                "the component's bytes hash to {actual}, not the declared digest {}; the upload \
                 was probably truncated or the digest was computed over another file, so upload \
                 again",
                p.digest
            )));
        }
        let size_bytes = i64::try_from(p.component.len())
            .map_err(|_| StoreError::Invalid("the component is too large to store; keep it under 8 EiB".into()))?;

        // The common repeat publish answers from a read and never queues behind writers.
        if let Some(existing) = self.plugin_row(&p.name, &p.version).await? {
            return settle(existing, &p.name, &p.version, &p.digest);
        }

        let now = crate::now();
        let txn = self.db.begin().await?;
        // Insert-or-ignore keeps the blob write race-free: a concurrent publish of the same bytes
        // under another name just finds the row already there.
        plugin_blob::Entity::insert(plugin_blob::ActiveModel {
            digest: Set(p.digest.clone()),
            size_bytes: Set(size_bytes),
            bytes: Set(p.component),
            created_at: Set(now),
        })
        .on_conflict_do_nothing()
        .exec_without_returning(&txn)
        .await?;

        let inserted = plugin::ActiveModel {
            name: Set(p.name.clone()),
            version: Set(p.version.clone()),
            digest: Set(p.digest.clone()),
            contract_version: Set(p.contract_version),
            manifest: Set(p.manifest),
            size_bytes: Set(size_bytes),
            uploaded_at: Set(now),
            uploaded_by: Set(p.uploaded_by),
            ..Default::default()
        }
        .insert(&txn)
        .await;

        match inserted {
            Ok(row) => {
                txn.commit().await?;
                tracing::info!(
                    plugin = %row.name, version = %row.version, digest = %row.digest,
                    size_bytes, uploaded_by = %row.uploaded_by, "plugin published"
                );
                Ok(Published::Created(to_record(row)))
            }
            // Lost the race against a concurrent publish of the same name@version: answer as if
            // we had arrived second, which is what the unique index made true.
            Err(err) if is_unique_violation(&err) => {
                txn.rollback().await?;
                let existing = self.plugin_row(&p.name, &p.version).await?.ok_or_else(|| {
                    StoreError::Internal(format!(
                        "{}@{} was reported as a duplicate but cannot be read back",
                        p.name, p.version
                    ))
                })?;
                settle(existing, &p.name, &p.version, &p.digest)
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Every published version, by name, newest semver first within a name.
    pub async fn list_plugins(&self) -> Result<Vec<PluginRecord>, StoreError> {
        let rows = plugin::Entity::find().all(&self.db).await?;
        Ok(sorted(rows))
    }

    /// The versions of one plugin, newest first; empty if the name was never published.
    pub async fn plugin_versions(&self, name: &str) -> Result<Vec<PluginRecord>, StoreError> {
        let rows = plugin::Entity::find().filter(plugin::Column::Name.eq(name)).all(&self.db).await?;
        Ok(sorted(rows))
    }

    pub async fn get_plugin(&self, name: &str, version: &str) -> Result<Option<PluginRecord>, StoreError> {
        Ok(self.plugin_row(name, version).await?.map(to_record))
    }

    /// The component bytes for a digest, as published.
    pub async fn plugin_component(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let blob = plugin_blob::Entity::find_by_id(digest.to_owned()).one(&self.db).await?;
        Ok(blob.map(|b| b.bytes))
    }

    pub(crate) async fn plugin_row(&self, name: &str, version: &str) -> Result<Option<plugin::Model>, StoreError> {
        Ok(plugin::Entity::find()
            .filter(plugin::Column::Name.eq(name))
            .filter(plugin::Column::Version.eq(version))
            .one(&self.db)
            .await?)
    }
}

/// Same bytes again is a no-op; different bytes under a published name@version is refused.
fn settle(existing: plugin::Model, name: &str, version: &str, digest: &str) -> Result<Published, StoreError> {
    if existing.digest == digest {
        tracing::debug!(plugin = %name, version = %version, "plugin already published");
        return Ok(Published::AlreadyPublished(to_record(existing)));
    }
    tracing::warn!(
        plugin = %name, version = %version, existing_digest = %existing.digest,
        new_digest = %digest, error.type = "plugin_version_conflict",
        "refused to overwrite a published plugin version"
    );
    Err(StoreError::VersionConflict {
        name: name.to_owned(),
        version: version.to_owned(),
        existing_digest: existing.digest,
        new_digest: digest.to_owned(),
    })
}

fn to_record(row: plugin::Model) -> PluginRecord {
    PluginRecord {
        name: row.name,
        version: row.version,
        digest: row.digest,
        contract_version: row.contract_version,
        manifest: row.manifest,
        size_bytes: row.size_bytes,
        uploaded_at: row.uploaded_at,
        uploaded_by: row.uploaded_by,
    }
}

/// Name ascending, then semver descending: "1.10.0" is newer than "1.9.0", which a string sort
/// (and so an SQL ORDER BY) gets wrong.
fn sorted(rows: Vec<plugin::Model>) -> Vec<PluginRecord> {
    let mut keyed: Vec<_> =
        rows.into_iter().map(|row| (semver::Version::parse(&row.version).ok(), to_record(row))).collect();
    keyed.sort_by(|(va, a), (vb, b)| {
        a.name.cmp(&b.name).then_with(|| match (va, vb) {
            (Some(va), Some(vb)) => vb.cmp(va),
            // Versions are validated on publish; anything unparsable was written by hand and
            // sorts last rather than failing the whole listing.
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => b.version.cmp(&a.version),
        })
    });
    keyed.into_iter().map(|(_, record)| record).collect()
}
