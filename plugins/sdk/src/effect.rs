//! Builders for the effects a decision asks the host to apply.
//!
//! Plugins decide, the host acts: each effect is checked against the deployment's grants
//! (`effect.<kind>`, for example `effect.assign`) and applied exactly once through the host's
//! outbox after the step succeeds. A builder returns the contract's record, so its fields stay
//! readable, and every record converts into [`Effect`] for [`crate::Decision::effect`]:
//!
//! ```
//! use weft_plugin::prelude::*;
//!
//! fn compensate(customer: &Customer, incident: &str) -> Decision {
//!     Decision::proceed()
//!         .effect(effect::assign("billing-cn").reason("language zh"))
//!         .effect(effect::escalate(EscalationLevel::Major).notify("oncall:incident"))
//!         .effect(effect::credit(&customer.id, 500, "CNY").voucher().key(incident))
//! }
//! ```

use serde::Serialize;

use crate::{
    ApprovalRequest, Assignment, Credit, CreditKind, Effect, Escalation, EscalationLevel, Field, Notification,
    NotifyChannel, Redaction, Span, TagChange,
};

/// Put the ticket in `queue` (capability `effect.assign`); add `.agent(id)` to name an agent.
pub fn assign(queue: impl Into<String>) -> Assignment {
    Assignment { queue: queue.into(), agent: None, reason: String::new() }
}

impl Assignment {
    /// Assign to this agent within the queue.
    pub fn agent(mut self, agent: impl Into<String>) -> Self {
        self.agent = Some(agent.into());
        self
    }

    /// Why, shown to the agent and in the run view.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = reason.into();
        self
    }
}

/// Escalate the ticket (capability `effect.escalate`).
pub fn escalate(level: EscalationLevel) -> Escalation {
    Escalation { level, reasons: Vec::new(), notify: Vec::new(), summary: String::new() }
}

impl Escalation {
    /// Adds a reason; reasons keep their order.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reasons.push(reason.into());
        self
    }

    /// Adds someone to notify, such as `team:billing` or `oncall:incident`.
    pub fn notify(mut self, target: impl Into<String>) -> Self {
        self.notify.push(target.into());
        self
    }

    /// The hand-over summary for the human taking over, so the customer never repeats themselves.
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.summary = summary.into();
        self
    }
}

/// Send a message on `channel` to `to` (capability `effect.notify`).
pub fn notify(channel: NotifyChannel, to: impl Into<String>) -> Notification {
    Notification { channel, to: to.into(), subject: String::new(), body: String::new() }
}

impl Notification {
    /// The subject line (ignored by channels without one, such as SMS).
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }

    /// The message text.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }
}

/// Credit `amount_cents` of `currency` (ISO 4217, such as `CNY`) to `customer`
/// (capability `effect.credit`). An account credit unless `.voucher()` is called.
///
/// Set `.key(..)` to something that identifies the cause (an incident id, an order id): the host
/// never issues two credits with the same key, also across runs.
pub fn credit(customer: impl Into<String>, amount_cents: i64, currency: impl Into<String>) -> Credit {
    Credit {
        customer: customer.into(),
        amount_cents,
        currency: currency.into(),
        kind: CreditKind::AccountCredit,
        reason: String::new(),
        key: String::new(),
    }
}

impl Credit {
    /// Issue a voucher instead of an account credit.
    pub fn voucher(mut self) -> Self {
        self.kind = CreditKind::Voucher;
        self
    }

    /// Why, shown to the customer-service team and in the audit log.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = reason.into();
        self
    }

    /// The idempotency key: one credit per key, ever.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }
}

/// Replace byte ranges of a ticket text field — `subject`, `body` or `conversation.<n>` —
/// (capability `effect.redact`). The replacement defaults to `***`.
pub fn redact(field: impl Into<String>) -> Redaction {
    Redaction { field: field.into(), spans: Vec::new(), replacement: "***".to_owned() }
}

impl Redaction {
    /// Adds the UTF-8 byte range `[start, end)`, as `str::find` and `char_indices` count.
    pub fn span(mut self, start: u32, end: u32) -> Self {
        self.spans.push(Span { start, end });
        self
    }

    /// The text each span is replaced with.
    pub fn replacement(mut self, replacement: impl Into<String>) -> Self {
        self.replacement = replacement.into();
        self
    }
}

/// Change the ticket's tags (capability `effect.tag`); chain `.add(..)` and `.remove(..)`.
pub fn tag() -> TagChange {
    TagChange { add: Vec::new(), remove: Vec::new() }
}

impl TagChange {
    /// Adds a tag to the ticket.
    // `tag().add("vip")` reads as the change it describes; this is not arithmetic.
    #[allow(clippy::should_implement_trait)]
    pub fn add(mut self, tag: impl Into<String>) -> Self {
        self.add.push(tag.into());
        self
    }

    /// Removes a tag from the ticket.
    pub fn remove(mut self, tag: impl Into<String>) -> Self {
        self.remove.push(tag.into());
        self
    }
}

/// How long an approval waits by default before it times out: one hour.
pub const DEFAULT_APPROVAL_TIMEOUT_MS: u64 = 60 * 60 * 1000;

/// Ask members of `role` to approve before the run continues (capability
/// `effect.request-approval`). One approval by default, timing out after
/// [`DEFAULT_APPROVAL_TIMEOUT_MS`].
pub fn request_approval(role: impl Into<String>) -> ApprovalRequest {
    ApprovalRequest {
        roles: vec![role.into()],
        quorum: 1,
        reason: String::new(),
        timeout_ms: DEFAULT_APPROVAL_TIMEOUT_MS,
    }
}

impl ApprovalRequest {
    /// Lets members of another role approve too.
    pub fn role(mut self, role: impl Into<String>) -> Self {
        self.roles.push(role.into());
        self
    }

    /// How many distinct approvals are needed.
    pub fn quorum(mut self, quorum: u32) -> Self {
        self.quorum = quorum;
        self
    }

    /// What the approvers are asked, in their words.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = reason.into();
        self
    }

    /// How long to wait for the quorum, in milliseconds.
    pub fn timeout_ms(mut self, timeout_ms: u64) -> Self {
        self.timeout_ms = timeout_ms;
        self
    }
}

/// Set an extension field on the ticket to any `Serialize` value (capability `effect.set-field`).
///
/// # Panics
///
/// If `value` cannot be represented as JSON, like [`crate::Decision::output`].
pub fn set_field(name: impl Into<String>, value: &(impl Serialize + ?Sized)) -> Effect {
    let name = name.into();
    match serde_json::to_string(value) {
        Ok(value) => Effect::SetField(Field { name, value }),
        Err(error) => panic!("field `{name}` cannot be serialized to JSON: {error}"),
    }
}

impl From<Assignment> for Effect {
    fn from(value: Assignment) -> Self {
        Effect::Assign(value)
    }
}

impl From<Escalation> for Effect {
    fn from(value: Escalation) -> Self {
        Effect::Escalate(value)
    }
}

impl From<Notification> for Effect {
    fn from(value: Notification) -> Self {
        Effect::Notify(value)
    }
}

impl From<Credit> for Effect {
    fn from(value: Credit) -> Self {
        Effect::Credit(value)
    }
}

impl From<Redaction> for Effect {
    fn from(value: Redaction) -> Self {
        Effect::Redact(value)
    }
}

impl From<TagChange> for Effect {
    fn from(value: TagChange) -> Self {
        Effect::Tag(value)
    }
}

impl From<ApprovalRequest> for Effect {
    fn from(value: ApprovalRequest) -> Self {
        Effect::RequestApproval(value)
    }
}

impl Effect {
    /// The capability the deployment needs for the host to apply this effect
    /// (`effect.assign`, `effect.request-approval`, ...).
    pub fn capability(&self) -> &'static str {
        match self {
            Effect::Assign(_) => "effect.assign",
            Effect::Escalate(_) => "effect.escalate",
            Effect::Notify(_) => "effect.notify",
            Effect::Credit(_) => "effect.credit",
            Effect::Redact(_) => "effect.redact",
            Effect::Tag(_) => "effect.tag",
            Effect::RequestApproval(_) => "effect.request-approval",
            Effect::SetField(_) => "effect.set-field",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_fill_the_contract_records() {
        let credit = credit("C-1", 500, "CNY").voucher().reason("outage").key("INC-7");
        assert_eq!(credit.kind, CreditKind::Voucher);
        assert_eq!((credit.amount_cents, credit.key.as_str()), (500, "INC-7"));

        let approval = request_approval("supervisor").role("legal").quorum(2).timeout_ms(5);
        assert_eq!(approval.roles, ["supervisor", "legal"]);
        assert_eq!((approval.quorum, approval.timeout_ms), (2, 5));

        let redaction = redact("body").span(0, 4).span(10, 12);
        assert_eq!(redaction.spans.len(), 2);
        assert_eq!(redaction.replacement, "***");

        let escalation =
            escalate(EscalationLevel::Major).reason("outage").notify("oncall:incident").summary("payments down");
        assert_eq!(escalation.notify, ["oncall:incident"]);

        let tags = tag().add("vip").remove("new");
        assert_eq!((tags.add.len(), tags.remove.len()), (1, 1));
    }

    #[test]
    fn set_field_encodes_the_value_as_json() {
        let Effect::SetField(field) = set_field("order", &crate::json!({"id": 7})) else {
            panic!("set_field must build a set-field effect");
        };
        assert_eq!(field.value, r#"{"id":7}"#);
    }

    // The capability names are the ones operators grant; they must match the manifest vocabulary.
    #[test]
    fn every_effect_names_its_capability() {
        assert_eq!(Effect::from(assign("q")).capability(), "effect.assign");
        assert_eq!(Effect::from(request_approval("r")).capability(), "effect.request-approval");
        assert_eq!(set_field("x", &1).capability(), "effect.set-field");
    }
}
