//! The routing rules, as a specification. Each test runs `decide` through the SDK's test host
//! with a directory stubbed as the host would return it for the queue and channel.

use weft_plugin::prelude::*;
use weft_plugin::testing::{TestHost, TicketBuilder, assert_fixtures, input, ticket};
use weft_plugin::{JsonValue, json};

use super::decide;

const NOW: i64 = 1_700_000_000_000;

fn agent(id: &str) -> Agent {
    Agent {
        id: id.into(),
        name: id.into(),
        team: "billing".into(),
        senior: false,
        skills: vec![Skill { name: "billing".into(), level: 6 }],
        languages: vec!["en".into(), "zh-CN".into()],
        presence: Presence::Online,
        load: vec![ChannelLoad { channel: Channel::Chat, capacity: 3, active: 1 }],
        idle_since: Some(NOW - 60_000),
    }
}

fn queue(id: &str) -> Queue {
    Queue { id: id.into(), name: id.into(), skills: vec![], languages: vec![] }
}

fn config() -> JsonValue {
    json!({
        "routes": {
            "billing": {"queue": "billing", "required": {"billing": 5}, "optional": {"refunds": 4}},
            "complaint": {"queue": "care", "overflow_queue": "care-overflow"}
        },
        "relax_optional_after_ms": 60000
    })
}

fn host(agents: Vec<Agent>) -> TestHost {
    TestHost::new()
        .now(NOW)
        .config(config())
        .grants(["agents.read", "effect.assign", "effect.tag"])
        .agents(Directory { agents, queues: vec![queue("billing"), queue("care"), queue("general")] })
}

/// A billing chat ticket that has waited `waited_ms`, with triage's sentiment.
fn billing(waited_ms: i64, sentiment: f64) -> StepInput {
    let ticket: TicketBuilder = ticket("T-1").channel(Channel::Chat).language("en").created_at(NOW - waited_ms);
    input(ticket.build())
        .prior("triage", Decision::proceed().output("intent", "billing").output("sentiment", &sentiment))
        .build()
}

fn route(host: &TestHost, input: StepInput) -> Decision {
    host.run(decide, input).decision().clone()
}

fn out(decision: &Decision, name: &str) -> JsonValue {
    decision.get_output(name).unwrap_or_else(|| panic!("output {name} missing"))
}

fn with_refunds(mut agent: Agent) -> Agent {
    agent.skills.push(Skill { name: "refunds".into(), level: 5 });
    agent
}

#[test]
fn fixtures() {
    assert_fixtures(env!("CARGO_MANIFEST_DIR"), decide);
}

// Ties on skills break by the least load on the ticket's channel, as a share of capacity.
#[test]
fn least_loaded_agent_wins() {
    let mut busy = with_refunds(agent("a-busy"));
    busy.load = vec![ChannelLoad { channel: Channel::Chat, capacity: 4, active: 3 }];
    let mut light = with_refunds(agent("b-light"));
    light.load = vec![ChannelLoad { channel: Channel::Chat, capacity: 4, active: 1 }];
    let decision = route(&host(vec![busy, light]), billing(0, 0.0));
    assert_eq!(out(&decision, "agent"), json!("b-light"));
    assert_eq!(out(&decision, "candidates"), json!(2));
}

// Equal load: the agent idle longest goes first (round-robin fairness).
#[test]
fn equal_load_goes_to_the_longest_idle() {
    let mut recent = with_refunds(agent("a-recent"));
    recent.idle_since = Some(NOW - 1_000);
    let mut idle = with_refunds(agent("b-idle"));
    idle.idle_since = Some(NOW - 600_000);
    assert_eq!(out(&route(&host(vec![recent, idle]), billing(0, 0.0)), "agent"), json!("b-idle"));
}

// Only online agents with room on the ticket's channel take new work.
#[test]
fn presence_and_capacity_filter_agents() {
    let mut away = with_refunds(agent("a-away"));
    away.presence = Presence::Away;
    let mut full = with_refunds(agent("b-full"));
    full.load = vec![ChannelLoad { channel: Channel::Chat, capacity: 2, active: 2 }];
    let mut email_only = with_refunds(agent("c-email"));
    email_only.load = vec![ChannelLoad { channel: Channel::Email, capacity: 9, active: 0 }];
    let ok = with_refunds(agent("d-ok"));
    let decision = route(&host(vec![away.clone(), full.clone(), email_only.clone(), ok]), billing(0, 0.0));
    assert_eq!(out(&decision, "agent"), json!("d-ok"));

    let decision = route(&host(vec![away, full, email_only]), billing(0, 0.0));
    assert_eq!(out(&decision, "queue"), json!("overflow"));
    let reason = out(&decision, "overflow_reason");
    assert_eq!(reason, json!("no agent of billing fits: 1 at capacity on chat, 1 not online, 1 not serving chat"));
}

// Required skills hold at their level; a directory level above 10 counts as 10.
#[test]
fn required_skill_levels_are_minimums() {
    let mut junior = with_refunds(agent("a-junior"));
    junior.skills[0].level = 4;
    let decision = route(&host(vec![junior]), billing(120_000, 0.0));
    assert_eq!(out(&decision, "overflow"), json!(true));
    assert!(out(&decision, "overflow_reason").as_str().unwrap_or_default().contains("1 below billing 5"));
}

// Before the wait, optional skills are required: the ticket waits in its queue for such an
// agent if only others fit; after the wait, the best of the rest takes it.
#[test]
fn optional_skills_relax_after_the_wait() {
    let plain = agent("a-plain");
    let early = route(&host(vec![plain.clone()]), billing(10_000, 0.0));
    assert_eq!(out(&early, "queue"), json!("billing"));
    assert_eq!(out(&early, "agent"), JsonValue::Null);
    assert_eq!(out(&early, "overflow"), json!(false));
    assert!(early.reasons.iter().any(|r| r.contains("waiting in billing for an agent with refunds ≥ 4")));

    let late = route(&host(vec![plain.clone()]), billing(60_000, 0.0));
    assert_eq!(out(&late, "agent"), json!("a-plain"));
    assert_eq!(out(&late, "optional_relaxed"), json!(true));

    // After relaxing, an agent with the optional skill still goes first.
    let mut skilled = with_refunds(agent("z-skilled"));
    skilled.load = vec![ChannelLoad { channel: Channel::Chat, capacity: 3, active: 2 }];
    assert_eq!(out(&route(&host(vec![plain, skilled]), billing(60_000, 0.0)), "agent"), json!("z-skilled"));
}

// A strongly negative mood needs a senior agent, even a busier one.
#[test]
fn upset_customers_go_to_senior_agents() {
    let junior = with_refunds(agent("a-junior"));
    let mut senior = with_refunds(agent("b-senior"));
    senior.senior = true;
    senior.load = vec![ChannelLoad { channel: Channel::Chat, capacity: 3, active: 2 }];
    let calm = route(&host(vec![junior.clone(), senior.clone()]), billing(0, -0.2));
    assert_eq!(out(&calm, "agent"), json!("a-junior"));
    let upset = route(&host(vec![junior.clone(), senior]), billing(0, -0.5));
    assert_eq!(out(&upset, "agent"), json!("b-senior"));
    assert_eq!(out(&upset, "senior_required"), json!(true));
    let nobody = route(&host(vec![junior]), billing(0, -0.9));
    assert!(out(&nobody, "overflow_reason").as_str().unwrap_or_default().contains("1 not senior"));
}

// The language is the ticket's, else the customer's; matched by primary subtag.
#[test]
fn agents_must_speak_the_language() {
    let mut english = with_refunds(agent("a-en"));
    english.languages = vec!["en-GB".into()];
    let mut chinese = with_refunds(agent("b-zh"));
    chinese.languages = vec!["zh".into()];
    chinese.load = vec![ChannelLoad { channel: Channel::Chat, capacity: 3, active: 2 }];
    let mut step = billing(0, 0.0);
    step.ticket.language = "zh-TW".into();
    assert_eq!(out(&route(&host(vec![english.clone(), chinese.clone()]), step.clone()), "agent"), json!("b-zh"));
    step.ticket.language = String::new();
    step.ticket.customer.language = Some("en".into());
    assert_eq!(out(&route(&host(vec![english, chinese]), step), "agent"), json!("a-en"));
}

// VIP and premium (and, when configured, high lifetime value) go ahead: a priority tag.
#[test]
fn high_value_customers_are_tagged_for_priority() {
    let agents = vec![with_refunds(agent("a"))];
    let mut step = billing(0, 0.0);
    step.ticket.customer.tier = Tier::Vip;
    let decision = route(&host(agents.clone()), step.clone());
    assert_eq!(out(&decision, "priority"), json!("high"));
    assert_eq!(decision.effects[1], Effect::from(effect::tag().add("priority:high")));

    step.ticket.customer.tier = Tier::Standard;
    step.ticket.customer.lifetime_value_cents = 2_000_000;
    assert_eq!(out(&route(&host(agents.clone()), step.clone()), "priority"), json!("normal"));
    let mut config = config();
    config["high_value_lifetime_cents"] = json!(1_000_000);
    let host = host(agents).config(config);
    assert_eq!(out(&route(&host, step), "priority"), json!("high"));
}

// Overflow goes to the route's own overflow queue when it names one, with the reason.
#[test]
fn nobody_fits_goes_to_the_named_overflow_queue() {
    let step = input(ticket("T-2").channel(Channel::Chat).tag("intent:complaint").build()).build();
    let decision = route(&host(vec![]), step);
    assert_eq!(out(&decision, "queue"), json!("care-overflow"));
    assert_eq!(
        decision.effects[0],
        Effect::from(effect::assign("care-overflow").reason("queue care has no agents on chat"))
    );
}

// A route to a queue the directory does not know is an overflow naming the fix, not a failure.
#[test]
fn an_unknown_queue_overflows_with_the_fix() {
    let mut config = config();
    config["routes"]["billing"]["queue"] = json!("billing-typo");
    let decision = route(&host(vec![agent("a")]).config(config), billing(0, 0.0));
    let reason = out(&decision, "overflow_reason");
    assert!(reason.as_str().unwrap_or_default().contains("queue billing-typo is not in the agent directory"));
}

// Bad config is the operator's to fix: invalid-config naming the key.
#[test]
fn bad_config_is_invalid_config() {
    for (config, needle) in [
        (json!({"routes": {"billing": {"queue": "b", "required": {"billing": 11}}}}), "skill levels run from 0 to 10"),
        (json!({"overflow_queue": ""}), "may not be empty"),
        (json!({"senior_at_or_below_sentiment": -3}), "between -1 and 1"),
        (json!({"overflow_queu": "x"}), "unknown field `overflow_queu`"),
    ] {
        let run = host(vec![]).config(config).run(decide, billing(0, 0.0));
        assert_eq!(run.error().kind, StepErrorKind::InvalidConfig);
        assert!(run.error().message.contains(needle), "{}", run.error().message);
    }
}

// Without `agents.read` the step fails with the host's denial; an unavailable directory is a
// retryable dependency failure.
#[test]
fn directory_denied_or_unavailable() {
    let denied = TestHost::new().config(config()).grants(["effect.assign"]).run(decide, billing(0, 0.0));
    assert_eq!(denied.error().kind, StepErrorKind::CapabilityDenied);
    let down = host(vec![]).unavailable("agents.read", "directory restarting").run(decide, billing(0, 0.0));
    assert_eq!(down.error().kind, StepErrorKind::DependencyFailed);
    assert!(down.error().retryable);
}

// The queue's own skills add to the route's, at the higher level.
#[test]
fn queue_skills_merge_with_route_skills() {
    let mut host = host(vec![with_refunds(agent("a"))]);
    host = host.agents(Directory {
        agents: vec![with_refunds(agent("a"))],
        queues: vec![Queue {
            id: "billing".into(),
            name: "Billing".into(),
            skills: vec![Skill { name: "billing".into(), level: 7 }],
            languages: vec!["en".into()],
        }],
    });
    let decision = route(&host, billing(0, 0.0));
    assert!(out(&decision, "overflow_reason").as_str().unwrap_or_default().contains("below billing 7"));
}
