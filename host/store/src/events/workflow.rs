//! Which workflow changes integrators hear about, and what the event says. Called inside the
//! transactions that make the change, so an event is queued exactly when its change commits.

use serde_json::{Value, json};

use crate::entity::{workflow_outbox, workflow_run};
use crate::workflow::{CaseChange, RunStatus};

/// `run.completed` for a run that succeeded, `run.failed` for one that ended any other way except
/// cancellation (an operator's own action, not news to them).
pub(crate) fn run_event(
    status: RunStatus,
    run: &workflow_run::Model,
    error: Option<&Value>,
) -> Option<(&'static str, Value)> {
    let kind = match status {
        RunStatus::Succeeded => "run.completed",
        RunStatus::Failed | RunStatus::Compensated | RunStatus::CompensationFailed => "run.failed",
        _ => return None,
    };
    Some((
        kind,
        json!({
            "run_id": run.id,
            "workflow": run.workflow,
            "version": run.version,
            "ticket_id": run.ticket_id,
            "status": status.as_str(),
            "error": error,
            "url": format!("/v1/runs/{}", run.id),
        }),
    ))
}

/// `ticket.escalated`, `compensation.issued` and `approval.requested`, from the effect applied.
pub(crate) fn effect_event(entry: &workflow_outbox::Model, change: &CaseChange) -> Option<(&'static str, Value)> {
    let base = json!({ "run_id": entry.run_id, "ticket_id": entry.ticket_id, "effect_key": entry.key });
    let with = |extra: Value| {
        let mut data = base.clone();
        if let (Some(data), Some(extra)) = (data.as_object_mut(), extra.as_object()) {
            data.extend(extra.clone());
        }
        data
    };
    match change {
        CaseChange::Escalate { level } => Some(("ticket.escalated", with(json!({ "level": level })))),
        CaseChange::Credit { customer, amount_cents, currency, kind, reason, key, .. } => Some((
            "compensation.issued",
            with(json!({
                "customer": customer, "amount_cents": amount_cents, "currency": currency,
                "kind": kind, "reason": reason, "idempotency_key": key,
            })),
        )),
        CaseChange::Note { effect } if effect["type"] == "request_approval" => {
            Some(("approval.requested", with(json!({ "request": effect }))))
        }
        _ => None,
    }
}
