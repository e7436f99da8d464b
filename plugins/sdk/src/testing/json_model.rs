//! The host's JSON model of step inputs and decisions (docs/conventions.md), as used by fixtures.
//!
//! snake_case names, lower snake_case enum values, `fields`/`outputs` as JSON objects, effects
//! tagged by `type`. Omitted input fields take the documented defaults (the same ones
//! [`super::ticket`] and [`super::input`] use); an omitted effect field takes the value the SDK's
//! effect builder would give it, so `{"type": "tag", "add": ["vip"]}` equals `effect::tag().add("vip")`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::effect::DEFAULT_APPROVAL_TIMEOUT_MS;
use crate::{
    ApprovalRequest, Assignment, AuthorKind, Channel, Consent, Credit, CreditKind, Customer, Decision, Effect,
    Escalation, EscalationLevel, Field, Message, Notification, NotifyChannel, Outcome, PriorStep, Priority, Redaction,
    SlaStatus, Span, StepInput, TagChange, Ticket, Tier,
};

/// Declares a serde mirror of a contract enum and the conversions both ways.
macro_rules! mirror_enum {
    ($json:ident <=> $wit:ident { $($variant:ident),+ $(,)? }) => {
        #[derive(Clone, Copy, Debug, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub(crate) enum $json { $($variant),+ }

        impl From<$json> for $wit {
            fn from(value: $json) -> Self {
                match value { $($json::$variant => $wit::$variant),+ }
            }
        }

        impl From<$wit> for $json {
            fn from(value: $wit) -> Self {
                match value { $($wit::$variant => $json::$variant),+ }
            }
        }
    };
}

mirror_enum!(JsonChannel <=> Channel { Email, Chat, Phone, Web, Social, Api });
mirror_enum!(JsonPriority <=> Priority { Low, Normal, High, Urgent });
mirror_enum!(JsonTier <=> Tier { Free, Standard, Premium, Vip });
mirror_enum!(JsonAuthor <=> AuthorKind { Customer, Agent, Bot, System });
mirror_enum!(JsonOutcome <=> Outcome { Proceed, Complete, Block });
mirror_enum!(JsonLevel <=> EscalationLevel { General, Important, Major });
mirror_enum!(JsonNotifyChannel <=> NotifyChannel { Email, Sms, Chat, Webhook, Internal });
mirror_enum!(JsonCreditKind <=> CreditKind { AccountCredit, Voucher });

/// The default ticket of the JSON model and of [`super::ticket`]: an email ticket of normal
/// priority from a standard-tier customer `C-1` who consented to service only.
pub(crate) fn default_ticket(id: String) -> Ticket {
    Ticket {
        id,
        channel: Channel::Email,
        subject: String::new(),
        body: String::new(),
        language: String::new(),
        priority: Priority::Normal,
        tags: Vec::new(),
        customer: Customer {
            id: "C-1".to_owned(),
            name: String::new(),
            email: None,
            phone: None,
            tier: Tier::Standard,
            language: None,
            consent: Consent { service: true, marketing: false, analytics: false },
            lifetime_value_cents: 0,
            fields: Vec::new(),
        },
        created_at: 0,
        conversation: Vec::new(),
        incident: None,
        fields: Vec::new(),
    }
}

/// The run id, step name and attempt of the JSON model's defaults.
pub(crate) const DEFAULT_RUN_ID: &str = "run-1";
pub(crate) const DEFAULT_STEP: &str = "route";

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct JsonStepInput {
    run_id: String,
    step: String,
    attempt: u32,
    ticket: JsonTicket,
    prior: Vec<JsonPriorStep>,
    sla: Option<JsonSla>,
}

impl Default for JsonStepInput {
    fn default() -> Self {
        Self {
            run_id: DEFAULT_RUN_ID.to_owned(),
            step: DEFAULT_STEP.to_owned(),
            attempt: 1,
            ticket: JsonTicket::default(),
            prior: Vec::new(),
            sla: None,
        }
    }
}

impl From<JsonStepInput> for StepInput {
    fn from(value: JsonStepInput) -> Self {
        StepInput {
            run_id: value.run_id,
            step: value.step,
            attempt: value.attempt,
            ticket: value.ticket.into(),
            prior: value.prior.into_iter().map(Into::into).collect(),
            sla: value.sla.map(|sla| SlaStatus { due: sla.due, warned: sla.warned, breached: sla.breached }),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonSla {
    due: i64,
    #[serde(default)]
    warned: bool,
    #[serde(default)]
    breached: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonPriorStep {
    step: String,
    #[serde(default)]
    plugin: String,
    decision: JsonDecision,
}

impl From<JsonPriorStep> for PriorStep {
    fn from(value: JsonPriorStep) -> Self {
        PriorStep { step: value.step, plugin: value.plugin, decision: value.decision.into() }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct JsonTicket {
    id: String,
    channel: JsonChannel,
    subject: String,
    body: String,
    language: String,
    priority: JsonPriority,
    tags: Vec<String>,
    customer: JsonCustomer,
    created_at: i64,
    conversation: Vec<JsonMessage>,
    incident: Option<String>,
    fields: Map<String, Value>,
}

impl Default for JsonTicket {
    fn default() -> Self {
        let ticket = default_ticket("T-1".to_owned());
        Self {
            id: ticket.id,
            channel: ticket.channel.into(),
            subject: ticket.subject,
            body: ticket.body,
            language: ticket.language,
            priority: ticket.priority.into(),
            tags: ticket.tags,
            customer: JsonCustomer::default(),
            created_at: ticket.created_at,
            conversation: Vec::new(),
            incident: ticket.incident,
            fields: Map::new(),
        }
    }
}

impl From<JsonTicket> for Ticket {
    fn from(value: JsonTicket) -> Self {
        Ticket {
            id: value.id,
            channel: value.channel.into(),
            subject: value.subject,
            body: value.body,
            language: value.language,
            priority: value.priority.into(),
            tags: value.tags,
            customer: value.customer.into(),
            created_at: value.created_at,
            conversation: value
                .conversation
                .into_iter()
                .map(|message| Message { author: message.author.into(), body: message.body, at: message.at })
                .collect(),
            incident: value.incident,
            fields: to_fields(value.fields),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonMessage {
    author: JsonAuthor,
    #[serde(default)]
    body: String,
    #[serde(default)]
    at: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct JsonCustomer {
    id: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    tier: JsonTier,
    language: Option<String>,
    consent: JsonConsent,
    lifetime_value_cents: i64,
    fields: Map<String, Value>,
}

impl Default for JsonCustomer {
    fn default() -> Self {
        let customer = default_ticket(String::new()).customer;
        Self {
            id: customer.id,
            name: customer.name,
            email: customer.email,
            phone: customer.phone,
            tier: customer.tier.into(),
            language: customer.language,
            consent: JsonConsent::default(),
            lifetime_value_cents: customer.lifetime_value_cents,
            fields: Map::new(),
        }
    }
}

impl From<JsonCustomer> for Customer {
    fn from(value: JsonCustomer) -> Self {
        Customer {
            id: value.id,
            name: value.name,
            email: value.email,
            phone: value.phone,
            tier: value.tier.into(),
            language: value.language,
            consent: Consent {
                service: value.consent.service,
                marketing: value.consent.marketing,
                analytics: value.consent.analytics,
            },
            lifetime_value_cents: value.lifetime_value_cents,
            fields: to_fields(value.fields),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct JsonConsent {
    service: bool,
    marketing: bool,
    analytics: bool,
}

impl Default for JsonConsent {
    fn default() -> Self {
        let consent = default_ticket(String::new()).customer.consent;
        Self { service: consent.service, marketing: consent.marketing, analytics: consent.analytics }
    }
}

/// A decision in the JSON model; serialized to show what a step returned, deserialized for the
/// `prior` steps of a fixture's input.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct JsonDecision {
    outcome: JsonOutcome,
    #[serde(default)]
    reasons: Vec<String>,
    #[serde(default)]
    outputs: Map<String, Value>,
    #[serde(default)]
    effects: Vec<JsonEffect>,
}

impl From<JsonDecision> for Decision {
    fn from(value: JsonDecision) -> Self {
        Decision {
            outcome: value.outcome.into(),
            reasons: value.reasons,
            outputs: to_fields(value.outputs),
            effects: value.effects.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<&Decision> for JsonDecision {
    fn from(value: &Decision) -> Self {
        JsonDecision {
            outcome: value.outcome.into(),
            reasons: value.reasons.clone(),
            outputs: from_fields(&value.outputs),
            effects: value.effects.iter().map(Into::into).collect(),
        }
    }
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct JsonSpan {
    start: u32,
    end: u32,
}

/// An effect in the JSON model. Omitted fields take the SDK builders' defaults.
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum JsonEffect {
    Assign {
        queue: String,
        #[serde(default)]
        agent: Option<String>,
        #[serde(default)]
        reason: String,
    },
    Escalate {
        level: JsonLevel,
        #[serde(default)]
        reasons: Vec<String>,
        #[serde(default)]
        notify: Vec<String>,
        #[serde(default)]
        summary: String,
    },
    Notify {
        channel: JsonNotifyChannel,
        to: String,
        #[serde(default)]
        subject: String,
        #[serde(default)]
        body: String,
    },
    Credit {
        customer: String,
        amount_cents: i64,
        currency: String,
        #[serde(default = "account_credit")]
        kind: JsonCreditKind,
        #[serde(default)]
        reason: String,
        #[serde(default)]
        key: String,
    },
    Redact {
        field: String,
        #[serde(default)]
        spans: Vec<JsonSpan>,
        #[serde(default = "default_replacement")]
        replacement: String,
    },
    Tag {
        #[serde(default)]
        add: Vec<String>,
        #[serde(default)]
        remove: Vec<String>,
    },
    RequestApproval {
        roles: Vec<String>,
        #[serde(default = "one")]
        quorum: u32,
        #[serde(default)]
        reason: String,
        #[serde(default = "default_timeout")]
        timeout_ms: u64,
    },
    SetField {
        name: String,
        value: Value,
    },
}

fn account_credit() -> JsonCreditKind {
    JsonCreditKind::AccountCredit
}

fn default_replacement() -> String {
    crate::effect::redact("").replacement
}

fn one() -> u32 {
    1
}

fn default_timeout() -> u64 {
    DEFAULT_APPROVAL_TIMEOUT_MS
}

impl From<JsonEffect> for Effect {
    fn from(value: JsonEffect) -> Self {
        match value {
            JsonEffect::Assign { queue, agent, reason } => Effect::Assign(Assignment { queue, agent, reason }),
            JsonEffect::Escalate { level, reasons, notify, summary } => {
                Effect::Escalate(Escalation { level: level.into(), reasons, notify, summary })
            }
            JsonEffect::Notify { channel, to, subject, body } => {
                Effect::Notify(Notification { channel: channel.into(), to, subject, body })
            }
            JsonEffect::Credit { customer, amount_cents, currency, kind, reason, key } => {
                Effect::Credit(Credit { customer, amount_cents, currency, kind: kind.into(), reason, key })
            }
            JsonEffect::Redact { field, spans, replacement } => Effect::Redact(Redaction {
                field,
                spans: spans.into_iter().map(|span| Span { start: span.start, end: span.end }).collect(),
                replacement,
            }),
            JsonEffect::Tag { add, remove } => Effect::Tag(TagChange { add, remove }),
            JsonEffect::RequestApproval { roles, quorum, reason, timeout_ms } => {
                Effect::RequestApproval(ApprovalRequest { roles, quorum, reason, timeout_ms })
            }
            JsonEffect::SetField { name, value } => Effect::SetField(Field { name, value: value.to_string() }),
        }
    }
}

impl From<&Effect> for JsonEffect {
    fn from(value: &Effect) -> Self {
        match value.clone() {
            Effect::Assign(a) => JsonEffect::Assign { queue: a.queue, agent: a.agent, reason: a.reason },
            Effect::Escalate(e) => {
                JsonEffect::Escalate { level: e.level.into(), reasons: e.reasons, notify: e.notify, summary: e.summary }
            }
            Effect::Notify(n) => {
                JsonEffect::Notify { channel: n.channel.into(), to: n.to, subject: n.subject, body: n.body }
            }
            Effect::Credit(c) => JsonEffect::Credit {
                customer: c.customer,
                amount_cents: c.amount_cents,
                currency: c.currency,
                kind: c.kind.into(),
                reason: c.reason,
                key: c.key,
            },
            Effect::Redact(r) => JsonEffect::Redact {
                field: r.field,
                spans: r.spans.iter().map(|span| JsonSpan { start: span.start, end: span.end }).collect(),
                replacement: r.replacement,
            },
            Effect::Tag(t) => JsonEffect::Tag { add: t.add, remove: t.remove },
            Effect::RequestApproval(r) => JsonEffect::RequestApproval {
                roles: r.roles,
                quorum: r.quorum,
                reason: r.reason,
                timeout_ms: r.timeout_ms,
            },
            Effect::SetField(f) => JsonEffect::SetField { value: parse_or_string(&f.value), name: f.name },
        }
    }
}

/// The contract carries extension values as JSON text.
fn to_fields(map: Map<String, Value>) -> Vec<Field> {
    map.into_iter().map(|(name, value)| Field { name, value: value.to_string() }).collect()
}

fn from_fields(fields: &[Field]) -> Map<String, Value> {
    fields.iter().map(|field| (field.name.clone(), parse_or_string(&field.value))).collect()
}

/// A value that is not JSON (a plugin bypassing the builders) is shown as the raw text rather
/// than hidden, so the mismatch is visible in a failure message.
fn parse_or_string(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// Renders a decision in the JSON model, for failure messages.
pub(crate) fn decision_json(decision: &Decision) -> Value {
    serde_json::to_value(JsonDecision::from(decision)).unwrap_or(Value::Null)
}

/// Renders effects in the JSON model, for failure messages.
pub(crate) fn effects_json(effects: &[Effect]) -> Value {
    let effects: Vec<JsonEffect> = effects.iter().map(Into::into).collect();
    serde_json::to_value(effects).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effect;
    use serde_json::json;

    // The documented defaults let a fixture state only what matters to it.
    #[test]
    fn an_almost_empty_input_takes_the_documented_defaults() {
        let input: JsonStepInput = serde_json::from_value(json!({"ticket": {"language": "zh-CN"}})).unwrap();
        let input = StepInput::from(input);
        assert_eq!((input.run_id.as_str(), input.step.as_str(), input.attempt), ("run-1", "route", 1));
        assert_eq!(input.ticket.id, "T-1");
        assert_eq!(input.ticket.language, "zh-CN");
        assert_eq!(input.ticket.channel, Channel::Email);
        assert_eq!(input.ticket.customer.id, "C-1");
        assert_eq!(input.ticket.customer.tier, Tier::Standard);
        assert!(input.ticket.customer.consent.service);
        assert!(!input.ticket.customer.consent.marketing);
    }

    #[test]
    fn enum_values_are_lower_snake_case_and_fields_are_objects() {
        let input: JsonStepInput = serde_json::from_value(json!({
            "ticket": {
                "channel": "chat", "priority": "urgent",
                "customer": {"tier": "vip", "fields": {"plan": {"seats": 3}}},
                "conversation": [{"author": "bot", "body": "hi", "at": 5}],
                "fields": {"order_id": "A-1"}
            },
            "sla": {"due": 10}
        }))
        .unwrap();
        let input = StepInput::from(input);
        assert_eq!(input.ticket.channel, Channel::Chat);
        assert_eq!(input.ticket.priority, Priority::Urgent);
        assert_eq!(input.ticket.customer.tier, Tier::Vip);
        assert_eq!(input.ticket.customer.field("plan"), Some(json!({"seats": 3})));
        assert_eq!(input.ticket.field("order_id"), Some(json!("A-1")));
        assert_eq!(input.ticket.conversation[0].author, AuthorKind::Bot);
        assert_eq!(input.sla.map(|sla| sla.due), Some(10));
    }

    // A typo in a fixture is an error, not a silently ignored key.
    #[test]
    fn unknown_keys_are_rejected() {
        let error = serde_json::from_value::<JsonStepInput>(json!({"ticket": {"langauge": "zh"}}))
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(error.contains("langauge"), "{error}");
        let error = serde_json::from_value::<JsonEffect>(json!({"type": "tag", "ad": ["x"]}));
        assert!(error.is_err());
    }

    #[test]
    fn omitted_effect_fields_take_the_builder_defaults() {
        let cases = [
            (json!({"type": "tag", "add": ["vip"]}), Effect::from(effect::tag().add("vip"))),
            (json!({"type": "assign", "queue": "q"}), effect::assign("q").into()),
            (json!({"type": "redact", "field": "body"}), effect::redact("body").into()),
            (
                json!({"type": "credit", "customer": "C-1", "amount_cents": 5, "currency": "EUR"}),
                effect::credit("C-1", 5, "EUR").into(),
            ),
            (
                json!({"type": "request_approval", "roles": ["supervisor"]}),
                effect::request_approval("supervisor").into(),
            ),
        ];
        for (json, expected) in cases {
            let parsed = Effect::from(serde_json::from_value::<JsonEffect>(json.clone()).unwrap());
            assert_eq!(parsed, expected, "{json}");
        }
    }

    // Every effect survives the trip to JSON and back, which is what fixture comparison relies on.
    #[test]
    fn effects_round_trip_through_the_json_model() {
        let effects: Vec<Effect> = vec![
            effect::assign("q").agent("a-1").reason("r").into(),
            effect::escalate(EscalationLevel::Major).reason("r").notify("team:x").summary("s").into(),
            effect::notify(NotifyChannel::Sms, "+100").subject("s").body("b").into(),
            effect::credit("C-1", 500, "CNY").voucher().reason("r").key("k").into(),
            effect::redact("body").span(0, 4).replacement("[x]").into(),
            effect::tag().add("a").remove("b").into(),
            effect::request_approval("supervisor").quorum(2).reason("r").timeout_ms(9).into(),
            effect::set_field("x", &json!({"a": [1, 2]})),
        ];
        let json = effects_json(&effects);
        let back: Vec<JsonEffect> = serde_json::from_value(json.clone()).unwrap();
        let back: Vec<Effect> = back.into_iter().map(Into::into).collect();
        assert_eq!(back, effects, "{json}");
        assert_eq!(json[4]["spans"], json!([{"start": 0, "end": 4}]));
        assert_eq!(json[6]["type"], "request_approval");
        assert_eq!(json[3]["kind"], "voucher");
    }
}
