//! The registry as validation sees it: published versions and what each declares.

use weft_store::{PluginRecord, Store, StoreError};

use crate::definition::Catalog;

fn capabilities(record: &PluginRecord) -> Vec<String> {
    record.manifest.get("capabilities").and_then(|c| serde_json::from_value(c.clone()).ok()).unwrap_or_default()
}

/// Every published plugin version.
pub async fn from_store(store: &Store) -> Result<Catalog, StoreError> {
    let mut catalog = Catalog::default();
    for record in store.list_plugins().await? {
        if let Ok(version) = semver::Version::parse(&record.version) {
            catalog.add(&record.name, version, capabilities(&record));
        }
    }
    Ok(catalog)
}

/// Builds a catalog from the records `GET /v1/plugins` returns (for the CLI).
pub fn from_records(records: &[PluginRecord]) -> Catalog {
    let mut catalog = Catalog::default();
    for record in records {
        if let Ok(version) = semver::Version::parse(&record.version) {
            catalog.add(&record.name, version, capabilities(record));
        }
    }
    catalog
}
