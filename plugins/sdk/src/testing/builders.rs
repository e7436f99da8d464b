//! Builders for step inputs in unit tests: `ticket("T-1").language("zh-CN").build()`.

use serde::Serialize;

use super::json_model::{DEFAULT_RUN_ID, DEFAULT_STEP, default_ticket};
use crate::{
    AuthorKind, Channel, Consent, Decision, Field, Message, PriorStep, Priority, SlaStatus, StepInput, Ticket, Tier,
};

/// Starts a ticket with the JSON model's defaults: an email ticket of normal priority, empty
/// text and unknown language, from standard-tier customer `C-1` who consented to service only.
pub fn ticket(id: impl Into<String>) -> TicketBuilder {
    TicketBuilder(default_ticket(id.into()))
}

/// A [`Ticket`] under construction; see [`ticket`].
#[derive(Clone, Debug)]
pub struct TicketBuilder(Ticket);

impl TicketBuilder {
    /// The subject line.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.0.subject = subject.into();
        self
    }

    /// The ticket text.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.0.body = body.into();
        self
    }

    /// The BCP 47 language tag of the ticket text, such as `zh-CN`.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.0.language = language.into();
        self
    }

    /// The channel the ticket arrived on.
    pub fn channel(mut self, channel: Channel) -> Self {
        self.0.channel = channel;
        self
    }

    /// The ticket's priority.
    pub fn priority(mut self, priority: Priority) -> Self {
        self.0.priority = priority;
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.0.tags.push(tag.into());
        self
    }

    /// When the ticket was created, in milliseconds since the epoch.
    pub fn created_at(mut self, at: i64) -> Self {
        self.0.created_at = at;
        self
    }

    /// Links the ticket to an incident.
    pub fn incident(mut self, incident: impl Into<String>) -> Self {
        self.0.incident = Some(incident.into());
        self
    }

    /// Appends a conversation turn (oldest first).
    pub fn message(mut self, author: AuthorKind, body: impl Into<String>, at: i64) -> Self {
        self.0.conversation.push(Message { author, body: body.into(), at });
        self
    }

    /// Sets an extension field of the ticket to any `Serialize` value.
    ///
    /// # Panics
    ///
    /// If the value cannot be represented as JSON (this is for tests).
    pub fn field(mut self, name: impl Into<String>, value: &(impl Serialize + ?Sized)) -> Self {
        set_field(&mut self.0.fields, name.into(), value);
        self
    }

    /// The customer's id.
    pub fn customer_id(mut self, id: impl Into<String>) -> Self {
        self.0.customer.id = id.into();
        self
    }

    /// The customer's (masked, unless `pii.raw` is granted) name.
    pub fn customer_name(mut self, name: impl Into<String>) -> Self {
        self.0.customer.name = name.into();
        self
    }

    /// The customer's (masked, unless `pii.raw` is granted) email address.
    pub fn customer_email(mut self, email: impl Into<String>) -> Self {
        self.0.customer.email = Some(email.into());
        self
    }

    /// The customer's commercial tier.
    pub fn tier(mut self, tier: Tier) -> Self {
        self.0.customer.tier = tier;
        self
    }

    /// The language the customer prefers.
    pub fn customer_language(mut self, language: impl Into<String>) -> Self {
        self.0.customer.language = Some(language.into());
        self
    }

    /// What the customer consented to.
    pub fn consent(mut self, consent: Consent) -> Self {
        self.0.customer.consent = consent;
        self
    }

    /// The customer's lifetime value, in cents.
    pub fn lifetime_value_cents(mut self, cents: i64) -> Self {
        self.0.customer.lifetime_value_cents = cents;
        self
    }

    /// Sets an extension field of the customer to any `Serialize` value.
    ///
    /// # Panics
    ///
    /// If the value cannot be represented as JSON (this is for tests).
    pub fn customer_field(mut self, name: impl Into<String>, value: &(impl Serialize + ?Sized)) -> Self {
        set_field(&mut self.0.customer.fields, name.into(), value);
        self
    }

    /// The finished ticket.
    pub fn build(self) -> Ticket {
        self.0
    }
}

fn set_field(fields: &mut Vec<Field>, name: String, value: &(impl Serialize + ?Sized)) {
    let value = match serde_json::to_string(value) {
        Ok(value) => value,
        Err(error) => panic!("test field `{name}` cannot be serialized to JSON: {error}"),
    };
    fields.retain(|field| field.name != name);
    fields.push(Field { name, value });
}

impl From<TicketBuilder> for Ticket {
    fn from(value: TicketBuilder) -> Self {
        value.build()
    }
}

/// Starts a step input around `ticket`: run `run-1`, step `route`, first attempt, no earlier
/// steps, no SLA.
pub fn input(ticket: impl Into<Ticket>) -> InputBuilder {
    InputBuilder(StepInput {
        run_id: DEFAULT_RUN_ID.to_owned(),
        step: DEFAULT_STEP.to_owned(),
        attempt: 1,
        ticket: ticket.into(),
        prior: Vec::new(),
        sla: None,
    })
}

/// A [`StepInput`] under construction; see [`input`].
#[derive(Clone, Debug)]
pub struct InputBuilder(StepInput);

impl InputBuilder {
    /// Adds the decision of an earlier step `step` (run by a plugin of the same name).
    pub fn prior(self, step: impl Into<String>, decision: Decision) -> Self {
        let step = step.into();
        self.prior_from(step.clone(), step, decision)
    }

    /// Adds the decision of an earlier step `step` run by plugin `plugin`.
    pub fn prior_from(mut self, step: impl Into<String>, plugin: impl Into<String>, decision: Decision) -> Self {
        self.0.prior.push(PriorStep { step: step.into(), plugin: plugin.into(), decision });
        self
    }

    /// The run id.
    pub fn run_id(mut self, run_id: impl Into<String>) -> Self {
        self.0.run_id = run_id.into();
        self
    }

    /// The name of the step being run.
    pub fn step(mut self, step: impl Into<String>) -> Self {
        self.0.step = step.into();
        self
    }

    /// The attempt number (1 for the first, incremented on each retry).
    pub fn attempt(mut self, attempt: u32) -> Self {
        self.0.attempt = attempt;
        self
    }

    /// The run's SLA clock.
    pub fn sla(mut self, due: i64, warned: bool, breached: bool) -> Self {
        self.0.sla = Some(SlaStatus { due, warned, breached });
        self
    }

    /// The finished input.
    pub fn build(self) -> StepInput {
        self.0
    }
}

impl From<InputBuilder> for StepInput {
    fn from(value: InputBuilder) -> Self {
        value.build()
    }
}

impl From<Ticket> for StepInput {
    fn from(value: Ticket) -> Self {
        input(value).build()
    }
}

impl From<TicketBuilder> for StepInput {
    fn from(value: TicketBuilder) -> Self {
        input(value).build()
    }
}
