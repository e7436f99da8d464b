//! Read helpers over the step input: outputs of earlier steps, extension fields, languages.

use crate::{Customer, Field, PriorStep, StepInput, Ticket, Tier};

/// Parses the JSON value of the field called `name`. Field values are JSON text in the contract;
/// the host only ever sends valid JSON, so a parse failure is treated like an absent field.
pub(crate) fn field_value(fields: &[Field], name: &str) -> Option<serde_json::Value> {
    let field = fields.iter().find(|field| field.name == name)?;
    serde_json::from_str(&field.value).ok()
}

impl StepInput {
    /// The decision of the earlier step `step` of this run. When a step ran more than once (a
    /// loop back in the workflow), the latest one.
    pub fn prior_step(&self, step: &str) -> Option<&PriorStep> {
        self.prior.iter().rev().find(|prior| prior.step == step)
    }

    /// The output `name` of the earlier step `step`, as JSON: `input.output_of("triage", "intent")`.
    pub fn output_of(&self, step: &str, name: &str) -> Option<serde_json::Value> {
        self.prior_step(step)?.decision.get_output(name)
    }
}

impl Ticket {
    /// The extension field `name` an integrator attached to the ticket, as JSON.
    pub fn field(&self, name: &str) -> Option<serde_json::Value> {
        field_value(&self.fields, name)
    }

    /// The primary language subtag of the ticket, lower-cased: `zh` for `zh-CN`, `en` for
    /// `EN_us`. `None` when the language is unknown (empty).
    pub fn primary_language(&self) -> Option<String> {
        primary_subtag(&self.language)
    }
}

impl Customer {
    /// The extension field `name` an integrator attached to the customer, as JSON.
    pub fn field(&self, name: &str) -> Option<serde_json::Value> {
        field_value(&self.fields, name)
    }
}

impl Tier {
    /// `premium` and `vip`: the tiers routing and escalation treat as high-value.
    pub fn is_high_value(self) -> bool {
        matches!(self, Tier::Premium | Tier::Vip)
    }
}

/// The primary subtag of a BCP 47 language tag, lower-cased: `zh` for `zh-CN`, `en` for `EN_us`.
/// `None` for an empty tag. Compare languages by this, so `zh` matches `zh-CN` and `zh_TW`.
pub fn primary_subtag(tag: &str) -> Option<String> {
    // BCP 47 uses `-`; accept the POSIX `_` too, since integrators send both.
    let primary = tag.trim().split(['-', '_']).next()?;
    (!primary.is_empty()).then(|| primary.to_ascii_lowercase())
}

#[cfg(all(test, not(target_arch = "wasm32")))] // the builders live in the native-only `testing`
mod tests {
    use super::*;
    use crate::testing::{input, ticket};
    use crate::{Decision, json};

    #[test]
    fn primary_language_is_the_lowercased_first_subtag() {
        assert_eq!(primary_subtag("zh-CN").as_deref(), Some("zh"));
        assert_eq!(primary_subtag("EN_us").as_deref(), Some("en"));
        assert_eq!(primary_subtag("fr").as_deref(), Some("fr"));
        assert_eq!(primary_subtag(""), None);
        assert_eq!(primary_subtag("  "), None);
    }

    // A workflow can loop back to a step; later steps must see its latest decision.
    #[test]
    fn output_of_reads_the_latest_run_of_a_step() {
        let step_input = input(ticket("T-1").build())
            .prior("triage", Decision::proceed().output("intent", "refund"))
            .prior("triage", Decision::proceed().output("intent", "billing"))
            .build();
        assert_eq!(step_input.output_of("triage", "intent"), Some(json!("billing")));
        assert_eq!(step_input.output_of("triage", "missing"), None);
        assert_eq!(step_input.output_of("route", "intent"), None);
    }

    #[test]
    fn ticket_fields_are_parsed_json() {
        let ticket = ticket("T-1").field("order_id", &json!(42)).build();
        assert_eq!(ticket.field("order_id"), Some(json!(42)));
        assert_eq!(ticket.field("absent"), None);
    }
}
