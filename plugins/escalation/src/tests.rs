//! The escalation rules, as a specification, through the SDK's test host.

use weft_plugin::prelude::*;
use weft_plugin::testing::{InputBuilder, TestHost, assert_fixtures, input, ticket};
use weft_plugin::{JsonValue, json};

use super::decide;
use crate::summary::utc;

fn host() -> TestHost {
    TestHost::new().grant("effect.escalate")
}

/// A ticket after triage (confidence, negative share, intent) and routing.
fn after(confidence: f64, negative_share: f64, intent: &str) -> InputBuilder {
    input(
        ticket("T-1")
            .channel(Channel::Chat)
            .language("en")
            .customer_name("Ada")
            .message(AuthorKind::Customer, "My invoice is wrong.", 1_700_000_000_000)
            .message(AuthorKind::Bot, "Here is how to read your invoice.", 1_700_000_060_000)
            .message(AuthorKind::Customer, "That did not help at all.", 1_700_000_120_000)
            .build(),
    )
    .prior(
        "triage",
        Decision::proceed()
            .output("confidence", &confidence)
            .output("negative_share", &negative_share)
            .output("intent", intent),
    )
    .prior("routing", Decision::proceed().output("queue", "billing").output("agent", "ana"))
}

fn run(host: &TestHost, input: InputBuilder) -> Decision {
    host.run(decide, input.build()).decision().clone()
}

fn out(decision: &Decision, name: &str) -> JsonValue {
    decision.get_output(name).unwrap_or_else(|| panic!("output {name} missing"))
}

fn escalation(decision: &Decision) -> &Escalation {
    match decision.effects.first() {
        Some(Effect::Escalate(escalation)) => escalation,
        other => panic!("expected an escalate effect, got {other:?}"),
    }
}

#[test]
fn fixtures() {
    assert_fixtures(env!("CARGO_MANIFEST_DIR"), decide);
}

// A confident bot, a calm customer and no timers: nobody is bothered.
#[test]
fn no_signal_no_escalation() {
    let decision = run(&host(), after(0.9, 0.0, "billing"));
    assert!(decision.effects.is_empty());
    assert_eq!(out(&decision, "escalate"), json!(false));
    assert_eq!(out(&decision, "level"), JsonValue::Null);
}

// Below 0.85 (the default) a human takes over, in team.
#[test]
fn low_confidence_hands_over_in_team() {
    let decision = run(&host(), after(0.84, 0.0, "billing"));
    let escalation = escalation(&decision);
    assert_eq!(escalation.level, EscalationLevel::General);
    assert_eq!(escalation.notify, ["team:billing"]);
    assert_eq!(escalation.reasons, ["bot confidence 0.84 is below 0.85: hand over to a human"]);
    // Exactly at the threshold is confident enough.
    assert!(run(&host(), after(0.85, 0.0, "billing")).effects.is_empty());
}

#[test]
fn negative_emotion_above_the_threshold_escalates() {
    assert!(run(&host(), after(0.9, 0.3, "billing")).effects.is_empty());
    let decision = run(&host(), after(0.9, 0.31, "billing"));
    assert_eq!(out(&decision, "signals"), json!(["negative_emotion"]));
}

// The SLA timer: a warning stays in team, a breach goes cross-team.
#[test]
fn sla_warning_and_breach() {
    let warned = run(&host(), after(0.9, 0.0, "billing").sla(1_700_003_600_000, true, false));
    assert_eq!(escalation(&warned).level, EscalationLevel::General);
    assert_eq!(escalation(&warned).reasons, ["SLA warning (due 2023-11-14 23:13:20Z)"]);
    let breached = run(&host(), after(0.9, 0.0, "billing").sla(1_700_003_600_000, true, true));
    assert_eq!(escalation(&breached).level, EscalationLevel::Important);
    assert_eq!(escalation(&breached).notify, ["team:billing", "supervisor:on-duty"]);
}

// A complaint from a VIP is important; from a standard customer it is not a signal by itself.
#[test]
fn vip_complaint_is_important() {
    let mut step = after(0.9, 0.0, "complaint").build();
    assert!(host().run(decide, step.clone()).decision().effects.is_empty());
    step.ticket.customer.tier = Tier::Vip;
    let decision = host().run(decide, step).decision().clone();
    assert_eq!(escalation(&decision).level, EscalationLevel::Important);
    assert_eq!(out(&decision, "signals"), json!(["vip_complaint"]));
}

// An incident link or flag is major, whatever else; the highest level wins and every reason stays.
#[test]
fn incidents_are_major_and_the_highest_level_wins() {
    let mut step = after(0.2, 0.8, "billing").sla(1_700_003_600_000, true, true).build();
    step.ticket.incident = Some("INC-42".into());
    let decision = host().run(decide, step).decision().clone();
    let major = escalation(&decision);
    assert_eq!(major.level, EscalationLevel::Major);
    assert_eq!(major.notify, ["oncall:incident", "supervisor:on-duty", "team:billing"]);
    assert_eq!(major.reasons.len(), 4);
    assert_eq!(major.reasons[3], "linked to incident INC-42");

    let mut flagged = after(0.9, 0.0, "billing").build();
    flagged.ticket.tags = vec!["outage".into()];
    let decision = host().run(decide, flagged).decision().clone();
    assert_eq!(escalation(&decision).reasons, ["incident flag: outage"]);
}

// The summary carries who, why, what was found and the whole conversation in order, so the
// customer never repeats themselves.
#[test]
fn the_summary_carries_the_whole_conversation() {
    let decision = run(&host(), after(0.4, 0.0, "billing"));
    let summary = &escalation(&decision).summary;
    assert_eq!(
        summary.as_str(),
        "Ticket T-1 (chat, en, priority normal) from Ada (C-1, standard tier)\n\
         Escalated general: bot confidence 0.4 is below 0.85: hand over to a human\n\
         Found so far: intent billing, confidence 0.4, negative-emotion share 0\n\
         Routed to billing, agent ana\n\
         Conversation (3 turns, oldest first):\n\
         [customer, 2023-11-14 22:13:20Z] My invoice is wrong.\n\
         [bot, 2023-11-14 22:14:20Z] Here is how to read your invoice.\n\
         [customer, 2023-11-14 22:15:20Z] That did not help at all."
    );
}

// A long thread keeps its newest turns within the cap and says how many were left out.
#[test]
fn a_long_thread_keeps_the_newest_turns() {
    let mut step = after(0.4, 0.0, "billing").build();
    step.ticket.conversation = (0..2000)
        .map(|n| Message {
            author: AuthorKind::Customer,
            body: format!("message number {n} {}", "x".repeat(50)),
            at: n,
        })
        .collect();
    let decision = host().run(decide, step).decision().clone();
    let summary = &escalation(&decision).summary;
    assert!(summary.len() <= 32 * 1024);
    assert!(summary.contains("message number 1999 "));
    assert!(!summary.contains("message number 0 "));
    assert!(summary.contains("earlier turn(s) left out to fit the summary"));
}

// Configured levels and targets replace the defaults; {queue} is the routed queue.
#[test]
fn levels_and_targets_are_configurable() {
    let host = host().config(json!({
        "levels": {"low_confidence": "important"},
        "notify": {"important": ["supervisor:{queue}", "webhook:pager"]}
    }));
    let decision = run(&host, after(0.1, 0.0, "billing"));
    assert_eq!(escalation(&decision).level, EscalationLevel::Important);
    assert_eq!(escalation(&decision).notify, ["supervisor:billing", "webhook:pager"]);
}

#[test]
fn missing_confidence_is_not_confidence() {
    let decision = host().run(decide, input(ticket("T-2").build()).build()).decision().clone();
    assert_eq!(escalation(&decision).reasons, ["no bot confidence from triage.confidence: hand over to a human"]);
    assert_eq!(escalation(&decision).notify, ["team:unrouted"]);
}

#[test]
fn bad_config_is_invalid_config() {
    for (config, needle) in [
        (json!({"confidence_threshold": 1.5}), "between 0 and 1"),
        (json!({"confidence_source": "confidence"}), "<step>.<output>"),
        (json!({"levels": {"angry": "major"}}), "unknown signal `angry`"),
        (json!({"levels": {"incident": "critical"}}), "use general, important or major"),
        (json!({"notify": {"major": [" "]}}), "blank target"),
        (json!({"summary_max_bytes": 10}), "at least 1024"),
    ] {
        let run = host().config(config).run(decide, after(0.1, 0.0, "billing").build());
        assert_eq!(run.error().kind, StepErrorKind::InvalidConfig);
        assert!(run.error().message.contains(needle), "{}", run.error().message);
    }
}

#[test]
fn escalating_needs_the_grant() {
    let run = TestHost::new().run(decide, after(0.1, 0.0, "billing").build());
    assert_eq!(run.error().kind, StepErrorKind::CapabilityDenied);
}

#[test]
fn utc_formats_the_epoch_and_leap_days() {
    assert_eq!(utc(0), "1970-01-01 00:00:00Z");
    assert_eq!(utc(951_782_400_000), "2000-02-29 00:00:00Z");
    assert_eq!(utc(-1000), "1969-12-31 23:59:59Z");
}
