//! Knowledge-base persistence. The CRDT itself is opaque here: the log holds Yjs updates as bytes
//! and `weft-kb` decides what they mean. What the store guarantees is ordering and atomicity: an
//! update and the article metadata it changes commit together, and compaction swaps log entries
//! for a snapshot in one transaction.

mod articles;
mod comments;
mod log;
mod outcomes;
mod review;
mod spaces;
mod versions;

pub use articles::{ArticleChange, KbAppend, LoggedUpdate, NewArticle};
pub use comments::NewComment;
pub use log::StoredDoc;
pub use outcomes::OutcomeStats;
pub use review::Transition;
pub use spaces::Stage;
pub use versions::NewVersion;

pub use crate::entity::kb::approval::Model as KbApproval;
pub use crate::entity::kb::article::Model as KbArticle;
pub use crate::entity::kb::comment::Model as KbComment;
pub use crate::entity::kb::space::Model as KbSpace;
pub use crate::entity::kb::transition::Model as KbTransition;
pub use crate::entity::kb::version::Model as KbVersion;
