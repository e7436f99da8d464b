//! The one error type of the store. Every message says what happened and what to do, because the
//! server shows most of them to an operator or a plugin developer as they are.

use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or created.
    #[error(
        "could not open the database at {url}: {source}. Check the URL, that the data directory \
         exists and is writable, and for PostgreSQL that the server is reachable and the \
         credentials are right"
    )]
    Open {
        /// The URL with any password replaced by `***`.
        url: String,
        source: DbErr,
    },

    /// The schema could not be brought up to date.
    #[error(
        "could not bring the database schema up to date: {0}. If this database was used by a \
         newer weft, run that version (or restore a backup); otherwise check disk space and \
         permissions and start again"
    )]
    Migration(DbErr),

    /// Any other failure of the database itself. Deliberately not a `#[source]`: the message
    /// already contains it, and error-chain printers would repeat it.
    #[error(
        "database error: {0}. Retry; if it persists, check the database's health and free disk \
         space"
    )]
    Database(DbErr),

    /// `name@version` is immutable once published.
    #[error(
        "{name}@{version} is already published with digest {existing_digest}, and a published \
         version never changes; bump `version` in weft.toml and publish again (this upload has \
         digest {new_digest})"
    )]
    VersionConflict { name: String, version: String, existing_digest: String, new_digest: String },

    /// Optimistic concurrency: the caller's view of a deployment is stale.
    #[error(
        "the deployment was changed since you read it (it is now at revision {current}); read it \
         again, re-apply your change and retry with if_revision = {current}"
    )]
    RevisionConflict { current: i64 },

    /// A named thing does not exist; the message names it and says how to find what exists.
    #[error("{0}")]
    NotFound(String),

    /// A unique thing already exists; the message names it.
    #[error("{0}")]
    Conflict(String),

    /// An `If-Match` precondition failed: the caller's copy is stale (or the thing is gone).
    #[error("{0}")]
    Stale(String),

    /// The input was refused; the message names the field and the rule.
    #[error("{0}")]
    Invalid(String),

    /// A stored row could not be read back (edited by hand, or written by a newer version).
    #[error(
        "stored data is unreadable: {0}. The database may have been edited by hand or written by \
         a newer weft; fix the row or run the matching version"
    )]
    Corrupt(String),

    /// The master key given does not open this database's data keys.
    #[error(
        "{0}. Start with --master-key-file pointing at the key this data was written with (or \
         WEFT_MASTER_KEY_FILE); nothing was changed. If the key is lost, the personal data sealed \
         under it cannot be recovered"
    )]
    MasterKey(String),

    /// One sealed value cannot be opened: tampered with, moved from another row, or its
    /// customer's data key was destroyed by an erasure.
    #[error(
        "encrypted personal data cannot be opened: {0}. Restore the row from a backup written under \
         the same master key, or delete it; other rows are unaffected"
    )]
    Unsealable(String),

    /// The machine failed us: no OS randomness, a hashing failure, a crashed worker thread.
    #[error("internal error: {0}. This is a bug or a broken host; please report it with the logs")]
    Internal(String),
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        StoreError::Database(err)
    }
}

/// True when `err` is a unique-index violation, on any supported backend. Used to turn an insert
/// race into the answer the loser would have got had it arrived second.
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
