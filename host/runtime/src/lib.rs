//! The Weft plugin runtime: wasmtime components run under limits, with capability-checked host
//! imports and deny-by-default WASI. No database, no HTTP: embedders supply `HostServices`.
//!
//! ```text
//! bytes ──load──▶ LoadedPlugin ──deploy(grants, config, limits)──▶ Deployment ──invoke(input)──▶ Report
//! ```

mod artifact;
mod bindings;
mod cache;
pub mod capability;
mod contract;
mod convert;
mod deployment;
mod error;
mod host_impl;
mod invoke;
pub mod limits;
mod logs;
pub mod manifest;
pub mod model;
mod pii;
mod report;
mod runtime;
pub mod services;
mod state;

pub use artifact::{Artifact, digest, inspect};
pub use bindings::{CONTRACT_PACKAGE, CONTRACT_VERSION};
pub use cache::CompileSource;
pub use capability::{Capability, Denial, Grants};
pub use deployment::{DeployError, Deployment, DeploymentSpec};
pub use error::PluginError;
pub use limits::{LimitSettings, Limits};
pub use logs::{LogLevel, LogLine};
pub use manifest::Manifest;
pub use report::Report;
pub use runtime::{LoadedPlugin, Runtime, RuntimeConfig};
pub use services::{HostServices, MemoryServices, ServiceError};
pub use state::InvocationContext;
