//! Compensation: a credit or voucher from a policy table, within caps, idempotent, reversible.
//!
//! Reads the incident from the ticket's fields (`incident_type`, `impact`, `impact_minutes`),
//! picks the most specific policy row for incident type × tier × impact, and clamps the amount to
//! the per-incident cap and to what is left of the customer's cap for the period (from the credit
//! history, capability `credits.read`, so caps hold across runs). Above the approval threshold,
//! a `request_approval` precedes the credit. The credit's idempotency key names the incident and
//! the customer, so a retry or a second ticket about the same incident never pays twice. The
//! `reversal` output declares the credit that undoes it; a step with `mode = "reverse"` (the
//! workflow's compensation step) issues it. See README.md.

mod config;
mod policy;
mod reverse;

use weft_plugin::prelude::*;

use crate::config::{Config, Impact, Kind, Mode};
use crate::policy::{Incident, best};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn decide(input: StepInput) -> Result<Decision, StepError> {
    let config: Config = host::config()?;
    config.validate()?;
    if config.mode == Mode::Reverse {
        return reverse::decide(&input, &config);
    }
    let ticket = &input.ticket;
    let customer = &ticket.customer;
    let Some(incident) = incident(ticket)? else {
        return Ok(nothing("no incident_type on the ticket: nothing to compensate"));
    };
    let tier = customer.tier.as_str();
    let Some(policy) = best(&config.policies, &incident, tier) else {
        return Ok(nothing(&format!(
            "no policy for {} × {tier} × {}{}",
            incident.kind,
            incident.impact.as_str(),
            minutes_text(&incident)
        )));
    };
    let cause = ticket.incident.clone().unwrap_or_else(|| format!("ticket-{}", ticket.id));
    let key = format!("compensation:{cause}:{}", customer.id);

    let since = host::now().saturating_sub(config.period_days.saturating_mul(DAY_MS));
    let history = host::credit_history(&customer.id, since)?;
    if let Some(earlier) = history.iter().find(|record| record.key == key) {
        return Ok(nothing(&format!(
            "already compensated for {cause}: {} issued under key {key}",
            money(earlier.amount_cents, &earlier.currency)
        ))
        .output("key", &key));
    }
    // Only credits in this config's currency count toward its cap; amounts in other currencies
    // are not comparable without rates the plugin does not have (README).
    let used: i64 = history.iter().filter(|r| r.currency == config.currency).map(|r| r.amount_cents).sum();
    let cap = config.customer_cap_cents.get(tier).copied().unwrap_or(0);
    let remaining = cap.saturating_sub(used).max(0);

    let mut amount = policy.amount_cents;
    let mut capped_by = None;
    if amount > config.incident_cap_cents {
        amount = config.incident_cap_cents;
        capped_by = Some("incident_cap");
    }
    if amount > remaining {
        amount = remaining;
        capped_by = Some("customer_cap");
    }
    let why = format!(
        "{} ({}{}), {tier} tier: policy {}",
        incident.kind,
        incident.impact.as_str(),
        minutes_text(&incident),
        policy.name
    );
    if amount == 0 {
        return Ok(nothing(&format!(
            "{why} grants {}, but {} of the {}-day cap of {} is used",
            money(policy.amount_cents, &config.currency),
            money(used, &config.currency),
            config.period_days,
            money(cap, &config.currency)
        ))
        .output("capped_by", &capped_by)
        .output("key", &key));
    }

    let kind_name = if policy.kind == Kind::Voucher { "voucher" } else { "account credit" };
    let reason = format!("{why} → {} {kind_name}", money(amount, &config.currency));
    let mut credit = effect::credit(&customer.id, amount, &config.currency).key(&key).reason(&reason);
    if policy.kind == Kind::Voucher {
        credit = credit.voucher();
    }
    let approval = amount > config.approval_above_cents;
    let reversal = reverse::reversal_of(&credit);
    let mut decision = Decision::proceed().reason(&reason);
    if let Some(limit) = capped_by {
        decision = decision.reason(format!(
            "capped by {limit}: policy {} → {}",
            money(policy.amount_cents, &config.currency),
            money(amount, &config.currency)
        ));
    }
    if approval {
        let mut request = effect::request_approval(config.approval_roles[0].clone())
            .reason(format!(
                "approve {} for {} ({reason}); above the {} threshold",
                money(amount, &config.currency),
                customer.id,
                money(config.approval_above_cents, &config.currency)
            ))
            .timeout_ms(config.approval_timeout_ms);
        for role in config.approval_roles.iter().skip(1) {
            request = request.role(role.clone());
        }
        decision = decision.reason("needs approval first").effect(request);
    }
    weft_plugin::info!("ticket {}: compensate {} ({key})", ticket.id, money(amount, &config.currency));
    Ok(decision
        .output("compensate", &true)
        .output("amount_cents", &amount)
        .output("currency", &config.currency)
        .output("kind", if policy.kind == Kind::Voucher { "voucher" } else { "account_credit" })
        .output("policy", &policy.name)
        .output("key", &key)
        .output("capped_by", &capped_by)
        .output("customer_cap_remaining_cents", &(remaining - amount))
        .output("approval_required", &approval)
        .output("reversal", &reversal)
        .effect(credit))
}

/// The incident from the ticket's fields; None when there is no `incident_type`. A present but
/// malformed impact is the integrator's to fix: invalid input naming the field.
fn incident(ticket: &Ticket) -> Result<Option<Incident>, StepError> {
    let Some(kind) = ticket.field("incident_type") else {
        return Ok(None);
    };
    let kind = kind
        .as_str()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| {
            StepError::invalid_input(format!("ticket field incident_type must be a non-empty string (it was {kind})"))
        })?
        .to_owned();
    let impact = ticket.field("impact");
    let impact = impact.as_ref().and_then(|v| v.as_str()).and_then(Impact::parse).ok_or_else(|| {
        StepError::invalid_input(format!(
            "ticket field impact must be \"delay\", \"outage\" or \"defect\" (it was {})",
            impact.as_ref().map_or("missing".into(), ToString::to_string)
        ))
    })?;
    let minutes = match (impact, ticket.field("impact_minutes")) {
        (Impact::Defect, _) => 0,
        (_, Some(value)) => value.as_i64().filter(|m| (0..=MAX_MINUTES).contains(m)).ok_or_else(|| {
            StepError::invalid_input(format!(
                "ticket field impact_minutes must be a whole number of minutes from 0 to {MAX_MINUTES} (it was {value})"
            ))
        })?,
        (_, None) => {
            return Err(StepError::invalid_input(format!(
                "a {} needs the ticket field impact_minutes",
                impact.as_str()
            )));
        }
    };
    Ok(Some(Incident { kind, impact, minutes }))
}

/// A year: longer "delays" are data errors, not incidents.
const MAX_MINUTES: i64 = 366 * 24 * 60;

fn nothing(reason: &str) -> Decision {
    Decision::proceed().reason(reason).output("compensate", &false).output("amount_cents", &0)
}

fn minutes_text(incident: &Incident) -> String {
    if incident.impact == Impact::Defect { String::new() } else { format!(" {} min", incident.minutes) }
}

/// `12.50 CNY`.
pub fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02} {currency}", cents / 100, cents % 100)
}

weft_plugin::export_step!(decide);

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
