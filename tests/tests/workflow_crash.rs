//! Crash recovery: SIGKILL the real server while many runs are mid-flight, at several points,
//! restart it, and prove every run completes with each of its effects applied exactly once.
//!
//! The integrator side behaves as a real one must: a request that died with the server is sent
//! again with the same Idempotency-Key, which must find the run if it had been started.

#[path = "support/workflow.rs"]
mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;
use support::{Env, HookClient, bytes, routing_workflow, ticket};

/// Sends every key's ticket concurrently; returns the keys whose request got no answer.
async fn fire(client: HookClient, keys: Vec<String>) -> Vec<String> {
    let mut tasks = Vec::new();
    for key in keys {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let language = if key.ends_with('0') { "zh" } else { "en" };
            let t = ticket(&format!("T-{key}"), language, "I was charged twice, please refund the invoice");
            match client.send("crashy", bytes(&t), &key).await {
                Ok((202 | 200, _)) => None,
                Ok((status, body)) => panic!("{key}: unexpected {status} {body}"),
                Err(_) => Some(key),
            }
        }));
    }
    let mut lost = Vec::new();
    for task in tasks {
        if let Some(key) = task.await.expect("request task") {
            lost.push(key);
        }
    }
    lost
}

async fn count(env: &Env, status: &str) -> usize {
    let (_, runs) = env.get(&format!("/v1/runs?status={status}&limit=1000")).await;
    runs["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_run_completes_exactly_once_across_kill_9() {
    let mut env = Env::start().await;
    assert_eq!(env.deploy("crashy", &routing_workflow("crashy", "crashy")).await.0, 201);
    let mut all_keys: Vec<String> = Vec::new();
    let mut lost: Vec<String> = Vec::new();
    let mut in_flight_at_kill = Vec::new();

    // Three rounds of 40 new runs (plus the requests the previous kill cut off), each killed at
    // a different moment: while requests arrive, while steps run, while the last runs finish.
    for (round, kill_after_ms) in [(0, 15u64), (1, 150), (2, 500)] {
        let keys: Vec<String> = (0..40).map(|i| format!("r{round}-{i:02}")).collect();
        all_keys.extend(keys.iter().cloned());
        let mut batch = std::mem::take(&mut lost);
        batch.extend(keys);
        let sender = tokio::spawn(fire(env.hook_client(), batch));
        tokio::time::sleep(Duration::from_millis(kill_after_ms)).await;
        in_flight_at_kill.push(count(&env, "running").await);
        tokio::task::block_in_place(|| env.server.crash_and_restart());
        lost = sender.await.expect("sender");
    }
    // What the last kill cut off is sent again, as the integrator's retry would.
    let still_lost = fire(env.hook_client(), std::mem::take(&mut lost)).await;
    assert!(still_lost.is_empty(), "requests to a healthy server failed: {still_lost:?}");
    assert!(
        in_flight_at_kill.iter().any(|n| *n > 0),
        "no kill point caught a run in flight ({in_flight_at_kill:?}); the test proved nothing"
    );
    eprintln!("runs in flight at each kill: {in_flight_at_kill:?}");

    // Every key has exactly one run, and every run finishes successfully.
    let (_, runs) = env.get("/v1/runs?limit=1000").await;
    let runs = runs["items"].as_array().cloned().unwrap_or_default();
    let tickets: BTreeSet<String> = runs.iter().map(|r| r["ticket_id"].as_str().unwrap_or("").to_owned()).collect();
    let expected: BTreeSet<String> = all_keys.iter().map(|k| format!("T-{k}")).collect();
    assert_eq!(runs.len(), all_keys.len(), "one run per idempotency key");
    assert_eq!(tickets, expected);

    let mut effects_total = 0;
    for run in &runs {
        let id = run["run_id"].as_str().unwrap_or_default();
        let detail: Value = env.finished(id).await;
        assert_eq!(detail["run"]["status"], "succeeded", "{detail}");
        // Each step committed exactly once: a step cut off before its commit left no attempt.
        let steps: Vec<&str> =
            detail["attempts"].as_array().unwrap().iter().map(|a| a["step"].as_str().unwrap()).collect();
        assert_eq!(steps, ["compliance", "triage", "route"], "{id}");
        // Every decided effect was applied, and applied once.
        let effects = detail["effects"].as_array().unwrap();
        assert!(!effects.is_empty());
        assert!(effects.iter().all(|e| e["status"] == "applied"), "{id}: {effects:?}");
        let ticket_id = run["ticket_id"].as_str().unwrap();
        let (_, case) = env.get(&format!("/v1/cases/{ticket_id}")).await;
        assert_eq!(case["effects_applied"].as_u64().unwrap() as usize, effects.len(), "{ticket_id}: {case}");
        let expected_queue = if ticket_id.ends_with('0') { "billing-cn" } else { "support-en" };
        assert_eq!(case["queue"], expected_queue);
        effects_total += effects.len();
    }
    assert_eq!(count(&env, "running").await, 0);
    eprintln!("{} runs, {effects_total} effects, each applied once", runs.len());
}
