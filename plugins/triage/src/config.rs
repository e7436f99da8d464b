//! The deployment's configuration: extra lexicon terms and thresholds. Unknown keys are an
//! error, so a typo such as `min_intent_scor` fails the step instead of being ignored.

use std::collections::BTreeMap;

use serde::Deserialize;
use weft_plugin::prelude::*;

use crate::intent::Intent;

/// Longest term accepted from config; longer "terms" are almost always a pasted sentence.
const MAX_TERM_CHARS: usize = 64;
/// Extra terms across all lists: enough for any product vocabulary, and it bounds the trie
/// (and the fuel spent building it) that every run pays for.
const MAX_EXTRA_TERMS: usize = 1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Extra terms per intent name (`billing`, `refund`, ...), added to the shipped lexicon.
    pub extra_terms: BTreeMap<String, Vec<String>>,
    /// Extra urgency keywords.
    pub extra_urgency_terms: Vec<String>,
    /// Extra negative-emotion words.
    pub extra_negative_terms: Vec<String>,
    /// Evidence the best intent needs, else `other`. 1.0: one term in the body is enough,
    /// because most customer messages name their topic once.
    pub min_intent_score: f64,
    /// Urgency keyword occurrences that make a ticket urgent. 1: customers rarely write
    /// "urgent" without meaning it, and a missed urgent ticket costs more than a false alarm.
    pub urgency_min_terms: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            extra_terms: BTreeMap::new(),
            extra_urgency_terms: Vec::new(),
            extra_negative_terms: Vec::new(),
            min_intent_score: 1.0,
            urgency_min_terms: 1,
        }
    }
}

impl Config {
    /// Extra terms by intent, after checking names, terms and thresholds.
    pub fn validated_extra_terms(&self) -> Result<Vec<(Intent, &str)>, StepError> {
        if !(self.min_intent_score.is_finite() && self.min_intent_score > 0.0) {
            return Err(StepError::invalid_config(format!(
                "min_intent_score must be a number above 0 (it was {}); the default is 1.0",
                self.min_intent_score
            )));
        }
        if self.urgency_min_terms == 0 {
            return Err(StepError::invalid_config("urgency_min_terms must be at least 1; the default is 1"));
        }
        let mut terms = Vec::new();
        for (name, list) in &self.extra_terms {
            let intent = Intent::parse(name).filter(|&intent| intent != Intent::Other).ok_or_else(|| {
                StepError::invalid_config(format!(
                    "extra_terms has an unknown intent `{name}`; use one of billing, refund, delivery, account, technical, complaint"
                ))
            })?;
            for term in list {
                check_term(&format!("extra_terms.{name}"), term)?;
                terms.push((intent, term.as_str()));
            }
        }
        for term in &self.extra_urgency_terms {
            check_term("extra_urgency_terms", term)?;
        }
        for term in &self.extra_negative_terms {
            check_term("extra_negative_terms", term)?;
        }
        let total = terms.len() + self.extra_urgency_terms.len() + self.extra_negative_terms.len();
        if total > MAX_EXTRA_TERMS {
            return Err(StepError::invalid_config(format!(
                "the config has {total} extra terms; at most {MAX_EXTRA_TERMS} are allowed, so keep the most specific ones"
            )));
        }
        Ok(terms)
    }
}

fn check_term(list: &str, term: &str) -> Result<(), StepError> {
    let chars = term.trim().trim_end_matches('*').chars().count();
    if chars == 0 || chars > MAX_TERM_CHARS {
        return Err(StepError::invalid_config(format!(
            "{list} has the term {term:?}, which is {chars} characters long; terms need 1 to {MAX_TERM_CHARS} characters"
        )));
    }
    Ok(())
}
