//! Knowledge-base events reach subscribers: publishing sends `article.published`, an article
//! flagged by poor workflow outcomes sends `article.flagged`; each signed so the reference
//! `standardwebhooks` receiver verifies it, and each exactly once (further outcomes on a flagged
//! article send nothing more).

mod kb_common;

use std::time::{Duration, Instant};

use kb_common::World;
use serde_json::{Value, json};
use weft_e2e::node::NodeService;

async fn act(w: &World, user: &str, id: &str, action: &str, body: Value) -> Value {
    let (status, out) = w.call(user, "POST", &format!("/v1/kb/articles/{id}/{action}"), Some(body)).await;
    assert_eq!(status, 200, "{action}: {out}");
    out
}

async fn received(w: &World, receiver: &NodeService, at_least: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got: Vec<Value> =
            w.http.get(receiver.url("/received")).send().await.expect("receiver").json().await.unwrap_or_default();
        if got.len() >= at_least || Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn publish_and_flag_are_delivered_signed_and_once() {
    let w = World::start().await;
    let receiver = NodeService::start("receiver.mjs");
    let res = w
        .http
        .post(w.server.url("/v1/event-subscriptions"))
        .bearer_auth(w.token("bot"))
        .json(&json!({"url": receiver.url("/in"), "event_types": ["article.published", "article.flagged"]}))
        .send()
        .await
        .expect("subscribe");
    assert_eq!(res.status().as_u16(), 201);
    let secret = res.json::<Value>().await.unwrap_or_default()["secret"].as_str().unwrap_or_default().to_owned();
    w.http.post(receiver.url("/control")).json(&json!({"secret": secret})).send().await.expect("control");

    let a = w.create_article("ana", "Refund policy", "Refunds take five days.", &["billing"]).await;
    let id = a["id"].as_str().unwrap_or_default().to_string();
    let a = act(&w, "ana", &id, "submit", json!({})).await;
    let a = act(&w, "rita", &id, "approve", json!({"content_hash": a["content_hash"]})).await;
    let a = act(&w, "vera", &id, "approve", json!({"content_hash": a["content_hash"]})).await;
    act(&w, "pat", &id, "publish", json!({"content_hash": a["content_hash"]})).await;

    // Twelve unresolved tickets cite it: flagged at the tenth, and the two after send nothing more.
    for n in 0..12 {
        let body = json!({"outcome": "not_resolved", "ticket_id": format!("T-{n}")});
        let (status, report) = w.call("bot", "POST", &format!("/v1/kb/articles/{id}/outcomes"), Some(body)).await;
        assert_eq!(status, 200, "{report}");
    }
    assert_eq!(w.article("ana", &id).await["flagged"], true);

    received(&w, &receiver, 2).await;
    // A duplicate would be queued by then too (each event is queued with its change, in one
    // transaction); give the dispatcher a moment to send one if it exists.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let events = received(&w, &receiver, 0).await;
    assert_eq!(events.len(), 2, "one event each: {events:?}");
    let bodies: Vec<Value> = events
        .iter()
        .map(|e| {
            assert_eq!(e["verified"], json!(true), "{e}");
            serde_json::from_str(e["body"].as_str().unwrap_or_default()).unwrap_or_default()
        })
        .collect();
    let published = bodies.iter().find(|b| b["type"] == "article.published").expect("article.published");
    assert_eq!(published["data"]["article_id"], id.as_str());
    assert_eq!(
        (published["data"]["version"].as_i64(), published["data"]["published_by"].as_str()),
        (Some(1), Some("pat"))
    );
    assert_eq!(published["data"]["tags"], json!(["billing"]));
    let flagged = bodies.iter().find(|b| b["type"] == "article.flagged").expect("article.flagged");
    assert_eq!(flagged["data"]["article_id"], id.as_str());
    assert!(flagged["data"]["reason"].as_str().unwrap_or_default().contains("low resolution rate"), "{flagged}");
}
