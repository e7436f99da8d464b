//! The reversal of a credit: declared by the issuing step as its `reversal` output, issued by a
//! step in `reverse` mode when the workflow compensates (a later step failed for good).
//!
//! A reversal is a credit of the negated amount under its own key (`<key>:reversal`), so the
//! host's exactly-once rule covers it too: compensating twice never takes money back twice.

use serde::{Deserialize, Serialize};
use weft_plugin::prelude::*;

use crate::config::Config;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reversal {
    #[serde(rename = "type")]
    pub kind_tag: String,
    pub customer: String,
    pub amount_cents: i64,
    pub currency: String,
    pub kind: String,
    pub reason: String,
    pub key: String,
}

/// The credit that undoes `credit`, in the JSON model's effect form.
pub fn reversal_of(credit: &Credit) -> Reversal {
    Reversal {
        kind_tag: "credit".into(),
        customer: credit.customer.clone(),
        amount_cents: -credit.amount_cents,
        currency: credit.currency.clone(),
        kind: credit.kind.as_str().into(),
        reason: format!("reversal of {}", credit.key),
        key: format!("{}:reversal", credit.key),
    }
}

pub fn decide(input: &StepInput, config: &Config) -> Result<Decision, StepError> {
    let declared = input.output_of(&config.issue_step, "reversal").filter(|value| !value.is_null());
    let Some(declared) = declared else {
        return Ok(Decision::proceed()
            .reason(format!("step {} issued no credit: nothing to reverse", config.issue_step))
            .output("reversed", &false));
    };
    let reversal: Reversal = serde_json::from_value(declared).map_err(|error| {
        StepError::invalid_input(format!("the reversal declared by step {} is malformed: {error}", config.issue_step))
    })?;
    if reversal.kind_tag != "credit" || reversal.amount_cents >= 0 || !reversal.key.ends_with(":reversal") {
        return Err(StepError::invalid_input(format!(
            "the reversal declared by step {} must be a negative credit under a `…:reversal` key (got {} of {} under {:?})",
            config.issue_step, reversal.kind_tag, reversal.amount_cents, reversal.key
        )));
    }
    let mut credit = effect::credit(&reversal.customer, reversal.amount_cents, &reversal.currency)
        .key(&reversal.key)
        .reason(&reversal.reason);
    if reversal.kind == "voucher" {
        credit = credit.voucher();
    }
    Ok(Decision::proceed()
        .reason(format!("{}: {}", reversal.reason, crate::money(reversal.amount_cents, &reversal.currency)))
        .output("reversed", &true)
        .output("key", &reversal.key)
        .effect(credit))
}
