//! Persistence for Weft: the plugin registry, deployments, plugin key-value state, identity and
//! the audit log.
//!
//! SQLite in a single file is the default and must serve a real team; PostgreSQL, by URL, is the
//! scale-out path. Both run the same sea-orm entities and migrations, so nothing here may use
//! backend-specific SQL.

mod agents;
mod audit;
mod deployments;
pub mod entity;
mod error;
pub mod events;
pub mod hooks;
pub(crate) mod identity;
pub mod kb;
mod kv;
mod migration;
pub mod pii;
mod plugins;
mod validate;
mod workflow;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;

pub use agents::{
    AgentRecord, AgentSpec, ChannelLoad, DirectoryFilter, DirectorySnapshot, MAX_SKILL_LEVEL, QueueRecord, QueueSpec,
    SkillLevel,
};
pub use audit::{AuditEntry, AuditEvent, AuditVerification, MAX_AUDIT_PAGE};
pub use deployments::{DeploymentRecord, DeploymentSpec};
pub use error::StoreError;
pub use identity::{DEFAULT_SESSION_TTL, ParseRoleError, Principal, Role, RoleGrant, TokenInfo, User, UserKind};
pub use pii::{CustomerExport, Erasure, KeyCheck, KeyFileError, MasterKey, MasterKeys};
pub use plugins::{NewPlugin, PluginRecord, Published};
pub use workflow::{
    ArmCounts, AttemptRecord, CaseChange, CaseRecord, CreditEntry, MessageEntry, NewAttempt, NewRollout, NewRun,
    Observation, OutboxEntry, RecordedStep, Rollout, RolloutMode, RolloutSummary, RunFilter, RunRecord, RunStatus,
    StepCommit, StickyBy, TimerRecord, WorkflowVersion,
};

/// How long a SQLite writer waits for another writer before giving up. Writes here are short
/// (one publish, one batch of kv writes), so waiting beats failing a request under contention.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A handle to the database. Cheap to clone: the connection pool inside is reference-counted.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// How long an outbound event delivery keeps being retried; see [`Store::with_event_window`].
    event_window: Duration,
    /// Master and data keys for personal data at rest; see [`Store::with_master_keys`].
    keys: std::sync::Arc<pii::keyring::Keyring>,
}

impl Store {
    /// Opens (creating if needed) and migrates. `url` is a sea-orm URL; see [`Store::sqlite_url`].
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let shown = redact_url(url);
        if let Some(parent) = sqlite_parent_dir(url) {
            // `mode=rwc` creates the file but not its directory; a fresh `./data` should just work.
            std::fs::create_dir_all(&parent).map_err(|err| {
                StoreError::Invalid(format!(
                    "could not create the data directory {}: {err}; create it or choose another \
                     with --data-dir",
                    parent.display()
                ))
            })?;
        }

        let mut options = ConnectOptions::new(url.to_owned());
        // sqlx logs every statement at INFO, which drowns the server's own logs.
        options.sqlx_logging(false);
        if url.contains(":memory:") {
            // Every connection to `:memory:` is a separate, empty database.
            options.max_connections(1);
        }
        options.map_sqlx_sqlite_opts(|opts| {
            // WAL lets readers proceed while one writer commits; the default rollback journal
            // blocks every reader for the duration of each write.
            opts.journal_mode(SqliteJournalMode::Wal).busy_timeout(SQLITE_BUSY_TIMEOUT)
        });

        let db = Database::connect(options).await.map_err(|source| StoreError::Open { url: shown.clone(), source })?;
        migration::Migrator::up(&db, None).await.map_err(StoreError::Migration)?;
        tracing::info!(url = %shown, backend = ?db.get_database_backend(), "store opened");
        let keys = std::sync::Arc::new(pii::keyring::Keyring::new(MasterKeys::insecure_development()));
        Ok(Store { db, event_window: events::DEFAULT_EVENT_WINDOW, keys })
    }

    /// The default SQLite URL for a data directory. Creates nothing; [`Store::open`] does.
    pub fn sqlite_url(data_dir: &Path) -> String {
        let file = data_dir.join("weft.db").display().to_string();
        // sqlx percent-decodes the path and splits it at `?`, so those must be escaped.
        let file = file.replace('%', "%25").replace('?', "%3F").replace('#', "%23");
        format!("sqlite://{file}?mode=rwc")
    }

    /// Sets how long outbound event deliveries (queued from now on, or replayed) are retried
    /// before they are dead-lettered. Events are queued inside the transactions that cause them,
    /// so the window is a property of the store rather than an argument.
    pub fn with_event_window(mut self, window: Duration) -> Self {
        self.event_window = window;
        self
    }

    /// Seals personal data under these master keys from now on. [`Store::open`] starts with a
    /// fixed development key so tests and tools that never touch personal data need no key file;
    /// `weft serve` and the CLI always call this with the operator's key right after opening,
    /// then [`Store::check_master_keys`].
    pub fn with_master_keys(mut self, keys: MasterKeys) -> Self {
        self.keys = std::sync::Arc::new(pii::keyring::Keyring::new(keys));
        self
    }

    /// The raw connection, for crates that keep their own tables in the same database.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }
}

/// "Now", at the precision every backend stores (microseconds), so a record returned from a write
/// equals the same record read back later.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// The directory holding the database file of a `sqlite://` URL, if it names a file.
fn sqlite_parent_dir(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    let path = PathBuf::from(percent_decode(path));
    path.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf)
}

/// Undoes `%XX` escapes the way sqlx does when it reads the path; malformed escapes stay as typed.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .filter(|_| bytes[i] == b'%')
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL with its password hidden, fit for logs and error messages.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(redact_url("postgres://weft:s3cret@db:5432/weft"), "postgres://weft:***@db:5432/weft");
        assert_eq!(redact_url("postgres://db/weft"), "postgres://db/weft");
        assert_eq!(redact_url("sqlite:///data/weft.db?mode=rwc"), "sqlite:///data/weft.db?mode=rwc");
    }

    #[test]
    fn the_sqlite_file_directory_is_found_in_the_url() {
        assert_eq!(sqlite_parent_dir("sqlite:///srv/weft/weft.db?mode=rwc"), Some(PathBuf::from("/srv/weft")));
        let odd = Store::sqlite_url(Path::new("/srv/50% off?#/data"));
        assert_eq!(odd, "sqlite:///srv/50%25 off%3F%23/data/weft.db?mode=rwc");
        assert_eq!(sqlite_parent_dir(&odd), Some(PathBuf::from("/srv/50% off?#/data")));
        assert_eq!(sqlite_parent_dir("sqlite::memory:"), None);
        assert_eq!(sqlite_parent_dir("postgres://db/weft"), None);
    }
}
