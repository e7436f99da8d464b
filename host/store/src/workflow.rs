//! Persistence for the workflow engine: definition versions, runs and their step attempts, the
//! effects outbox and the records effects land on. The engine's rules live in `weft-workflow`;
//! this module guarantees what must be atomic (a step's attempt, effects and cursor together; an
//! effect's application and its outbox mark together).

mod cases;
mod outbox;
mod recorded;
mod rollouts;
mod runs;
mod timers;
mod versions;

pub use cases::{CaseRecord, CreditEntry, MessageEntry};
pub use outbox::{CaseChange, OutboxEntry};
pub use recorded::RecordedStep;
pub use rollouts::{ArmCounts, NewRollout, Observation, Rollout, RolloutMode, RolloutSummary, StickyBy};
pub use runs::{AttemptRecord, NewAttempt, NewRun, RunFilter, RunRecord, RunStatus, StepCommit};
pub use timers::TimerRecord;
pub use versions::WorkflowVersion;
