//! Personal data at rest: envelope encryption with AES-256-GCM (docs/privacy.md).
//!
//! - [`master`]: the operator's master key (file or generated), which only wraps data keys.
//! - [`keyring`]: one data key per customer (plus a tenant key), wrapped in `customer_keys`.
//! - [`seal`]: sealing one value under a data key, bound to its table, row and field.
//! - [`values`]: the store's read/write helpers; [`subjects`]: export and erasure.

pub mod keyring;
pub mod master;
pub mod seal;
mod subjects;
mod values;

pub use keyring::KeyCheck;
pub use master::{KeyFileError, MasterKey, MasterKeys};
pub use subjects::{CustomerExport, Erasure, RunExport};
pub(crate) use values::{customer_of, seal_json, seal_text};
