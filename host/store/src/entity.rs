//! sea-orm entities, one table per file. Public so later crates can join against them through
//! [`crate::Store::connection`]; the `Store` methods are the supported way to change them.
//!
//! Tables are created by the migrations in `migration/`, never from these structs, so an entity
//! can gain a convenience without silently changing the schema.

pub mod api_token;
pub mod audit_entry;
pub mod deployment;
pub mod kb;
pub mod kv_entry;
pub mod plugin;
pub mod plugin_blob;
pub mod role_grant;
pub mod session;
pub mod user;
