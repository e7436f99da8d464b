//! Plugin effects to case changes with idempotency keys. The key names the run, the step and the
//! effect's position, so a retried or replayed step produces the same keys and the outbox keeps
//! the first.

use weft_runtime::model::{Effect, EscalationLevel};
use weft_store::CaseChange;

fn name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

pub fn to_changes(run_id: &str, step: &str, effects: &[Effect], now_ms: i64) -> Vec<(String, CaseChange)> {
    effects
        .iter()
        .enumerate()
        .map(|(i, effect)| {
            let change = match effect {
                Effect::Assign(a) => CaseChange::Assign { queue: a.queue.clone(), agent: a.agent.clone() },
                Effect::Tag(t) => CaseChange::Tag { add: t.add.clone(), remove: t.remove.clone() },
                Effect::Escalate(e) => CaseChange::Escalate {
                    level: match e.level {
                        EscalationLevel::General => "general",
                        EscalationLevel::Important => "important",
                        EscalationLevel::Major => "major",
                    }
                    .to_owned(),
                },
                Effect::SetField { name, value } => CaseChange::SetField { name: name.clone(), value: value.clone() },
                Effect::Redact(r) => CaseChange::Redact {
                    field: r.field.clone(),
                    spans: serde_json::to_value(&r.spans).unwrap_or_default(),
                    replacement: r.replacement.clone(),
                },
                Effect::Credit(c) => CaseChange::Credit {
                    customer: c.customer.clone(),
                    amount_cents: c.amount_cents,
                    currency: c.currency.clone(),
                    kind: name(&c.kind),
                    reason: c.reason.clone(),
                    key: c.key.clone(),
                    issued_at_ms: now_ms,
                },
                Effect::Notify(n) => CaseChange::Notify {
                    channel: name(&n.channel),
                    to: n.to.clone(),
                    subject: n.subject.clone(),
                    body: n.body.clone(),
                },
                Effect::RequestApproval(_) => {
                    CaseChange::Note { effect: serde_json::to_value(effect).unwrap_or_default() }
                }
            };
            (format!("{run_id}/{step}/{i}"), change)
        })
        .collect()
}
