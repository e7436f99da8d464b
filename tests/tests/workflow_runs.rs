//! Runs end to end: webhook triggers with precise errors, synchronous decisions, idempotency,
//! every attempt recorded, effects applied once to the case, retries, saga compensation, cancel.

#[path = "support/workflow.rs"]
mod support;

use serde_json::json;
use support::{Env, attempt_trail, bytes, routing_workflow, ticket};

// Bad webhook bodies get the status and message the issue names, and start nothing.
#[tokio::test]
async fn webhook_errors_are_precise_and_lose_nothing() {
    let env = Env::start().await;
    assert_eq!(env.deploy("routing", &routing_workflow("routing", "new-ticket")).await.0, 201);

    let (status, body) = env.hook("new-ticket", b"{not json".to_vec(), None).await.unwrap();
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "invalid-json");
    assert!(body["message"].as_str().unwrap().contains("not JSON"), "{body}");

    let huge = ticket("T-big", "en", &"a".repeat(2 * 1024 * 1024));
    let (status, body) = env.hook("new-ticket", bytes(&huge), None).await.unwrap();
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["code"], "payload-too-large");

    let (status, body) = env.hook("new-ticket", bytes(&json!({"subject": "hi", "customer": {}})), None).await.unwrap();
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "missing-fields");
    assert_eq!(body["details"]["missing"], json!(["id", "channel", "customer.id"]));
    assert!(body["message"].as_str().unwrap().contains("id, channel, customer.id"), "{body}");

    let mut wrong = ticket("T-1", "en", "hi");
    wrong["priority"] = json!("whenever");
    let (status, body) = env.hook("new-ticket", bytes(&wrong), None).await.unwrap();
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["details"]["field"], "priority");

    // Every failing path at once, checked against the published schema.
    let mut several = ticket("T-2", "en", "hi");
    several["channel"] = json!("fax");
    several["customer"]["tier"] = json!("gold");
    several["surprise"] = json!(true);
    let (status, body) = env.hook("new-ticket", bytes(&several), None).await.unwrap();
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid-ticket")), "{body}");
    let paths: Vec<&str> =
        body["details"]["errors"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    for path in ["/channel", "/customer/tier", "/"] {
        assert!(paths.contains(&path), "{path} not named: {body}");
    }
    let res = env.http.get(env.server.url("/v1/schemas/ticket.json")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200, "the schema is public");
    let schema: serde_json::Value = res.json().await.unwrap();
    assert_eq!(schema["title"], "Ticket");

    let (status, body) = env.hook("nobody-listens", bytes(&ticket("T-1", "en", "hi")), None).await.unwrap();
    assert_eq!(status, 404, "{body}");

    let (_, runs) = env.get("/v1/runs").await;
    assert_eq!(runs["items"], json!([]), "no bad request started a run");
}

// `?wait=` returns the decision; the run shows every attempt with input, output, effects, fuel
// and duration; the effects are on the case once; the same Idempotency-Key is the same run.
#[tokio::test]
async fn a_run_decides_synchronously_applies_effects_once_and_dedupes() {
    let env = Env::start().await;
    assert_eq!(env.deploy("routing", &routing_workflow("routing", "new-ticket")).await.0, 201);

    let t = ticket("T-100", "zh-CN", "我的发票金额不对，请帮我退款");
    let (status, body) = env.hook("new-ticket?wait=20s", bytes(&t), Some("hd-100")).await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "succeeded");
    assert_eq!(body["decision"]["steps"]["route"]["outputs"]["queue"], "billing-cn");
    let run_id = body["run_id"].as_str().unwrap().to_owned();
    assert_eq!(body["url"], format!("/v1/runs/{run_id}"));

    let (status, again) = env.hook("new-ticket?wait=20s", bytes(&t), Some("hd-100")).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(again["run_id"], run_id.as_str(), "same key, same run");
    let (_, runs) = env.get("/v1/runs").await;
    assert_eq!(runs["items"].as_array().unwrap().len(), 1);

    let run = env.finished(&run_id).await;
    assert_eq!(attempt_trail(&run), ["compliance:succeeded", "triage:succeeded", "route:succeeded"]);
    let route = &run["attempts"][2];
    assert_eq!(route["plugin"], "router@0.1.0");
    assert_eq!(route["input"]["ticket"]["id"], "T-100");
    assert_eq!(route["input"]["prior"].as_array().unwrap().len(), 2, "earlier decisions are handed on");
    assert_eq!(route["decision"]["outputs"]["queue"], "billing-cn");
    assert!(route["fuel"].as_i64().unwrap() > 0);
    assert!(route["duration_us"].as_i64().unwrap() > 0);
    assert_eq!(route["effects"][0]["type"], "assign");

    let effects = run["effects"].as_array().unwrap();
    assert!(effects.iter().all(|e| e["status"] == "applied"), "{effects:?}");
    let (status, case) = env.get("/v1/cases/T-100").await;
    assert_eq!(status, 200);
    assert_eq!(case["queue"], "billing-cn");
    assert!(case["tags"].as_array().unwrap().contains(&json!("routed")), "{case}");
    assert_eq!(case["effects_applied"].as_u64().unwrap() as usize, effects.len(), "each effect applied once");

    // Without ?wait the answer is 202 and the run URL; the condition skips `route`.
    let (status, body) = env.hook("new-ticket", bytes(&ticket("T-101", "xx", "hello")), None).await.unwrap();
    assert_eq!(status, 202, "{body}");
    let run = env.finished(body["run_id"].as_str().unwrap()).await;
    assert_eq!(run["run"]["status"], "succeeded");
    assert_eq!(attempt_trail(&run), ["compliance:succeeded", "triage:succeeded", "route:skipped"]);
}

const SAGA: &str = "\
name: saga
trigger:
  webhook: saga
steps:
  - id: route
    plugin: router@^0.1
    compensate: undo-route
  - id: tag
    plugin: triage@^0.1
    compensate: undo-tag
  - id: slow
    plugin: infinite-loop@^0.1
    # Enough fuel that the step timeout, not the instruction budget, stops it.
    limits: {fuel: 10000000000}
    timeout: 100ms
    retry: {max_attempts: 3, backoff: 10ms}
compensations:
  - id: undo-route
    plugin: router@^0.1
    config: {default_queue: returned}
  - id: undo-tag
    plugin: triage@^0.1
";

// A step that keeps timing out is retried up to max_attempts, then the completed steps are
// compensated newest first and the run ends `compensated`.
#[tokio::test]
async fn retries_then_compensates_in_reverse_order() {
    let env = Env::start().await;
    assert_eq!(env.deploy("saga", SAGA).await.0, 201, "saga deploys");
    let (status, body) = env.hook("saga", bytes(&ticket("T-200", "en", "refund please")), None).await.unwrap();
    assert_eq!(status, 202, "{body}");
    let run = env.finished(body["run_id"].as_str().unwrap()).await;
    assert_eq!(run["run"]["status"], "compensated", "{run}");
    assert_eq!(
        attempt_trail(&run),
        [
            "route:succeeded",
            "tag:succeeded",
            "slow:failed",
            "slow:failed",
            "slow:failed",
            "undo-tag:succeeded",
            "undo-route:succeeded"
        ]
    );
    let attempts = run["attempts"].as_array().unwrap();
    assert_eq!(attempts[4]["error"]["kind"], "step-timeout");
    assert_eq!(attempts[4]["attempt"], 3);
    assert_eq!(attempts[5]["kind"], "compensation");
    assert_eq!(run["run"]["error"]["step"], "slow");
    assert_eq!(run["run"]["error"]["attempts"], 3);
    // The compensation's own effect landed: the case was re-assigned to the `returned` queue.
    assert_eq!(env.get("/v1/cases/T-200").await.1["queue"], "returned");

    // A non-retryable failure (a panic traps) is not retried; a compensation that fails for good
    // ends the run `compensation-failed`, never silently.
    let broken = SAGA
        .replace("name: saga", "name: saga-broken")
        .replace("webhook: saga", "webhook: saga-broken")
        .replace("infinite-loop@^0.1", "panics@^0.1")
        .replace("  - id: undo-tag\n    plugin: triage@^0.1", "  - id: undo-tag\n    plugin: panics@^0.1");
    assert_eq!(env.deploy("saga-broken", &broken).await.0, 201);
    let (_, body) = env.hook("saga-broken", bytes(&ticket("T-201", "en", "x")), None).await.unwrap();
    let run = env.finished(body["run_id"].as_str().unwrap()).await;
    assert_eq!(run["run"]["status"], "compensation-failed", "{run}");
    assert_eq!(
        attempt_trail(&run),
        ["route:succeeded", "tag:succeeded", "slow:failed", "undo-tag:failed", "undo-route:succeeded"]
    );
    assert_eq!(run["attempts"][2]["error"]["kind"], "trap");
    assert_eq!(run["attempts"][2]["error"]["retryable"], false);
}

// An operator cancels a running run; cancelling it again is a clear conflict.
#[tokio::test]
async fn cancel_stops_a_run() {
    let env = Env::start().await;
    let slow = "\
name: slow
trigger: {webhook: slow}
steps:
  - id: spin
    plugin: infinite-loop@^0.1
    limits: {fuel: 10000000000}
    timeout: 200ms
    retry: {max_attempts: 100, backoff: 200ms, max_backoff: 1s}
";
    assert_eq!(env.deploy("slow", slow).await.0, 201);
    let (_, body) = env.hook("slow", bytes(&ticket("T-300", "en", "x")), None).await.unwrap();
    let id = body["run_id"].as_str().unwrap().to_owned();
    let (status, body) = env.post(&format!("/v1/runs/{id}/cancel")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    let run = env.finished(&id).await;
    assert_eq!(run["run"]["status"], "cancelled");
    assert!(run["run"]["error"]["message"].as_str().unwrap().contains("cancelled by ops"));
    let (status, body) = env.post(&format!("/v1/runs/{id}/cancel")).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["message"].as_str().unwrap().contains("already ended as cancelled"), "{body}");
}

// `GET /v1/runs` pages newest first with a keyset cursor: every run exactly once, even while
// new runs arrive between pages; a cursor that is not a run is a clear 422.
#[tokio::test]
async fn run_list_pages_with_a_stable_cursor() {
    let env = Env::start().await;
    assert_eq!(env.deploy("routing", &routing_workflow("routing", "new-ticket")).await.0, 201);
    let mut started = Vec::new();
    for n in 0..5 {
        let t = ticket(&format!("T-page-{n}"), "en", "where is my parcel");
        let (status, body) = env.hook("new-ticket", bytes(&t), None).await.unwrap();
        assert!(status == 200 || status == 202, "{body}");
        started.push(body["run_id"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut path = "/v1/runs?limit=2".to_owned();
    loop {
        let (status, page) = env.get(&path).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(page["items"].as_array().unwrap().iter().map(|r| r["run_id"].as_str().unwrap().to_owned()));
        if seen.len() == 2 {
            // A run arriving mid-listing is not on a later page and shifts nothing.
            let late = ticket("T-page-late", "en", "hello");
            assert!(env.hook("new-ticket", bytes(&late), None).await.unwrap().0 < 300);
        }
        match page["next_before"].as_str() {
            Some(cursor) => path = format!("/v1/runs?limit=2&before={cursor}"),
            None => break,
        }
    }
    started.reverse();
    assert_eq!(seen, started, "newest first, each run once");

    let (status, body) = env.get("/v1/runs?before=run_nope").await;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("next_before"), "{body}");
}
