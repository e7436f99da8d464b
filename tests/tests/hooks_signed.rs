//! Inbound hooks signed with the Standard Webhooks scheme, the signatures made by the reference
//! `standardwebhooks` library: a signed request starts a run as the secret's owner; a tampered
//! body, a wrong secret, a stale timestamp and a replayed id are each refused with their own code
//! and start nothing; secrets rotate without a gap; each integrator is rate-limited.

#[path = "support/workflow.rs"]
mod support;

use serde_json::{Value, json};
use support::{Env, bytes, ticket};
use weft_e2e::node::reference_signature;

const WORKFLOW: &str = "\
name: signed
trigger:
  webhook: signed-hook
steps:
  - id: route
    plugin: router@^0.1
    config:
      queues: {zh: billing-cn, en: support-en}
";

/// A request signed by the reference library (no API token).
async fn signed(env: &Env, secret: &str, id: &str, seconds: i64, body: &str) -> (u16, Value) {
    let signature = reference_signature(secret, id, seconds, body);
    send(env, id, seconds, &signature, body).await
}

async fn send(env: &Env, id: &str, seconds: i64, signature: &str, body: &str) -> (u16, Value) {
    let res = env
        .http
        .post(env.server.url("/v1/hooks/signed-hook?wait=5s"))
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", seconds.to_string())
        .header("webhook-signature", signature)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

async fn new_secret(env: &Env) -> (String, String) {
    let res = env
        .http
        .post(env.server.url("/v1/hook-secrets"))
        .bearer_auth(&env.hook)
        .json(&json!({"hook": "signed-hook"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let body: Value = res.json().await.unwrap();
    (body["hook_secret"]["id"].as_str().unwrap().to_owned(), body["secret"].as_str().unwrap().to_owned())
}

async fn run_count(env: &Env) -> usize {
    env.get("/v1/runs").await.1["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn reference_signatures_are_accepted_and_every_forgery_is_refused_distinctly() {
    let env = Env::start().await;
    assert_eq!(env.deploy("signed", WORKFLOW).await.0, 201);
    let (old_id, secret) = new_secret(&env).await;
    let now = chrono_now();
    let body = String::from_utf8(bytes(&ticket("T-signed", "en", "my invoice is wrong"))).unwrap();

    let (status, run) = signed(&env, &secret, "msg_1", now, &body).await;
    assert!(status == 200 || status == 202, "{status} {run}");
    let (_, detail) = env.get(run["url"].as_str().unwrap()).await;
    assert_eq!(detail["run"]["ticket_id"], json!("T-signed"), "{detail}");

    let tampered = body.replace("my invoice", "my 1nvoice");
    let signature = reference_signature(&secret, "msg_2", now, &body);
    let refusals = [
        send(&env, "msg_2", now, &signature, &tampered).await,
        signed(&env, "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "msg_3", now, &body).await,
        signed(&env, &secret, "msg_4", now - 600, &body).await,
        signed(&env, &secret, "msg_5", now + 600, &body).await,
        signed(&env, &secret, "msg_1", now, &body).await,
    ];
    let codes: Vec<(u16, Value)> = refusals.iter().map(|(s, b)| (*s, b["code"].clone())).collect();
    assert_eq!(
        codes,
        vec![
            (401, json!("signature_mismatch")),
            (401, json!("signature_mismatch")),
            (401, json!("timestamp_stale")),
            (401, json!("timestamp_in_future")),
            (409, json!("webhook_replayed")),
        ],
        "{refusals:?}"
    );
    assert_eq!(run_count(&env).await, 1, "no refused request started a run");

    // Rotation: a second secret works at once; after retiring the first, only the second does.
    let (_, rotated) = new_secret(&env).await;
    assert!(matches!(signed(&env, &rotated, "msg_6", now, &body).await.0, 200 | 202));
    assert!(matches!(signed(&env, &secret, "msg_7", now, &body).await.0, 200 | 202));
    let res = env
        .http
        .delete(env.server.url(&format!("/v1/hook-secrets/{old_id}")))
        .bearer_auth(&env.hook)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let (status, body_after) = signed(&env, &secret, "msg_8", now, &body).await;
    assert_eq!((status, body_after["code"].clone()), (401, json!("signature_mismatch")));
    assert_eq!(run_count(&env).await, 3);
}

#[tokio::test]
async fn each_integrator_is_rate_limited_with_retry_after() {
    let env = Env::start_with(&["--hook-rate-per-second", "0.1", "--hook-burst", "2"]).await;
    assert_eq!(env.deploy("signed", WORKFLOW).await.0, 201);
    let mut statuses = Vec::new();
    for n in 0..3 {
        let res = env
            .http
            .post(env.server.url("/v1/hooks/signed-hook"))
            .bearer_auth(&env.hook)
            .header("content-type", "application/json")
            .body(bytes(&ticket(&format!("T-{n}"), "en", "hello")))
            .send()
            .await
            .unwrap();
        let retry_after = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        statuses.push((res.status().as_u16(), retry_after));
    }
    assert_eq!(statuses[2].0, 429, "{statuses:?}");
    assert!(statuses[2].1.as_deref().is_some_and(|s| s.parse::<u64>().unwrap() >= 1), "{statuses:?}");
    assert!(statuses[..2].iter().all(|(s, _)| *s == 202 || *s == 200), "{statuses:?}");
    assert_eq!(run_count(&env).await, 2, "the refused request started nothing");
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
