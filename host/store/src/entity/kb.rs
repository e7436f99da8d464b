//! Knowledge-base tables (spaces, articles, the CRDT update log and snapshots, review, versions,
//! comments, outcomes). Written by `crate::kb`; created by the `m20251102_*` migrations.

pub mod approval;
pub mod article;
pub mod comment;
pub mod member;
pub mod outcome;
pub mod snapshot;
pub mod space;
pub mod transition;
pub mod update;
pub mod version;
