//! The agent directory: agents and queues on a real SQLite file, and the filtered read routing
//! makes. Each test states the rule it proves.

#[path = "support/fixtures.rs"]
mod fixtures;

use fixtures::{TempStore, open_temp};
use weft_store::{AgentSpec, ChannelLoad, DirectoryFilter, QueueSpec, SkillLevel, StoreError};

fn skill(name: &str, level: u8) -> SkillLevel {
    SkillLevel { name: name.into(), level }
}

fn queue(name: &str) -> QueueSpec {
    QueueSpec {
        name: name.into(),
        skills: vec![skill("billing", 3)],
        languages: vec!["en".into()],
        overflow_queue: None,
    }
}

fn agent(queues: &[&str]) -> AgentSpec {
    AgentSpec {
        name: "Ana".into(),
        team: "billing".into(),
        senior: false,
        skills: vec![skill("billing", 7)],
        languages: vec!["en".into(), "zh-CN".into()],
        queues: queues.iter().map(|q| (*q).to_owned()).collect(),
        presence: "online".into(),
        load: vec![ChannelLoad { channel: "chat".into(), capacity: 3, active: 0 }],
    }
}

async fn with_queues() -> TempStore {
    let t = open_temp().await;
    t.store.put_queue("overflow", queue("Overflow"), "ops", None).await.expect("overflow queue");
    let mut billing = queue("Billing");
    billing.overflow_queue = Some("overflow".into());
    t.store.put_queue("billing", billing, "ops", None).await.expect("billing queue");
    t
}

// An agent reads back as written; replacing it keeps the last-assignment time.
#[tokio::test]
async fn agents_read_back_and_replacing_keeps_the_round_robin_time() {
    let t = with_queues().await;
    let (created, _) = t.store.put_agent("ana", agent(&["billing"]), "ops", None).await.expect("create");
    assert_eq!(created.skills, [skill("billing", 7)]);
    assert_eq!(created.last_assigned_at, None);
    assert_eq!(t.store.get_agent("ana").await.expect("get"), Some(created));

    let assigned = t.store.record_assignment("ana", "chat").await.expect("assign");
    assert_eq!(assigned.load[0].active, 1);
    assert!(assigned.last_assigned_at.is_some());
    let mut edited = agent(&["billing"]);
    edited.skills.push(skill("refunds", 4));
    let (replaced, _) = t.store.put_agent("ana", edited, "ops", None).await.expect("replace");
    assert_eq!(replaced.last_assigned_at, assigned.last_assigned_at);
    assert_eq!(t.store.release_assignment("ana", "chat").await.expect("release").load[0].active, 0);
    // Never below zero.
    assert_eq!(t.store.release_assignment("ana", "chat").await.expect("release").load[0].active, 0);
}

// Every bad input names the field and the rule, and nothing is written.
#[tokio::test]
async fn bad_agents_are_refused_with_the_rule() {
    let t = with_queues().await;
    let mut cases: Vec<(&str, AgentSpec, &str)> = Vec::new();
    let mut a = agent(&["billing"]);
    a.skills = vec![skill("billing", 11)];
    cases.push(("ana", a, "levels run from 0 (none) to 10 (expert)"));
    let mut a = agent(&["billing"]);
    a.presence = "lunch".into();
    cases.push(("ana", a, "presence \"lunch\" is not one of online, busy, away, offline"));
    let mut a = agent(&["billing"]);
    a.load.push(ChannelLoad { channel: "chat".into(), capacity: 1, active: 0 });
    cases.push(("ana", a, "lists channel chat twice"));
    let mut a = agent(&["billing"]);
    a.load = vec![ChannelLoad { channel: "fax".into(), capacity: 1, active: 0 }];
    cases.push(("ana", a, "channel \"fax\" is not one of"));
    let mut a = agent(&["billing"]);
    a.languages = vec!["中文".into()];
    cases.push(("ana", a, "is not a BCP 47 tag"));
    cases.push(("Ana Smith", agent(&["billing"]), "agent id \"Ana Smith\" is not valid"));
    for (id, spec, needle) in cases {
        let err = t.store.put_agent(id, spec, "ops", None).await.expect_err("refused");
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");
        assert!(err.to_string().contains(needle), "{err}");
    }
    let err = t.store.put_agent("ana", agent(&["nope"]), "ops", None).await.expect_err("unknown queue");
    assert!(err.to_string().contains("lists queue nope, which does not exist"), "{err}");
    assert!(t.store.list_agents().await.expect("list").is_empty());
}

// A queue in use cannot vanish from under routing.
#[tokio::test]
async fn queues_in_use_cannot_be_deleted() {
    let t = with_queues().await;
    t.store.put_agent("ana", agent(&["billing"]), "ops", None).await.expect("agent");
    let err = t.store.delete_queue("billing").await.expect_err("in use");
    assert!(err.to_string().contains("queue billing is served by ana"), "{err}");
    let err = t.store.delete_queue("overflow").await.expect_err("an overflow");
    assert!(err.to_string().contains("queue overflow is the overflow of billing"), "{err}");
    let mut self_loop = queue("Loop");
    self_loop.overflow_queue = Some("loop".into());
    let err = t.store.put_queue("loop", self_loop, "ops", None).await.expect_err("self overflow");
    assert!(err.to_string().contains("cannot overflow into itself"), "{err}");

    t.store.delete_agent("ana").await.expect("delete agent");
    t.store.delete_queue("billing").await.expect("now free");
    assert_eq!(t.store.list_queues().await.expect("list").len(), 1);
    assert!(matches!(t.store.delete_agent("ana").await, Err(StoreError::NotFound(_))));
}

// The directory read filters by queue, language (primary subtag), channel, skills and presence,
// and always returns every queue.
#[tokio::test]
async fn the_directory_filters_like_the_query_says() {
    let t = with_queues().await;
    t.store.put_agent("ana", agent(&["billing"]), "ops", None).await.expect("ana");
    let mut bo = agent(&[]);
    bo.languages = vec!["en-GB".into()];
    bo.load = vec![ChannelLoad { channel: "email".into(), capacity: 5, active: 0 }];
    t.store.put_agent("bo", bo, "ops", None).await.expect("bo");
    let mut cy = agent(&["billing"]);
    cy.presence = "offline".into();
    t.store.put_agent("cy", cy, "ops", None).await.expect("cy");

    let ids = |snapshot: weft_store::DirectorySnapshot| snapshot.agents.into_iter().map(|a| a.id).collect::<Vec<_>>();
    let all = t.store.directory(&DirectoryFilter::default()).await.expect("read");
    assert_eq!(all.queues.len(), 2);
    assert_eq!(ids(all), ["ana", "bo"]);
    let with_offline = DirectoryFilter { include_offline: true, ..Default::default() };
    assert_eq!(ids(t.store.directory(&with_offline).await.expect("read")), ["ana", "bo", "cy"]);
    let billing = DirectoryFilter { queue: Some("billing".into()), ..Default::default() };
    assert_eq!(ids(t.store.directory(&billing).await.expect("read")), ["ana"]);
    let chinese = DirectoryFilter { language: Some("zh-TW".into()), ..Default::default() };
    assert_eq!(ids(t.store.directory(&chinese).await.expect("read")), ["ana"]);
    let email = DirectoryFilter { channel: Some("email".into()), ..Default::default() };
    assert_eq!(ids(t.store.directory(&email).await.expect("read")), ["bo"]);
    let expert = DirectoryFilter { required_skills: vec![skill("billing", 8)], ..Default::default() };
    assert!(ids(t.store.directory(&expert).await.expect("read")).is_empty());

    t.store.set_agent_presence("bo", "away").await.expect("presence");
    assert_eq!(t.store.get_agent("bo").await.expect("get").map(|a| a.presence), Some("away".into()));
    let err = t.store.record_assignment("bo", "chat").await.expect_err("not served");
    assert!(err.to_string().contains("does not serve chat"), "{err}");
}
