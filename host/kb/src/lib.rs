//! The knowledge base: articles as yrs documents edited live over the y-sync protocol, stored
//! durably (update log + snapshots), reviewed stage by stage, published as immutable versions and
//! searched with tantivy.
//!
//! Transport-agnostic: the server turns WebSocket frames into [`Room::handle`] calls and HTTP
//! requests into the methods of [`Kb`]; nothing here knows about axum.

mod access;
mod compaction;
pub mod doc;
mod error;
mod flood;
mod history;
mod listing;
mod log_writer;
mod notes;
mod review;
mod room;
mod rooms;
pub mod search;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use tokio::sync::Mutex;
use weft_store::Store;

pub use access::Access;
pub use compaction::compact;
pub use error::KbError;
pub use history::{Diff, VersionDetail, VersionSummary};
pub use listing::{ArticleSummary, Filter, SpaceView};
pub use notes::{CommentView, OutcomeReport, TransitionView};
pub use review::{Allowed, ArticleView, StageView};
pub use room::{Connection, Handled, Kick, Outbox, Room};

/// Why a connection is being closed: a WebSocket close code and a sentence for the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseReason {
    pub code: u16,
    pub reason: String,
}

impl CloseReason {
    pub fn new(code: u16, reason: String) -> Self {
        CloseReason { code, reason }
    }

    /// A frame that is not a y-sync message. The document is unchanged; only this connection ends.
    pub fn malformed(detail: String) -> Self {
        CloseReason::new(4400, format!("malformed y-sync message, document unchanged: {detail}"))
    }

    /// The room was dropped (a store failure or a bad update); reconnecting loads it afresh.
    pub fn reload() -> Self {
        CloseReason::new(1012, "document reloading on the server; reconnect".into())
    }
}

/// Where the knowledge base keeps its files and how it compacts.
#[derive(Clone, Debug)]
pub struct KbConfig {
    /// The search index directory (rebuilt from the store when missing or unreadable).
    pub index_dir: PathBuf,
    /// How often the compactor looks for long update logs.
    pub compact_every: Duration,
    /// Log entries beyond the snapshot that make an article worth compacting.
    pub compact_min_updates: u64,
    /// How often every space is checked for articles whose verification has lapsed (they are
    /// also checked whenever a space is listed).
    pub expiry_sweep_every: Duration,
}

impl KbConfig {
    pub fn new(index_dir: PathBuf) -> Self {
        KbConfig {
            index_dir,
            compact_every: Duration::from_secs(10),
            compact_min_updates: 200,
            expiry_sweep_every: Duration::from_secs(15 * 60),
        }
    }
}

pub struct Kb {
    store: Store,
    /// Appends every room's updates, in group-commit rounds across articles.
    log: log_writer::LogWriter,
    /// Published versions, searchable (see `search`).
    search: Arc<search::SearchIndex>,
    rooms: Mutex<std::collections::HashMap<String, Arc<Room>>>,
    next_conn: AtomicU64,
}

impl Kb {
    /// Opens the knowledge base and starts its background compactor (needs a tokio runtime).
    /// The search index is opened (or started afresh) and caught up with the store first, so
    /// search is complete once this returns.
    pub async fn open(store: Store, config: KbConfig) -> Result<Arc<Kb>, KbError> {
        let dir = config.index_dir.clone();
        let (index, recreated) = tokio::task::spawn_blocking(move || search::SearchIndex::open(&dir))
            .await
            .map_err(|e| KbError::Unavailable(format!("opening the search index failed: {e}")))??;
        if let Some(reason) = recreated {
            tracing::warn!(dir = %config.index_dir.display(), reason, "search index started afresh; rebuilding from the store");
        }
        let log = log_writer::LogWriter::spawn(store.clone());
        let kb =
            Arc::new(Kb { store, log, search: Arc::new(index), rooms: Mutex::default(), next_conn: AtomicU64::new(1) });
        let done = kb.reconcile_search().await?;
        tracing::info!(indexed = done.indexed, removed = done.removed, "search index caught up with the store");
        compaction::spawn(kb.store.clone(), config.compact_every, config.compact_min_updates);
        notes::spawn_expiry_sweep(&kb, config.expiry_sweep_every);
        Ok(kb)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }
}
