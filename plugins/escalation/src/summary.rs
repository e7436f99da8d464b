//! The hand-over summary: everything the human taking over needs so the customer never repeats
//! themselves: who, what, why it escalated, what earlier steps found, and the conversation.

use std::fmt::Write;

use weft_plugin::prelude::*;

use crate::signals::Readings;

/// Longest single turn kept in full; a pasted log does not push the rest of the thread out.
const MAX_TURN_CHARS: usize = 2000;

pub struct Context<'a> {
    pub input: &'a StepInput,
    pub level: &'a str,
    pub reasons: &'a [String],
    pub readings: &'a Readings,
    pub max_bytes: usize,
}

pub fn summary(ctx: &Context) -> String {
    let ticket = &ctx.input.ticket;
    let customer = &ticket.customer;
    let mut head = String::new();
    let name = if customer.name.is_empty() { "(no name)" } else { customer.name.as_str() };
    let _ = writeln!(
        head,
        "Ticket {} ({}, {}, priority {}) from {name} ({}, {} tier)",
        ticket.id,
        ticket.channel.as_str(),
        if ticket.language.is_empty() { "language unknown" } else { ticket.language.as_str() },
        ticket.priority.as_str(),
        customer.id,
        customer.tier.as_str()
    );
    let _ = writeln!(head, "Escalated {}: {}", ctx.level, ctx.reasons.join("; "));
    if let Some(incident) = &ticket.incident {
        let _ = writeln!(head, "Incident: {incident}");
    }
    if let Some(sla) = &ctx.input.sla {
        let state = if sla.breached {
            "breached"
        } else if sla.warned {
            "warning"
        } else {
            "on time"
        };
        let _ = writeln!(head, "SLA: due {}, {state}", utc(sla.due));
    }
    let r = ctx.readings;
    if r.intent.is_some() || r.confidence.is_some() || r.negative_share.is_some() {
        let _ = writeln!(
            head,
            "Found so far: intent {}, confidence {}, negative-emotion share {}",
            r.intent.as_deref().unwrap_or("unknown"),
            r.confidence.map_or("unknown".into(), |c| c.to_string()),
            r.negative_share.map_or("unknown".into(), |s| s.to_string())
        );
    }
    if let Some(queue) = &r.queue {
        let _ =
            writeln!(head, "Routed to {queue}{}", r.agent.as_ref().map(|a| format!(", agent {a}")).unwrap_or_default());
    }
    if !ticket.tags.is_empty() {
        let _ = writeln!(head, "Tags: {}", ticket.tags.join(", "));
    }
    if !ticket.subject.is_empty() {
        let _ = writeln!(head, "Subject: {}", clip(&ticket.subject));
    }

    // The conversation, oldest first; the body stands in when it is not already the thread's
    // first turn (helpdesks that send the body separately). Turns are formatted newest first
    // and only while they fit, so a huge thread costs what the summary holds, not its length.
    let ticket_body = ticket.body.trim();
    let body_turn = (!ticket_body.is_empty() && !ticket.conversation.iter().any(|m| m.body.trim() == ticket_body))
        .then_some((AuthorKind::Customer, ticket.created_at, ticket.body.as_str()));
    let turns: Vec<(AuthorKind, i64, &str)> =
        body_turn.into_iter().chain(ticket.conversation.iter().map(|m| (m.author, m.at, m.body.as_str()))).collect();
    let budget = ctx.max_bytes.saturating_sub(head.len() + 128);
    let mut kept: Vec<String> = Vec::new();
    let mut used = 0;
    for (author, at, body) in turns.iter().rev() {
        let line = format!("[{}, {}] {}", author.as_str(), utc(*at), clip(body));
        if used + line.len() + 1 > budget {
            break;
        }
        used += line.len() + 1;
        kept.push(line);
    }
    let omitted = turns.len() - kept.len();
    let mut out = head;
    let _ = writeln!(out, "Conversation ({} turns, oldest first):", turns.len());
    if omitted > 0 {
        let _ = writeln!(out, "… {omitted} earlier turn(s) left out to fit the summary");
    }
    for line in kept.iter().rev() {
        let _ = writeln!(out, "{line}");
    }
    if turns.is_empty() {
        let _ = writeln!(out, "(no messages)");
    }
    // The head alone can exceed a tiny cap only through a huge subject or reasons; cut at a
    // character boundary rather than fail the escalation.
    if out.len() > ctx.max_bytes {
        let mut end = ctx.max_bytes;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    out.trim_end().to_owned()
}

/// A turn on one line (runs of whitespace become one space), at most [`MAX_TURN_CHARS`]
/// characters; the rest is counted, not copied.
fn clip(text: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    let mut space = false;
    for (at, c) in text.trim().char_indices() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if chars >= MAX_TURN_CHARS {
            let rest = text.trim()[at..].chars().count();
            return format!("{out}… ({rest} more characters)");
        }
        if space {
            out.push(' ');
            chars += 1;
            space = false;
        }
        out.push(c);
        chars += 1;
    }
    out
}

/// `2023-11-14 22:13:20Z` from ms since the epoch (proleptic Gregorian, UTC).
pub fn utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}
