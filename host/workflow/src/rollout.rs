//! Rollouts of a candidate plugin version on one step: which arm a ticket takes (`arm`), how two
//! decisions differ (`compare`), the engine's cache of active rollouts and the operations on them
//! (`registry`), shadow executions (`shadow`) and back-tests over recorded inputs (`backtest`).

mod arm;
pub mod backtest;
pub mod compare;
mod registry;
mod shadow;

pub(crate) use arm::takes_candidate;
pub use backtest::BacktestReport;
pub use registry::RolloutRequest;
pub(crate) use registry::{Active, Rollouts};
pub(crate) use shadow::ShadowJob;
