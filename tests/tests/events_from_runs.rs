//! Workflow outcomes reach subscribers: a run that succeeds sends `run.completed`, one that fails
//! sends `run.failed`, each signed so the reference `standardwebhooks` receiver verifies it, and
//! each exactly once per subscription.

#[path = "support/workflow.rs"]
mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Env, bytes, ticket};
use weft_e2e::node::NodeService;

const WORKFLOWS: &[(&str, &str)] = &[
    ("fine", "name: fine\ntrigger: {webhook: fine}\nsteps:\n  - id: route\n    plugin: router@^0.1\n"),
    ("broken", "name: broken\ntrigger: {webhook: broken}\nsteps:\n  - id: boom\n    plugin: panics@^0.1\n"),
];

#[tokio::test]
async fn run_outcomes_are_delivered_signed_and_once() {
    let env = Env::start().await;
    let receiver = NodeService::start("receiver.mjs");
    let integrator = env.tokens["helpdesk"].clone();
    let res = env
        .http
        .post(env.server.url("/v1/event-subscriptions"))
        .bearer_auth(&integrator)
        .json(&json!({"url": receiver.url("/in"), "event_types": ["run.completed", "run.failed"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let secret = res.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
    env.http.post(receiver.url("/control")).json(&json!({"secret": secret})).send().await.unwrap();

    let mut runs = Vec::new();
    for (name, yaml) in WORKFLOWS {
        assert_eq!(env.deploy(name, yaml).await.0, 201);
        let (status, body) = env.hook(name, bytes(&ticket(&format!("T-{name}"), "en", "hello")), None).await.unwrap();
        assert!(status == 200 || status == 202, "{body}");
        runs.push(body["run_id"].as_str().unwrap().to_owned());
    }
    for run in &runs {
        env.finished(run).await;
    }

    let deadline = Instant::now() + Duration::from_secs(30);
    let events = loop {
        let received: Vec<Value> = env.http.get(receiver.url("/received")).send().await.unwrap().json().await.unwrap();
        if received.len() >= 2 || Instant::now() > deadline {
            break received;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut seen: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            assert_eq!(e["verified"], json!(true), "{e}");
            let body: Value = serde_json::from_str(e["body"].as_str().unwrap()).unwrap();
            (body["type"].as_str().unwrap().to_owned(), body["data"]["run_id"].as_str().unwrap().to_owned())
        })
        .collect();
    seen.sort();
    let mut expected = vec![("run.completed".to_owned(), runs[0].clone()), ("run.failed".to_owned(), runs[1].clone())];
    expected.sort();
    assert_eq!(seen, expected, "one event per finished run: {events:?}");
}
