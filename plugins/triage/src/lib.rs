//! Triage: deterministic bilingual (Chinese and English) intent, sentiment and urgency scoring.
//!
//! Reads the subject, the body and the customer's turns of the conversation, scans them once
//! against lexicons shipped in the plugin (no model, no downloads), and outputs the intent,
//! per-intent scores, sentiment, negative-emotion share, urgency and a confidence. It tags the
//! ticket `intent:<x>`, plus `urgent` when urgent. See README.md for the rules and their limits.

mod config;
mod intent;
mod lexicon;
mod scan;
mod score;
mod trie;

use std::collections::BTreeMap;

use weft_plugin::prelude::*;

use crate::config::Config;
use crate::intent::Intent;
use crate::lexicon::Lexicon;
use crate::scan::{Evidence, scan};
use crate::score::{Triage, score};

/// The subject is a summary the customer chose, so its terms count half again.
const SUBJECT_WEIGHT: f64 = 1.5;

/// Text read per ticket: subject, body, then the customer's turns, newest first. Scanning costs
/// about 100 fuel per byte of mixed text (README), so 256 KiB stays near 27M of the 50M budget
/// however large the ticket; what lies beyond is a pasted log or a quoted thread, not intent.
const MAX_SCAN_BYTES: usize = 256 * 1024;

fn decide(input: StepInput) -> Result<Decision, StepError> {
    let config: Config = host::config()?;
    let lexicon = Lexicon::build(&config)?;
    let triage = triage(&lexicon, &input.ticket);
    weft_plugin::info!(
        "ticket {}: intent {} ({}), sentiment {}, urgent {}, language {}",
        input.ticket.id,
        triage.intent.as_str(),
        triage.confidence,
        triage.sentiment,
        triage.urgency,
        triage.language
    );
    Ok(decision(&triage))
}

fn triage(lexicon: &Lexicon, ticket: &Ticket) -> Triage {
    let mut evidence = Evidence::default();
    let mut budget = MAX_SCAN_BYTES;
    let mut truncated = false;
    let mut read = |text: &str, weight: f64, evidence: &mut Evidence| {
        let end = char_boundary_at_most(text, budget);
        truncated |= end < text.len();
        budget -= end;
        scan(lexicon, &text[..end], weight, evidence);
    };
    read(&ticket.subject, SUBJECT_WEIGHT, &mut evidence);
    read(&ticket.body, 1.0, &mut evidence);
    for message in ticket.conversation.iter().rev() {
        // Helpdesks often repeat the first customer message as the body; count it once.
        if message.author == AuthorKind::Customer && message.body.trim() != ticket.body.trim() {
            read(&message.body, 1.0, &mut evidence);
        }
    }
    let mut triage = score(lexicon, &evidence);
    triage.truncated = truncated;
    triage
}

/// The largest char boundary of `text` not beyond `limit`.
fn char_boundary_at_most(text: &str, limit: usize) -> usize {
    let mut end = limit.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

fn decision(triage: &Triage) -> Decision {
    let intent = triage.intent.as_str();
    let intent_reason = if triage.intent_terms.is_empty() {
        format!("intent {intent}: no intent reached the threshold")
    } else {
        format!("intent {intent} (confidence {}): {}", triage.confidence, triage.intent_terms.join(", "))
    };
    let scores: BTreeMap<&str, f64> =
        Intent::SCORED.iter().zip(triage.intent_scores).map(|(intent, score)| (intent.as_str(), score)).collect();

    let mut tags = effect::tag().add(format!("intent:{intent}"));
    let mut decision = Decision::proceed()
        .reason(intent_reason)
        .reason(format!("sentiment {}, negative-emotion share {}", triage.sentiment, triage.negative_share));
    if triage.truncated {
        decision = decision.reason(format!("read the first {} KiB of the ticket's text only", MAX_SCAN_BYTES / 1024));
    }
    if triage.urgency {
        tags = tags.add("urgent");
        decision = decision.reason(format!("urgent: {}", triage.urgency_terms.join(", ")));
    }
    decision
        .output("intent", intent)
        .output("intent_scores", &scores)
        .output("sentiment", &triage.sentiment)
        .output("negative_share", &triage.negative_share)
        .output("urgency", &triage.urgency)
        .output("urgency_terms", &triage.urgency_terms)
        .output("confidence", &triage.confidence)
        .output("language_detected", triage.language)
        .output("truncated", &triage.truncated)
        .effect(tags)
}

weft_plugin::export_step!(decide);

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod evaluation;
