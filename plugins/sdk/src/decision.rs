//! Building a [`Decision`]: `Decision::proceed().reason(..).output(..).effect(..)`.

use serde::Serialize;

use crate::{Decision, Effect, Field, Outcome, StepError};

impl Decision {
    /// A decision with the given outcome and nothing else.
    pub fn new(outcome: Outcome) -> Self {
        Self { outcome, reasons: Vec::new(), outputs: Vec::new(), effects: Vec::new() }
    }

    /// Continue with the next step of the workflow.
    pub fn proceed() -> Self {
        Self::new(Outcome::Proceed)
    }

    /// Complete the run here (for example, a bot answered the ticket).
    pub fn complete() -> Self {
        Self::new(Outcome::Complete)
    }

    /// Stop the run here (for example, a compliance rule matched).
    pub fn block() -> Self {
        Self::new(Outcome::Block)
    }

    /// Adds a reason, in words an operator reads in the run view
    /// (`"language zh → Chinese billing queue"`). Reasons keep their order.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reasons.push(reason.into());
        self
    }

    /// Sets a structured output that later steps and workflow conditions read as
    /// `steps.<id>.outputs.<name>`. Any `Serialize` value becomes JSON; setting a name twice
    /// keeps the last value.
    ///
    /// # Panics
    ///
    /// If `value` cannot be represented as JSON (a map with non-string keys, or a `Serialize`
    /// impl that fails), like `serde_json::json!`. Such a value is a bug in the plugin, and the
    /// panic reaches the host as a trap naming this call. Use [`Decision::try_output`] for values
    /// whose serialization can fail at run time.
    pub fn output(self, name: impl Into<String>, value: &(impl Serialize + ?Sized)) -> Self {
        match self.try_output(name, value) {
            Ok(decision) => decision,
            Err(error) => panic!("{}", error.message),
        }
    }

    /// Like [`Decision::output`], but a value that cannot be represented as JSON is an
    /// `internal` [`StepError`] instead of a panic.
    pub fn try_output(mut self, name: impl Into<String>, value: &(impl Serialize + ?Sized)) -> Result<Self, StepError> {
        let name = name.into();
        let value = serde_json::to_string(value)
            .map_err(|error| StepError::internal(format!("output `{name}` cannot be serialized to JSON: {error}")))?;
        match self.outputs.iter_mut().find(|field| field.name == name) {
            Some(field) => field.value = value,
            None => self.outputs.push(Field { name, value }),
        }
        Ok(self)
    }

    /// Appends an effect for the host to apply after the step succeeds, such as
    /// `effect::assign("billing")` or `effect::tag().add("vip")`. Effects are applied in order,
    /// exactly once, and only if the deployment is granted `effect.<kind>`.
    pub fn effect(mut self, effect: impl Into<Effect>) -> Self {
        self.effects.push(effect.into());
        self
    }

    /// The value of an output this decision carries, parsed from its JSON text. `None` when the
    /// output is absent (or, which the host never produces, not valid JSON).
    pub fn get_output(&self, name: &str) -> Option<serde_json::Value> {
        crate::input::field_value(&self.outputs, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effect;
    use std::collections::BTreeMap;

    #[test]
    fn builder_keeps_reasons_and_effects_in_order() {
        let decision = Decision::block()
            .reason("consent missing")
            .reason("marketing purpose")
            .effect(effect::tag().add("blocked"))
            .effect(effect::assign("compliance"));
        assert_eq!(decision.outcome, Outcome::Block);
        assert_eq!(decision.reasons, ["consent missing", "marketing purpose"]);
        assert!(matches!(decision.effects[0], Effect::Tag(_)));
        assert!(matches!(decision.effects[1], Effect::Assign(_)));
    }

    // Outputs are a JSON object in the host's model, so a name is set at most once.
    #[test]
    fn output_serializes_to_json_and_the_last_value_wins() {
        let decision =
            Decision::proceed().output("queue", "general").output("score", &0.5).output("queue", "billing-cn");
        assert_eq!(decision.outputs.len(), 2);
        assert_eq!(decision.get_output("queue"), Some(crate::json!("billing-cn")));
        assert_eq!(decision.outputs[1].value, "0.5");
    }

    #[test]
    fn an_unserializable_output_is_an_internal_error_with_try_output() {
        let mut map = BTreeMap::new();
        map.insert(vec![1u8], "non-string key");
        let error = Decision::proceed().try_output("map", &map).unwrap_err();
        assert_eq!(error.kind, crate::StepErrorKind::Internal);
        assert!(error.message.contains("output `map`"), "{}", error.message);
    }
}
