//! Outbound events with the real binary and the reference `standardwebhooks` library as the
//! receiver: deliveries are signed so the reference verifies them, failed ones are retried with
//! backoff, a failing endpoint's circuit opens, given-up ones land in the dead-letter list and can
//! be replayed, and pending deliveries survive a crash.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use weft_e2e::node::NodeService;
use weft_e2e::server::{Server, add_user, create_token};

/// Fast retry settings so a whole day of backoff fits in seconds.
const FAST_RETRIES: &[&str] = &[
    "--outbound-retry-base",
    "100ms",
    "--outbound-retry-max",
    "300ms",
    "--outbound-give-up-after",
    "3s",
    "--outbound-breaker-threshold",
    "3",
    "--outbound-breaker-cooldown",
    "400ms",
];

struct Env {
    _dir: tempfile::TempDir,
    server: Server,
    receiver: NodeService,
    http: reqwest::Client,
    token: String,
}

async fn start() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    add_user(&data, "ivy", "integrator", "integrator password");
    let token = create_token(&data, "ivy");
    let server = Server::start(&data, FAST_RETRIES);
    let receiver = NodeService::start("receiver.mjs");
    // No pooled connections: a crash test kills the server under them.
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    Env { _dir: dir, server, receiver, http, token }
}

impl Env {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, self.server.url(path)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let res = request.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn control(&self, body: Value) {
        let res = self.http.post(self.receiver.url("/control")).json(&body).send().await.unwrap();
        assert!(res.status().is_success());
    }

    async fn received(&self) -> Vec<Value> {
        self.http.get(self.receiver.url("/received")).send().await.unwrap().json().await.unwrap()
    }

    /// Subscribes the receiver and hands it the secret; returns the subscription id.
    async fn subscribe(&self) -> String {
        let url = self.receiver.url("/hooks/weft");
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                "/v1/event-subscriptions",
                Some(json!({"url": url, "event_types": ["run.completed"]})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let secret = body["secret"].as_str().unwrap().to_string();
        assert!(secret.starts_with("whsec_"));
        self.control(json!({"secret": secret})).await;
        body["subscription"]["id"].as_str().unwrap().to_string()
    }

    /// Polls a delivery until `done` holds for it (or 30 s pass).
    async fn wait_delivery(&self, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (status, body) = self.call(reqwest::Method::GET, &format!("/v1/event-deliveries/{id}"), None).await;
            assert_eq!(status, 200, "{body}");
            if done(&body) {
                return body;
            }
            assert!(Instant::now() < deadline, "delivery {id} never became {what}: {body}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn ping(&self, subscription: &str) -> String {
        let (status, body) =
            self.call(reqwest::Method::POST, &format!("/v1/event-subscriptions/{subscription}/ping"), None).await;
        assert_eq!(status, 202, "{body}");
        body["id"].as_str().unwrap().to_string()
    }
}

fn state(body: &Value) -> &str {
    body["delivery"]["status"].as_str().unwrap_or_default()
}

// Two failures, then success: three attempts in the log, all with the same webhook-id, each one
// verified by the reference library.
#[tokio::test]
async fn failed_deliveries_are_retried_and_every_attempt_is_verifiable() {
    let env = start().await;
    let subscription = env.subscribe().await;
    env.control(json!({"fail_next": 2, "status": 503})).await;
    let id = env.ping(&subscription).await;

    let done = env.wait_delivery(&id, "delivered", |b| state(b) == "delivered").await;
    let statuses: Vec<Value> = done["attempts"].as_array().unwrap().iter().map(|a| a["status"].clone()).collect();
    assert_eq!(statuses, vec![json!(503), json!(503), json!(204)], "{done}");
    assert_eq!(done["delivery"]["payload"]["type"], json!("weft.ping"));

    let received = env.received().await;
    assert_eq!(received.len(), 3, "{received:?}");
    for entry in &received {
        assert_eq!(entry["verified"], json!(true), "the reference library rejected a delivery: {entry}");
        assert_eq!(entry["id"], json!(id), "retries keep the webhook-id so receivers can deduplicate");
    }
}

// An endpoint that keeps failing: its circuit opens, the delivery gives up into the dead-letter
// list, survives a crash there, and an operator's replay delivers it once the endpoint is back.
#[tokio::test]
async fn dead_letters_survive_a_crash_and_replay_delivers_them() {
    let mut env = start().await;
    let subscription = env.subscribe().await;
    env.control(json!({"fail_next": 1_000_000, "status": 500})).await;
    let id = env.ping(&subscription).await;

    let dead = env.wait_delivery(&id, "dead", |b| state(b) == "dead").await;
    assert!(dead["attempts"].as_array().unwrap().len() >= 3, "{dead}");
    let (_, subs) = env.call(reqwest::Method::GET, "/v1/event-subscriptions", None).await;
    assert!(subs["subscriptions"][0]["consecutive_failures"].as_i64().unwrap() >= 3, "{subs}");
    assert!(!subs["subscriptions"][0]["circuit_open_until"].is_null(), "the circuit opened: {subs}");

    env.server.crash_and_restart();
    let (status, letters) = env.call(reqwest::Method::GET, "/v1/event-deliveries?status=dead", None).await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = letters["deliveries"].as_array().unwrap().iter().filter_map(|d| d["id"].as_str()).collect();
    assert_eq!(ids, vec![id.as_str()], "the dead letter is still listed after the crash");

    env.control(json!({"fail_next": 0})).await;
    let (status, body) = env.call(reqwest::Method::POST, &format!("/v1/event-deliveries/{id}/replay"), None).await;
    assert_eq!(status, 202, "{body}");
    let done = env.wait_delivery(&id, "delivered", |b| state(b) == "delivered").await;
    assert_eq!(done["attempts"].as_array().unwrap().last().unwrap()["status"], json!(204));
    let last = env.received().await.pop().unwrap();
    assert_eq!((last["id"].clone(), last["verified"].clone()), (json!(id), json!(true)));
}

// A delivery pending when the server is killed is sent after the restart; attempt numbers
// continue instead of restarting, so the log never shows a duplicate attempt.
#[tokio::test]
async fn pending_deliveries_survive_a_crash() {
    let mut env = start().await;
    let subscription = env.subscribe().await;
    env.control(json!({"fail_next": 1, "status": 502})).await;
    let id = env.ping(&subscription).await;
    env.wait_delivery(&id, "attempted once", |b| b["attempts"].as_array().is_some_and(|a| !a.is_empty())).await;

    env.server.crash_and_restart();
    let done = env.wait_delivery(&id, "delivered", |b| state(b) == "delivered").await;
    let numbers: Vec<i64> =
        done["attempts"].as_array().unwrap().iter().map(|a| a["attempt"].as_i64().unwrap()).collect();
    let expected: Vec<i64> = (1..=numbers.len() as i64).collect();
    assert_eq!(numbers, expected, "{done}");
}

// Bad input gets a clear error and creates nothing; only integrators manage subscriptions.
#[tokio::test]
async fn bad_subscriptions_and_replays_are_refused_clearly() {
    let env = start().await;
    let post = |body: Value| env.call(reqwest::Method::POST, "/v1/event-subscriptions", Some(body));

    let (status, body) = post(json!({"url": "http://127.0.0.1:1/x", "event_types": ["run.exploded"]})).await;
    assert_eq!(status, 422);
    assert!(body["message"].as_str().unwrap().contains("run.completed"), "names the valid types: {body}");
    let (status, body) = post(json!({"url": "ftp://example/x", "event_types": ["run.completed"]})).await;
    assert_eq!(status, 422);
    assert!(body["message"].as_str().unwrap().contains("http://"), "{body}");
    let (status, body) = post(json!({"url": "https://u:p@example/x", "event_types": ["run.failed"]})).await;
    assert_eq!(status, 422, "{body}");
    let (_, list) = env.call(reqwest::Method::GET, "/v1/event-subscriptions", None).await;
    assert_eq!(list["subscriptions"], json!([]), "nothing was created");

    let (status, body) = env.call(reqwest::Method::POST, "/v1/event-deliveries/msg_nope/replay", None).await;
    assert_eq!((status, body["code"].clone()), (404, json!("not-found")), "{body}");
    let (status, _) = env.call(reqwest::Method::GET, "/v1/event-deliveries?status=lost", None).await;
    assert_eq!(status, 400);

    let data = env.server.data.clone();
    assert_operator_cannot_subscribe(&env, &data).await;
}

async fn assert_operator_cannot_subscribe(env: &Env, data: &Path) {
    add_user(data, "otto", "operator", "operator password");
    let token = create_token(data, "otto");
    let res = env
        .http
        .post(env.server.url("/v1/event-subscriptions"))
        .bearer_auth(token)
        .json(&json!({"url": "http://127.0.0.1:1/x", "event_types": ["run.completed"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
}
