//! SLA timers end to end: warn and breach fire the escalation step once each, also across a
//! kill -9, and a paused clock (waiting on the customer) does not run.

#[path = "support/workflow.rs"]
mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Env, bytes, ticket};

/// Open around the clock in UTC, so business time equals wall time and the test is quick.
const SLA: &str = r#"name: sla
trigger: {webhook: sla}
sla:
  calendar:
    timezone: UTC
    hours:
      mon: "00:00-24:00"
      tue: "00:00-24:00"
      wed: "00:00-24:00"
      thu: "00:00-24:00"
      fri: "00:00-24:00"
      sat: "00:00-24:00"
      sun: "00:00-24:00"
  warn: 1s
  breach: 2s
  escalate: escalate
steps:
  - id: route
    plugin: router@^0.1
escalations:
  - id: escalate
    plugin: router@^0.1
    config: {default_queue: escalated}
"#;

fn escalations(run: &Value) -> Vec<String> {
    run["attempts"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|x| x["kind"] == "escalation")
                .map(|x| format!("{}:{}", x["step"].as_str().unwrap_or("?"), x["status"].as_str().unwrap_or("?")))
                .collect()
        })
        .unwrap_or_default()
}

async fn until_timers(env: &Env, id: &str, statuses: &[&str]) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, run) = env.get(&format!("/v1/runs/{id}")).await;
        let now: Vec<&str> = run["timers"].as_array().unwrap().iter().map(|t| t["status"].as_str().unwrap()).collect();
        if now == statuses {
            return run;
        }
        assert!(Instant::now() < deadline, "timers never became {statuses:?}: {run}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warn_and_breach_fire_once_each_across_a_crash() {
    let mut env = Env::start().await;
    assert_eq!(env.deploy("sla", SLA).await.0, 201);
    let (_, body) = env.hook("sla?wait=10s", bytes(&ticket("T-600", "en", "where is my parcel")), None).await.unwrap();
    let id = body["run_id"].as_str().unwrap().to_owned();
    assert_eq!(body["status"], "succeeded", "the SLA outlives the run: {body}");
    tokio::task::block_in_place(|| env.server.crash_and_restart());
    let run = until_timers(&env, &id, &["fired", "fired"]).await;
    assert_eq!(escalations(&run), ["escalate:warn:succeeded", "escalate:breach:succeeded"]);
    let breach = run["attempts"].as_array().unwrap().iter().find(|a| a["step"] == "escalate:breach").unwrap();
    assert_eq!(breach["input"]["sla"]["breached"], true);
    assert_eq!(env.get("/v1/cases/T-600").await.1["queue"], "escalated");
    // Fired timers stay fired: nothing more happens however long we look.
    let (_, again) = env.get(&format!("/v1/runs/{id}")).await;
    assert_eq!(escalations(&again).len(), 2);
}

#[tokio::test]
async fn a_paused_clock_does_not_run_until_resumed() {
    let env = Env::start().await;
    assert_eq!(env.deploy("sla", SLA).await.0, 201);
    let (_, body) = env.hook("sla", bytes(&ticket("T-601", "en", "where is my parcel")), None).await.unwrap();
    let id = body["run_id"].as_str().unwrap().to_owned();
    let pause = |action: &'static str| {
        let env = &env;
        let id = id.clone();
        async move {
            let res = env
                .http
                .post(env.server.url(&format!("/v1/runs/{id}/sla")))
                .bearer_auth(&env.ops)
                .json(&json!({"action": action}))
                .send()
                .await
                .expect("POST sla");
            (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, body) = pause("pause").await;
    assert_eq!(status, 200, "{body}");
    // Timers are listed breach, warn; the breach keeps the business time it had left.
    assert_eq!(body["timers"][0]["status"], "paused");
    assert_eq!(body["timers"][1]["status"], "paused");
    assert!(body["timers"][0]["left_ms"].as_i64().unwrap() > 1000, "{body}");
    let (status, body) = pause("pause").await;
    assert_eq!(status, 409, "{body}");

    // Past both targets in wall time: nothing fired while paused.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (_, run) = env.get(&format!("/v1/runs/{id}")).await;
    assert!(escalations(&run).is_empty(), "{run}");

    assert_eq!(pause("resume").await.0, 200);
    let run = until_timers(&env, &id, &["fired", "fired"]).await;
    assert_eq!(escalations(&run).len(), 2);
}
