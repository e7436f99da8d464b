//! The per-invocation log buffer: capped, so a chatty plugin cannot exhaust host memory.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    /// Written to the plugin's stdout or stderr rather than through the `log` import.
    Stdio,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    pub level: LogLevel,
    pub message: String,
}

#[derive(Debug, Default)]
pub(crate) struct LogBuffer {
    pub(crate) lines: Vec<LogLine>,
    bytes: usize,
    cap: usize,
    pub(crate) truncated: bool,
}

impl LogBuffer {
    pub(crate) fn new(cap: usize) -> Self {
        Self { cap, ..Self::default() }
    }

    pub(crate) fn push(&mut self, level: LogLevel, message: String) {
        if self.bytes + message.len() > self.cap {
            self.truncated = true;
            return;
        }
        self.bytes += message.len();
        self.lines.push(LogLine { level, message });
    }

    /// The last panic message the SDK's panic hook logged, for trap reports.
    pub(crate) fn panic_message(&self) -> Option<&str> {
        self.lines
            .iter()
            .rev()
            .find(|l| matches!(l.level, LogLevel::Error | LogLevel::Stdio) && l.message.contains("panicked at"))
            .map(|l| l.message.trim())
    }
}
