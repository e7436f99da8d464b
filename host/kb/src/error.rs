//! What can go wrong in the knowledge base, each with a message that says what to do.

use weft_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum KbError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    /// The stored document cannot be rebuilt; it is served to nobody and overwritten by nothing.
    #[error(
        "article {article} cannot be loaded ({what}); it is left untouched in the store. Restore the database from \
         a backup or report this with the server log"
    )]
    Corrupt { article: String, what: String },
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}
