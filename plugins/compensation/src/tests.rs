//! The compensation rules, as a specification, through the SDK's test host.

use weft_plugin::prelude::*;
use weft_plugin::testing::{TestHost, assert_fixtures, input, ticket};
use weft_plugin::{JsonValue, json};

use super::decide;

const NOW: i64 = 1_700_000_000_000;
const DAY: i64 = 24 * 60 * 60 * 1000;

fn config() -> JsonValue {
    json!({
        "currency": "CNY",
        "policies": [
            {"name": "late-any", "incident_type": "*", "impact": "delay", "min_minutes": 30, "amount_cents": 500, "kind": "voucher"},
            {"name": "late-1h", "incident_type": "delivery_delay", "impact": "delay", "min_minutes": 60, "amount_cents": 1000, "kind": "voucher"},
            {"name": "late-4h", "incident_type": "delivery_delay", "impact": "delay", "min_minutes": 240, "amount_cents": 3000, "kind": "voucher"},
            {"name": "late-4h-vip", "incident_type": "delivery_delay", "tiers": ["vip"], "impact": "delay", "min_minutes": 240, "amount_cents": 30000},
            {"name": "outage", "incident_type": "service_outage", "impact": "outage", "min_minutes": 15, "amount_cents": 80000},
            {"name": "defect", "incident_type": "product_defect", "impact": "defect", "amount_cents": 2000}
        ],
        "incident_cap_cents": 50000,
        "approval_above_cents": 20000
    })
}

fn host() -> TestHost {
    TestHost::new().now(NOW).config(config()).grants(["credits.read", "effect.credit", "effect.request-approval"])
}

fn record(key: &str, cents: i64, days_ago: i64) -> CreditRecord {
    CreditRecord {
        key: key.into(),
        amount_cents: cents,
        currency: "CNY".into(),
        issued_at: NOW - days_ago * DAY,
        reason: String::new(),
    }
}

fn incident(tier: Tier, kind: &str, impact: &str, minutes: i64) -> StepInput {
    let mut step = input(
        ticket("T-1")
            .incident("INC-7")
            .field("incident_type", kind)
            .field("impact", impact)
            .field("impact_minutes", &minutes)
            .build(),
    )
    .build();
    step.ticket.customer.tier = tier;
    step
}

fn run(host: &TestHost, step: StepInput) -> Decision {
    host.run(decide, step).decision().clone()
}

fn out(decision: &Decision, name: &str) -> JsonValue {
    decision.get_output(name).unwrap_or_else(|| panic!("output {name} missing"))
}

fn credit(decision: &Decision) -> &Credit {
    decision
        .effects
        .iter()
        .find_map(|effect| if let Effect::Credit(credit) = effect { Some(credit) } else { None })
        .unwrap_or_else(|| panic!("no credit in {decision:?}"))
}

#[test]
fn fixtures() {
    assert_fixtures(env!("CARGO_MANIFEST_DIR"), decide);
}

// The most specific row wins: exact type over `*`, the highest band reached, a tier row over
// an all-tiers row.
#[test]
fn the_most_specific_policy_row_wins() {
    let cents = |tier, kind, minutes| out(&run(&host(), incident(tier, kind, "delay", minutes)), "amount_cents");
    assert_eq!(cents(Tier::Standard, "delivery_delay", 20), json!(0));
    assert_eq!(cents(Tier::Standard, "delivery_delay", 45), json!(500));
    assert_eq!(cents(Tier::Standard, "delivery_delay", 60), json!(1000));
    assert_eq!(cents(Tier::Standard, "delivery_delay", 300), json!(3000));
    assert_eq!(cents(Tier::Vip, "delivery_delay", 300), json!(30000));
    assert_eq!(cents(Tier::Standard, "parcel_lost", 45), json!(500));
}

// One credit per incident and customer, ever: the key names both, and history with the key
// means already paid.
#[test]
fn credits_are_idempotent_per_incident_and_customer() {
    let decision = run(&host(), incident(Tier::Standard, "delivery_delay", "delay", 90));
    let credit = credit(&decision);
    assert_eq!(credit.key, "compensation:INC-7:C-1");
    assert_eq!(credit.kind, CreditKind::Voucher);
    assert_eq!(credit.reason, "delivery_delay (delay 90 min), standard tier: policy late-1h → 10.00 CNY voucher");

    let again = host().credit("C-1", record("compensation:INC-7:C-1", 1000, 1));
    let decision = run(&again, incident(Tier::Standard, "delivery_delay", "delay", 90));
    assert!(decision.effects.is_empty());
    assert_eq!(decision.reasons, ["already compensated for INC-7: 10.00 CNY issued under key compensation:INC-7:C-1"]);
}

// The per-customer cap covers the period; older credits and other currencies do not count.
#[test]
fn the_customer_cap_holds_across_runs() {
    let host = host()
        .credit("C-1", record("compensation:INC-1:C-1", 9500, 3))
        .credit("C-1", record("compensation:INC-0:C-1", 9000, 31))
        .credit("C-1", CreditRecord { currency: "EUR".into(), ..record("eur", 5000, 2) });
    let decision = run(&host, incident(Tier::Standard, "delivery_delay", "delay", 90));
    assert_eq!(credit(&decision).amount_cents, 500);
    assert_eq!(out(&decision, "capped_by"), json!("customer_cap"));
    assert_eq!(out(&decision, "customer_cap_remaining_cents"), json!(0));

    let full = host.credit("C-1", record("compensation:INC-2:C-1", 500, 1));
    let decision = run(&full, incident(Tier::Standard, "delivery_delay", "delay", 90));
    assert!(decision.effects.is_empty());
    assert_eq!(
        decision.reasons,
        ["delivery_delay (delay 90 min), standard tier: policy late-1h grants 10.00 CNY, but 100.00 CNY of the \
          30-day cap of 100.00 CNY is used"]
    );
}

// A policy above the per-incident cap pays the cap; above the approval threshold, a
// request for approval comes first.
#[test]
fn incident_cap_and_approval() {
    let decision = run(&host(), incident(Tier::Vip, "service_outage", "outage", 120));
    assert_eq!(out(&decision, "capped_by"), json!("incident_cap"));
    assert_eq!(out(&decision, "approval_required"), json!(true));
    match &decision.effects[0] {
        Effect::RequestApproval(request) => {
            assert_eq!(request.roles, ["supervisor"]);
            assert!(request.reason.starts_with("approve 500.00 CNY for C-1"));
        }
        other => panic!("expected the approval first, got {other:?}"),
    }
    assert_eq!(credit(&decision).amount_cents, 50_000);

    let small = run(&host(), incident(Tier::Vip, "delivery_delay", "delay", 60));
    assert_eq!(small.effects.len(), 1);
    assert_eq!(out(&small, "approval_required"), json!(false));
}

// The issuing step declares the reversal; a reverse-mode step issues exactly that.
#[test]
fn the_reversal_is_declared_and_issued() {
    let issued = run(&host(), incident(Tier::Standard, "product_defect", "defect", 0));
    let reversal = out(&issued, "reversal");
    assert_eq!(
        reversal,
        json!({"type": "credit", "customer": "C-1", "amount_cents": -2000, "currency": "CNY", "kind": "account_credit",
               "reason": "reversal of compensation:INC-7:C-1", "key": "compensation:INC-7:C-1:reversal"})
    );
    let step = input(ticket("T-1").build()).prior("compensation", issued).build();
    let reverse = host().config(json!({"mode": "reverse"})).run(decide, step).decision().clone();
    let credit = credit(&reverse);
    assert_eq!(credit.amount_cents, -2000);
    assert_eq!(credit.key, "compensation:INC-7:C-1:reversal");

    let none = input(ticket("T-1").build()).prior("compensation", Decision::proceed()).build();
    let decision = host().config(json!({"mode": "reverse"})).run(decide, none).decision().clone();
    assert!(decision.effects.is_empty());
}

// A malformed impact is the integrator's to fix: invalid input naming the field.
#[test]
fn malformed_impact_is_invalid_input() {
    for (kind, impact, minutes, needle) in [
        (json!("delivery_delay"), json!("late"), json!(10), "impact must be \"delay\", \"outage\" or \"defect\""),
        (json!("delivery_delay"), json!("delay"), json!(-5), "impact_minutes must be a whole number"),
        (json!("delivery_delay"), json!("delay"), json!("ninety"), "impact_minutes must be a whole number"),
        (json!("delivery_delay"), json!("delay"), json!(1e12), "impact_minutes must be a whole number"),
        (json!(""), json!("delay"), json!(10), "incident_type must be a non-empty string"),
    ] {
        let step = input(
            ticket("T-1")
                .field("incident_type", &kind)
                .field("impact", &impact)
                .field("impact_minutes", &minutes)
                .build(),
        )
        .build();
        let run = host().run(decide, step);
        assert_eq!(run.error().kind, StepErrorKind::InvalidInput);
        assert!(run.error().message.contains(needle), "{}", run.error().message);
    }
}

#[test]
fn no_incident_no_credit() {
    let decision = run(&host(), input(ticket("T-1").build()).build());
    assert!(decision.effects.is_empty());
    assert_eq!(out(&decision, "compensate"), json!(false));
}

#[test]
fn bad_config_is_invalid_config() {
    for (patch, needle) in [
        (json!({"currency": "yuan"}), "ISO 4217"),
        (json!({"customer_cap_cents": {"vip": 1}}), "`free` is missing"),
        (
            json!({"policies": [{"name": "d", "incident_type": "x", "impact": "defect", "min_minutes": 5, "amount_cents": 1}]}),
            "no duration",
        ),
        (
            json!({"policies": [{"name": "d", "incident_type": "x", "impact": "delay", "amount_cents": 1, "tiers": ["gold"]}]}),
            "unknown tier `gold`",
        ),
        (json!({"approval_roles": [" "]}), "at least one role"),
    ] {
        let run = host().config(patch).run(decide, incident(Tier::Standard, "delivery_delay", "delay", 90));
        assert_eq!(run.error().kind, StepErrorKind::InvalidConfig);
        assert!(run.error().message.contains(needle), "{}", run.error().message);
    }
}

// Without credits.read the caps cannot hold, so the step fails rather than pay blind; an
// unavailable history is retryable.
#[test]
fn history_denied_or_unavailable() {
    let denied = TestHost::new().config(config()).grants(["effect.credit"]);
    let run = denied.run(decide, incident(Tier::Standard, "delivery_delay", "delay", 90));
    assert_eq!(run.error().kind, StepErrorKind::CapabilityDenied);
    let down = host().unavailable("credits.read", "ledger restarting");
    let run = down.run(decide, incident(Tier::Standard, "delivery_delay", "delay", 90));
    assert!(run.error().retryable);
}
