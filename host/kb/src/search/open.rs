//! Opening the index directory, or starting it afresh when it cannot be trusted. The store is the
//! truth, so a missing, unreadable, damaged or differently shaped index is simply thrown away and
//! refilled from the store by the caller (see `reconcile`); nothing is lost.

use std::path::Path;

use tantivy::{Index, IndexReader, ReloadPolicy};

use super::{analyzer, schema};
use crate::KbError;

/// An index ready to use, and why it was started afresh (`None` when the existing one was kept).
pub struct Opened {
    pub index: Index,
    pub reader: IndexReader,
    pub recreated: Option<String>,
}

fn reader_of(index: &Index) -> tantivy::Result<IndexReader> {
    // Manual: every commit reloads the reader itself right away, so a publish is searchable as soon
    // as its commit returns instead of after the default polling delay.
    index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()
}

/// Why the existing index cannot be used, or the index and its reader when it can.
fn try_existing(dir: &Path) -> Result<(Index, IndexReader), String> {
    if !dir.join("meta.json").exists() {
        return Err("no index yet".into());
    }
    let index = Index::open_in_dir(dir).map_err(|e| format!("cannot be opened: {e}"))?;
    if index.schema() != schema::schema() {
        return Err("it was built with another schema or analyzer version".into());
    }
    let damaged = index.validate_checksum().map_err(|e| format!("cannot be checked: {e}"))?;
    if !damaged.is_empty() {
        return Err(format!("damaged files: {damaged:?}"));
    }
    analyzer::register(&index);
    // Opening a reader opens every segment file, which catches missing or truncated ones.
    let reader = reader_of(&index).map_err(|e| format!("segments cannot be read: {e}"))?;
    Ok((index, reader))
}

fn wipe(dir: &Path) -> Result<(), KbError> {
    let unavailable = |e: std::io::Error| {
        KbError::Unavailable(format!(
            "cannot reset the search index directory {}: {e}; check its permissions or delete it",
            dir.display()
        ))
    };
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(unavailable)?;
    }
    std::fs::create_dir_all(dir).map_err(unavailable)
}

/// Opens the index in `dir`, or wipes and creates it. Blocking: call from `spawn_blocking`.
pub fn open(dir: &Path) -> Result<Opened, KbError> {
    match try_existing(dir) {
        Ok((index, reader)) => Ok(Opened { index, reader, recreated: None }),
        Err(reason) => {
            wipe(dir)?;
            let index = Index::create_in_dir(dir, schema::schema()).map_err(|e| {
                KbError::Unavailable(format!("cannot create the search index in {}: {e}", dir.display()))
            })?;
            analyzer::register(&index);
            let reader = reader_of(&index)
                .map_err(|e| KbError::Unavailable(format!("cannot read the new search index: {e}")))?;
            Ok(Opened { index, reader, recreated: Some(reason) })
        }
    }
}

/// A throwaway index in memory (unit tests).
pub fn in_ram() -> Result<Opened, KbError> {
    let index = Index::create_in_ram(schema::schema());
    analyzer::register(&index);
    let reader = reader_of(&index).map_err(|e| KbError::Unavailable(format!("in-memory index: {e}")))?;
    Ok(Opened { index, reader, recreated: Some("in memory".into()) })
}
