//! Compliance: the step that runs before anything leaves. It masks PII in the ticket's text,
//! checks the customer's consent for the step's purpose, drops extension fields the next steps
//! may not see, and blocks replies that make regulated finance or health claims.

mod checksum;
mod claims;
mod config;
mod detect;
mod mask;

use std::collections::BTreeMap;

use serde::Serialize;
use weft_plugin::prelude::*;

use crate::config::{Author, Config, Purpose, TextField};

/// One finding: a PII value or a regulated claim at `[start, end)` (UTF-8 bytes) of `field`.
#[derive(Debug, Serialize)]
struct Finding {
    rule: String,
    field: String,
    start: u32,
    end: u32,
    /// For PII the masked value (`*******5678`); for a claim the matched phrase.
    preview: String,
}

/// One text the step reads: its name in findings and effects, and whether claims are checked.
struct Text<'a> {
    field: String,
    text: &'a str,
    claims: bool,
}

fn author(kind: AuthorKind) -> Author {
    match kind {
        AuthorKind::Customer => Author::Customer,
        AuthorKind::Agent => Author::Agent,
        AuthorKind::Bot => Author::Bot,
        AuthorKind::System => Author::System,
    }
}

fn texts<'a>(ticket: &'a Ticket, config: &Config) -> Vec<Text<'a>> {
    let mut texts = vec![
        Text {
            field: "subject".into(),
            text: &ticket.subject,
            claims: config.claim_fields.contains(&TextField::Subject),
        },
        Text { field: "body".into(), text: &ticket.body, claims: config.claim_fields.contains(&TextField::Body) },
    ];
    for (n, message) in ticket.conversation.iter().enumerate() {
        texts.push(Text {
            field: format!("conversation.{n}"),
            text: &message.body,
            claims: config.claim_authors.contains(&author(message.author)),
        });
    }
    texts
}

fn consented(consent: &Consent, purpose: Purpose) -> bool {
    match purpose {
        Purpose::Service => consent.service,
        Purpose::Marketing => consent.marketing,
        Purpose::Analytics => consent.analytics,
    }
}

fn span(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

fn decide(input: StepInput) -> Result<Decision, StepError> {
    let config: Config = host::config()?;
    let ticket = &input.ticket;
    let mut reasons = Vec::new();
    let mut blocked = false;

    if !consented(&ticket.customer.consent, config.purpose) {
        blocked = true;
        reasons.push(format!(
            "consent.{purpose}: customer {} has not consented to {purpose}",
            ticket.customer.id,
            purpose = config.purpose.as_str()
        ));
    }

    let mut findings = Vec::new();
    let mut masked = BTreeMap::new();
    let mut redactions = Vec::new();
    let mut pii = 0usize;
    for text in texts(ticket, &config) {
        let hits = detect::scan(text.text, &config.detectors);
        if !hits.is_empty() {
            let mut redaction = effect::redact(&text.field).replacement(&config.replacement);
            for hit in &hits {
                let value = &text.text[hit.start..hit.end];
                findings.push(Finding {
                    rule: format!("pii.{}", hit.kind.as_str()),
                    field: text.field.clone(),
                    start: span(hit.start),
                    end: span(hit.end),
                    preview: mask::preview(hit.kind, value),
                });
                redaction = redaction.span(span(hit.start), span(hit.end));
            }
            pii += hits.len();
            masked.insert(text.field.clone(), mask::mask(text.text, &hits));
            redactions.push(redaction);
        }
        if text.claims {
            for claim in claims::scan(text.text, &config.claim_rule_sets) {
                let phrase = &text.text[claim.start..claim.end];
                blocked = true;
                reasons
                    .push(format!("{}: \"{phrase}\" in {} at {}..{}", claim.rule, text.field, claim.start, claim.end));
                findings.push(Finding {
                    rule: claim.rule.to_owned(),
                    field: text.field.clone(),
                    start: span(claim.start),
                    end: span(claim.end),
                    preview: phrase.to_owned(),
                });
            }
        }
    }
    if pii > 0 {
        let fields: Vec<&str> = masked.keys().map(String::as_str).collect();
        reasons.push(format!("masked {pii} PII value(s) in {}", fields.join(", ")));
    }

    let dropped: Vec<String> = match &config.allowed_fields {
        Some(allowed) => ticket.fields.iter().map(|f| f.name.clone()).filter(|name| !allowed.contains(name)).collect(),
        None => Vec::new(),
    };
    if !dropped.is_empty() {
        reasons.push(format!("dropped fields not on the allow-list: {}", dropped.join(", ")));
    }

    let verdict = if blocked { "block" } else { "pass" };
    weft_plugin::info!(
        "ticket {}: {verdict}, {} finding(s), {} field(s) dropped",
        ticket.id,
        findings.len(),
        dropped.len()
    );

    let mut decision = if blocked { Decision::block() } else { Decision::proceed() };
    for reason in &reasons {
        decision = decision.reason(reason);
    }
    decision = decision
        .output("verdict", verdict)
        .output("reasons", &reasons)
        .output("findings", &findings)
        .output("masked", &masked)
        .output("dropped_fields", &dropped);
    for redaction in redactions {
        decision = decision.effect(redaction);
    }
    if pii > 0 {
        decision = decision.effect(effect::tag().add("pii"));
    }
    if config.clear_dropped_fields {
        for name in &dropped {
            decision = decision.effect(effect::set_field(name, &weft_plugin::JsonValue::Null));
        }
    }
    Ok(decision)
}

weft_plugin::export_step!(decide);

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
