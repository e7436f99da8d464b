//! Full-text search over published versions (tantivy): one document per article holding its
//! latest published version; drafts are never indexed. The store is the truth: the index is
//! reconciled with it on start and updated right after each publish commits.
//!
//! [`SearchIndex`] is synchronous and blocking (tantivy is); [`crate::Kb`] calls it from
//! `spawn_blocking`. It has exactly one writer, behind a mutex, so commits never interleave.

pub mod analyzer;
mod hits;
mod open;
mod query;
mod reconcile;
mod schema;
mod service;
mod writer;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use tantivy::{IndexReader, IndexWriter, TantivyDocument};

pub use hits::{Hit, SearchRequest};
pub use query::{MAX_QUERY_CHARS, TITLE_BOOST};
pub use reconcile::Reconciled;
pub use service::{MAX_LIMIT, SearchResults};

use crate::KbError;
use schema::Fields;

/// What the index holds of one article: its latest published version.
#[derive(Clone, Debug)]
pub struct ArticleDoc {
    pub article_id: String,
    pub version: u64,
    pub space: String,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
}

/// The single writer and what it has indexed (article id → version), so a late, older update
/// never overwrites a newer one and start-up knows what to catch up on.
struct WriterState {
    writer: IndexWriter<TantivyDocument>,
    indexed: HashMap<String, u64>,
}

pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    writer: Mutex<WriterState>,
}

/// The writer's memory budget, split among its threads (tantivy needs at least 15 MB each).
const WRITER_BUDGET_BYTES: usize = 64 * 1024 * 1024;

fn unavailable(what: &str, err: impl std::fmt::Display) -> KbError {
    KbError::Unavailable(format!("search index: {what}: {err}; retry, and if it persists restart the server"))
}

impl SearchIndex {
    /// Opens the index in `dir`, starting it afresh if it is missing or cannot be trusted.
    /// Returns why it was started afresh, if it was. Blocking.
    pub fn open(dir: &Path) -> Result<(SearchIndex, Option<String>), KbError> {
        let opened = open::open(dir)?;
        let recreated = opened.recreated.clone();
        Ok((Self::from_opened(opened)?, recreated))
    }

    /// An empty index in memory (tests, benchmarks).
    pub fn in_ram() -> Result<SearchIndex, KbError> {
        Self::from_opened(open::in_ram()?)
    }

    fn from_opened(opened: open::Opened) -> Result<SearchIndex, KbError> {
        let open::Opened { index, reader, .. } = opened;
        let fields = Fields::of(&index.schema()).map_err(|e| unavailable("schema", e))?;
        let writer = index.writer(WRITER_BUDGET_BYTES).map_err(|e| unavailable("opening the writer", e))?;
        let search =
            SearchIndex { reader, fields, writer: Mutex::new(WriterState { writer, indexed: HashMap::new() }) };
        let indexed = search.read_indexed()?;
        search.lock()?.indexed = indexed;
        Ok(search)
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, WriterState>, KbError> {
        self.writer.lock().map_err(|_| unavailable("the writer", "a previous update panicked"))
    }

    /// How many articles are searchable.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
