//! Conversions between the JSON model (`crate::model`) and the WIT bindings.
//!
//! Into the sandbox everything is infallible. Out of it, JSON-valued fields are parsed, because a
//! plugin can return any string there; a bad one is reported as `invalid-output`.

use crate::bindings::{wit_decider as d, wit_effects as e, wit_host as h, wit_types as t};
use crate::model::{self as m, Fields};

fn fields_in(fields: &Fields) -> Vec<t::Field> {
    fields.iter().map(|(name, value)| t::Field { name: name.clone(), value: value.to_string() }).collect()
}

/// Parses fields returned by a plugin; `what` names the place for the error message.
pub(crate) fn fields_out(fields: Vec<t::Field>, what: &str) -> Result<Fields, String> {
    let mut out = Fields::new();
    for f in fields {
        let value = serde_json::from_str(&f.value)
            .map_err(|err| format!("{what} `{}` is not valid JSON ({err}); encode values with serde_json", f.name))?;
        if out.insert(f.name.clone(), value).is_some() {
            return Err(format!("{what} `{}` appears twice", f.name));
        }
    }
    Ok(out)
}

macro_rules! same_enum {
    ($from:ty => $to:ty { $($v:ident),* $(,)? }) => {
        impl From<$from> for $to {
            fn from(v: $from) -> Self {
                match v { $(<$from>::$v => <$to>::$v),* }
            }
        }
    };
}

same_enum!(m::Channel => t::Channel { Email, Chat, Phone, Web, Social, Api });
same_enum!(t::Channel => m::Channel { Email, Chat, Phone, Web, Social, Api });
same_enum!(m::Priority => t::Priority { Low, Normal, High, Urgent });
same_enum!(m::Tier => t::Tier { Free, Standard, Premium, Vip });
same_enum!(m::AuthorKind => t::AuthorKind { Customer, Agent, Bot, System });
same_enum!(m::Presence => t::Presence { Online, Busy, Away, Offline });
same_enum!(m::Outcome => d::Outcome { Proceed, Complete, Block });
same_enum!(d::Outcome => m::Outcome { Proceed, Complete, Block });
same_enum!(m::EscalationLevel => e::EscalationLevel { General, Important, Major });
same_enum!(e::EscalationLevel => m::EscalationLevel { General, Important, Major });
same_enum!(m::NotifyChannel => e::NotifyChannel { Email, Sms, Chat, Webhook, Internal });
same_enum!(e::NotifyChannel => m::NotifyChannel { Email, Sms, Chat, Webhook, Internal });
same_enum!(m::CreditKind => e::CreditKind { AccountCredit, Voucher });
same_enum!(e::CreditKind => m::CreditKind { AccountCredit, Voucher });
same_enum!(d::StepErrorKind => m::StepErrorKind {
    InvalidInput, InvalidConfig, CapabilityDenied, DependencyFailed, Internal
});

pub(crate) fn step_input(i: &m::StepInput) -> d::StepInput {
    d::StepInput {
        run_id: i.run_id.clone(),
        step: i.step.clone(),
        attempt: i.attempt,
        ticket: ticket(&i.ticket),
        prior: i
            .prior
            .iter()
            .map(|p| d::PriorStep {
                step: p.step.clone(),
                plugin: p.plugin.clone(),
                decision: decision_in(&p.decision),
            })
            .collect(),
        sla: i.sla.map(|s| t::SlaStatus { due: s.due, warned: s.warned, breached: s.breached }),
    }
}

fn ticket(tk: &m::Ticket) -> t::Ticket {
    let c = &tk.customer;
    t::Ticket {
        id: tk.id.clone(),
        channel: tk.channel.into(),
        subject: tk.subject.clone(),
        body: tk.body.clone(),
        language: tk.language.clone(),
        priority: tk.priority.into(),
        tags: tk.tags.clone(),
        customer: t::Customer {
            id: c.id.clone(),
            name: c.name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            tier: c.tier.into(),
            language: c.language.clone(),
            consent: t::Consent {
                service: c.consent.service,
                marketing: c.consent.marketing,
                analytics: c.consent.analytics,
            },
            lifetime_value_cents: c.lifetime_value_cents,
            fields: fields_in(&c.fields),
        },
        created_at: tk.created_at,
        conversation: tk
            .conversation
            .iter()
            .map(|msg| t::Message { author: msg.author.into(), body: msg.body.clone(), at: msg.at })
            .collect(),
        incident: tk.incident.clone(),
        fields: fields_in(&tk.fields),
    }
}

fn decision_in(dec: &m::Decision) -> d::Decision {
    d::Decision {
        outcome: dec.outcome.into(),
        reasons: dec.reasons.clone(),
        outputs: fields_in(&dec.outputs),
        effects: dec.effects.iter().map(effect_in).collect(),
    }
}

fn effect_in(ef: &m::Effect) -> e::Effect {
    match ef {
        m::Effect::Assign(a) => e::Effect::Assign(e::Assignment {
            queue: a.queue.clone(),
            agent: a.agent.clone(),
            reason: a.reason.clone(),
        }),
        m::Effect::Escalate(x) => e::Effect::Escalate(e::Escalation {
            level: x.level.into(),
            reasons: x.reasons.clone(),
            notify: x.notify.clone(),
            summary: x.summary.clone(),
        }),
        m::Effect::Notify(n) => e::Effect::Notify(e::Notification {
            channel: n.channel.into(),
            to: n.to.clone(),
            subject: n.subject.clone(),
            body: n.body.clone(),
        }),
        m::Effect::Credit(c) => e::Effect::Credit(e::Credit {
            customer: c.customer.clone(),
            amount_cents: c.amount_cents,
            currency: c.currency.clone(),
            kind: c.kind.into(),
            reason: c.reason.clone(),
            key: c.key.clone(),
        }),
        m::Effect::Redact(r) => e::Effect::Redact(e::Redaction {
            field: r.field.clone(),
            spans: r.spans.iter().map(|s| e::Span { start: s.start, end: s.end }).collect(),
            replacement: r.replacement.clone(),
        }),
        m::Effect::Tag(tg) => e::Effect::Tag(e::TagChange { add: tg.add.clone(), remove: tg.remove.clone() }),
        m::Effect::RequestApproval(a) => e::Effect::RequestApproval(e::ApprovalRequest {
            roles: a.roles.clone(),
            quorum: a.quorum,
            reason: a.reason.clone(),
            timeout_ms: a.timeout_ms,
        }),
        m::Effect::SetField { name, value } => {
            e::Effect::SetField(t::Field { name: name.clone(), value: value.to_string() })
        }
    }
}

pub(crate) fn decision_out(dec: d::Decision) -> Result<m::Decision, String> {
    let mut effects = Vec::with_capacity(dec.effects.len());
    for (index, ef) in dec.effects.into_iter().enumerate() {
        effects.push(effect_out(ef).map_err(|err| format!("effect #{index}: {err}"))?);
    }
    Ok(m::Decision {
        outcome: dec.outcome.into(),
        reasons: dec.reasons,
        outputs: fields_out(dec.outputs, "output")?,
        effects,
    })
}

fn effect_out(ef: e::Effect) -> Result<m::Effect, String> {
    Ok(match ef {
        e::Effect::Assign(a) => m::Effect::Assign(m::Assignment { queue: a.queue, agent: a.agent, reason: a.reason }),
        e::Effect::Escalate(x) => m::Effect::Escalate(m::Escalation {
            level: x.level.into(),
            reasons: x.reasons,
            notify: x.notify,
            summary: x.summary,
        }),
        e::Effect::Notify(n) => {
            m::Effect::Notify(m::Notification { channel: n.channel.into(), to: n.to, subject: n.subject, body: n.body })
        }
        e::Effect::Credit(c) => m::Effect::Credit(m::Credit {
            customer: c.customer,
            amount_cents: c.amount_cents,
            currency: c.currency,
            kind: c.kind.into(),
            reason: c.reason,
            key: c.key,
        }),
        e::Effect::Redact(r) => m::Effect::Redact(m::Redaction {
            field: r.field,
            spans: r.spans.into_iter().map(|s| m::Span { start: s.start, end: s.end }).collect(),
            replacement: r.replacement,
        }),
        e::Effect::Tag(tg) => m::Effect::Tag(m::TagChange { add: tg.add, remove: tg.remove }),
        e::Effect::RequestApproval(a) => m::Effect::RequestApproval(m::ApprovalRequest {
            roles: a.roles,
            quorum: a.quorum,
            reason: a.reason,
            timeout_ms: a.timeout_ms,
        }),
        e::Effect::SetField(f) => {
            let value = serde_json::from_str(&f.value)
                .map_err(|err| format!("set-field `{}` value is not valid JSON ({err})", f.name))?;
            m::Effect::SetField { name: f.name, value }
        }
    })
}

pub(crate) fn step_error_out(err: d::StepError) -> m::StepError {
    m::StepError { kind: err.kind.into(), message: err.message, retryable: err.retryable }
}

pub(crate) fn kb_query_out(q: h::KbQuery) -> m::KbQuery {
    m::KbQuery { text: q.text, space: q.space, tags: q.tags, limit: q.limit }
}

pub(crate) fn kb_hit_in(hit: m::KbHit) -> h::KbHit {
    h::KbHit { article: hit.article, version: hit.version, title: hit.title, snippet: hit.snippet, score: hit.score }
}

pub(crate) fn agent_query_out(q: h::AgentQuery) -> m::AgentQuery {
    m::AgentQuery {
        queue: q.queue,
        language: q.language,
        channel: q.channel.map(Into::into),
        required_skills: q.required_skills.into_iter().map(|s| m::Skill { name: s.name, level: s.level }).collect(),
        include_offline: q.include_offline,
    }
}

fn skill_in(s: m::Skill) -> t::Skill {
    t::Skill { name: s.name, level: s.level }
}

pub(crate) fn directory_in(dir: m::Directory) -> h::Directory {
    h::Directory {
        agents: dir
            .agents
            .into_iter()
            .map(|a| t::Agent {
                id: a.id,
                name: a.name,
                team: a.team,
                senior: a.senior,
                skills: a.skills.into_iter().map(skill_in).collect(),
                languages: a.languages,
                presence: a.presence.into(),
                load: a
                    .load
                    .into_iter()
                    .map(|l| t::ChannelLoad { channel: l.channel.into(), capacity: l.capacity, active: l.active })
                    .collect(),
                idle_since: a.idle_since,
            })
            .collect(),
        queues: dir
            .queues
            .into_iter()
            .map(|q| t::Queue {
                id: q.id,
                name: q.name,
                skills: q.skills.into_iter().map(skill_in).collect(),
                languages: q.languages,
            })
            .collect(),
    }
}

pub(crate) fn credit_record_in(c: m::CreditRecord) -> h::CreditRecord {
    h::CreditRecord {
        key: c.key,
        amount_cents: c.amount_cents,
        currency: c.currency,
        issued_at: c.issued_at,
        reason: c.reason,
    }
}
