//! What one invocation produced: the decision or the typed failure, plus what it cost.

use serde::Serialize;

use crate::capability::Denial;
use crate::error::PluginError;
use crate::logs::LogLine;
use crate::model::Decision;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(with = "result_serde")]
    pub result: Result<Decision, PluginError>,
    pub fuel_used: u64,
    pub fuel_budget: u64,
    pub peak_memory_bytes: u64,
    pub memory_limit_bytes: u64,
    pub wall_time_us: u64,
    pub logs: Vec<LogLine>,
    pub logs_truncated: bool,
    /// Key-value writes to commit together with the decision (only when the step succeeded).
    pub kv_writes: Vec<(String, Option<String>)>,
    /// Capability uses the host refused during the invocation, even ones the plugin recovered from.
    pub denials: Vec<Denial>,
}

mod result_serde {
    use serde::Serializer;
    use serde::ser::SerializeMap;

    use crate::error::PluginError;
    use crate::model::Decision;

    /// `{"decision": …}` or `{"error": {"kind": …, "message": …, …}}`.
    pub fn serialize<S: Serializer>(result: &Result<Decision, PluginError>, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        match result {
            Ok(decision) => map.serialize_entry("decision", decision)?,
            Err(error) => map.serialize_entry("error", &ErrorBody(error))?,
        }
        map.end()
    }

    struct ErrorBody<'a>(&'a PluginError);

    impl serde::Serialize for ErrorBody<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut value = serde_json::to_value(self.0).map_err(serde::ser::Error::custom)?;
            if let Some(obj) = value.as_object_mut() {
                obj.insert("message".into(), self.0.to_string().into());
                obj.insert("retryable".into(), self.0.retryable().into());
            }
            value.serialize(s)
        }
    }
}
