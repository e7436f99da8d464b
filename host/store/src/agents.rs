//! The agent directory: agents (skills 0–10, languages, queues, per-channel capacity and load,
//! presence, last assignment) and queues (skills, languages, overflow). Operators manage it
//! through the API; routing plugins read it through the `agents.read` capability.
//!
//! Skills, languages, queues and load are JSON columns: they are read and written with their
//! agent as a whole, and a team's directory (hundreds to a few thousand agents) is filtered in
//! memory faster than a join would be planned.

mod directory;
mod model;
mod queues;
mod roster;

pub use directory::{DirectoryFilter, DirectorySnapshot};
pub use model::{AgentRecord, AgentSpec, ChannelLoad, MAX_SKILL_LEVEL, QueueRecord, QueueSpec, SkillLevel};
