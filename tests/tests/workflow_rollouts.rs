//! Rollouts end to end with real plugins: `router` 0.1.0 is the pinned (stable) version of a step,
//! `router` 0.2.0 (`testdata/router-next`, which ignores languages) the candidate. A shadow's
//! decisions are recorded and diffed but never applied; a canary sends a sticky share of tickets
//! to the candidate for real; rollback is instant; a back-test replays recorded inputs against the
//! candidate without applying anything. Bad requests get precise errors and change nothing.

#[path = "support/workflow.rs"]
mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Env, bytes, ticket};

const ROUTE: &str = "\
name: NAME
trigger:
  webhook: NAME-in
steps:
  - id: route
    plugin: router@^0.1
    config:
      queues: {en: support-en}
";

fn workflow(name: &str) -> String {
    ROUTE.replace("NAME", name)
}

fn vip(id: &str) -> Value {
    let mut t = ticket(id, "en", "Where is my parcel?");
    t["customer"]["tier"] = json!("vip");
    t
}

/// Starts a run per ticket and waits for each; returns the finished runs.
async fn run_all(env: &Env, hook: &str, tickets: &[Value]) -> Vec<Value> {
    // A fresh idempotency key per request: sending a ticket again must start a new run.
    static SENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut runs = Vec::new();
    for t in tickets {
        let n = SENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let key = format!("{hook}-{}-{n}", t["id"].as_str().unwrap_or("?"));
        let (status, body) = env.hook(&format!("{hook}?wait=20s"), bytes(t), Some(&key)).await.expect("hook");
        assert!(status == 200 || status == 202, "{status} {body}");
        runs.push(env.finished(body["run_id"].as_str().expect("run id")).await);
    }
    runs
}

/// The `plugin@version` and queue of a finished run's `route` step.
fn route_of(run: &Value) -> (String, String) {
    let attempt = run["attempts"].as_array().and_then(|a| a.iter().find(|x| x["step"] == "route")).expect("route");
    (
        attempt["plugin"].as_str().unwrap_or_default().to_owned(),
        attempt["decision"]["outputs"]["queue"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Polls a rollout until it has `observed` observations (shadows are recorded off the run's path).
async fn summary_after(env: &Env, id: &str, observed: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = env.get(&format!("/v1/rollouts/{id}")).await;
        assert_eq!(status, 200, "{body}");
        if body["summary"]["observed"].as_u64() == Some(observed) {
            return body;
        }
        assert!(Instant::now() < deadline, "rollout {id} never reached {observed} observations: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn start(env: &Env, workflow: &str, body: Value) -> (u16, Value) {
    env.send_json("POST", &format!("/v1/workflows/{workflow}/rollouts"), &env.ops, Some(body)).await
}

// Every bad rollout request is refused with what to do, and nothing is started.
#[tokio::test]
async fn bad_rollouts_are_refused_precisely() {
    let env = Env::start().await;
    env.publish("router-next").await;
    assert_eq!(env.deploy("bad", &workflow("bad")).await.0, 201);
    let shadow = |step: &str, candidate: &str| json!({"step": step, "candidate": candidate, "mode": "shadow"});

    let cases = [
        ("bad", shadow("route", "router@9.9.9"), 422, "not in the registry"),
        ("bad", shadow("route", "triage@0.1.0"), 422, "must be a version of `router`"),
        ("bad", shadow("route", "router@0.1.0"), 422, "already the step's pinned version"),
        ("bad", shadow("nope", "router@0.2.0"), 422, "has no plugin step `nope`"),
        ("bad", shadow("route", "router"), 422, "must be `plugin@version`"),
        (
            "bad",
            json!({"step": "route", "candidate": "router@0.2.0", "mode": "canary", "percent": 101}),
            422,
            "0..=100",
        ),
        ("missing", shadow("route", "router@0.2.0"), 404, "does not exist"),
    ];
    for (wf, body, status, words) in cases {
        let (got, answer) = start(&env, wf, body.clone()).await;
        assert_eq!(got, status, "{body} -> {answer}");
        assert!(answer["message"].as_str().unwrap_or_default().contains(words), "{body} -> {answer}");
    }
    let (_, list) = env.get("/v1/rollouts").await;
    assert_eq!(list["items"], json!([]), "no refused request started a rollout");

    // A plugin developer may read and back-test, not change what live runs execute.
    let (status, body) =
        env.send_json("POST", "/v1/workflows/bad/rollouts", &env.dev, Some(shadow("route", "router@0.2.0"))).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(env.send_json("GET", "/v1/rollouts", &env.dev, None).await.0, 200);

    let (status, body) = env.send_json("PATCH", "/v1/rollouts/ro_missing", &env.ops, Some(json!({"percent": 5}))).await;
    assert_eq!(status, 404, "{body}");
    let backtest = |body: Value| env.send_json("POST", "/v1/backtests", &env.ops, Some(body));
    let (status, body) = backtest(json!({"candidate": "router@0.2.0", "since": "soon"})).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid")), "{body}");
    let (status, body) = backtest(json!({"candidate": "router@0.2.0", "since": "1h", "limit": 0})).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = backtest(json!({"candidate": "router@7.0.0", "since": "1h"})).await;
    assert_eq!(status, 404, "{body}");
}

// A shadow sees every ticket, records how the candidate's decision differs (on which fields, with
// samples), and applies none of it; rollback stops it at once.
#[tokio::test]
async fn a_shadow_is_diffed_never_applied_and_rolls_back_instantly() {
    let env = Env::start().await;
    env.publish("router-next").await;
    assert_eq!(env.deploy("shadowed", &workflow("shadowed")).await.0, 201);
    let (status, rollout) =
        start(&env, "shadowed", json!({"step": "route", "candidate": "router@0.2.0", "mode": "shadow"})).await;
    assert_eq!(status, 201, "{rollout}");
    let id = rollout["id"].as_str().expect("id").to_owned();
    assert_eq!(rollout["status"], "active");

    // One active rollout per step.
    let (status, again) =
        start(&env, "shadowed", json!({"step": "route", "candidate": "router@0.2.0", "mode": "canary"})).await;
    assert_eq!(status, 409, "{again}");
    assert!(again["message"].as_str().unwrap_or_default().contains(&id), "{again}");

    let mut tickets: Vec<Value> = (0..6).map(|i| ticket(&format!("S-{i}"), "en", "Where is my parcel?")).collect();
    tickets.extend([vip("S-vip-1"), vip("S-vip-2")]);
    let runs = run_all(&env, "shadowed-in", &tickets).await;
    for run in &runs {
        let (plugin, queue) = route_of(run);
        assert_eq!(plugin, "router@0.1.0", "the stable version decided: {run}");
        let ticket_id = run["run"]["ticket_id"].as_str().expect("ticket");
        let (_, case) = env.get(&format!("/v1/cases/{ticket_id}")).await;
        assert_eq!(case["queue"].as_str(), Some(queue.as_str()), "the shadow's queue was never applied: {case}");
    }

    let shown = summary_after(&env, &id, 8).await;
    let summary = &shown["summary"];
    assert_eq!(summary["arms"]["shadow"]["succeeded"], 8, "{summary}");
    assert_eq!(summary["differed"], 6, "only the six English standard tickets differ: {summary}");
    assert_eq!(summary["fields"]["outputs.queue"], 6, "{summary}");
    assert_eq!(summary["fields"]["effects"], 6, "{summary}");
    let sample = &summary["samples"][0];
    assert_eq!(sample["decision"]["outputs"]["queue"], "support-en", "{sample}");
    assert_eq!(sample["candidate"]["outputs"]["queue"], "general", "{sample}");

    let (status, ended) = env.post(&format!("/v1/rollouts/{id}/rollback")).await;
    assert_eq!(status, 200, "{ended}");
    assert_eq!(ended["status"], "rolled-back");
    let (status, twice) = env.post(&format!("/v1/rollouts/{id}/rollback")).await;
    assert_eq!(status, 409, "{twice}");

    run_all(&env, "shadowed-in", &[ticket("S-after", "en", "hello")]).await;
    // The next step execution after a rollback is not shadowed: the count stays at 8.
    let (_, shown) = env.get(&format!("/v1/rollouts/{id}")).await;
    assert_eq!(shown["summary"]["observed"], 8, "{shown}");

    // Both changes are in the audit log with their actor.
    let data = env.data.to_string_lossy().into_owned();
    let (code, out, err) = weft_e2e::server::weft(&["audit", "list", "--json", "--data", &data], env.dir.path());
    assert_eq!(code, 0, "{err}");
    let actions: Vec<Value> = out.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    for action in ["rollout.start", "rollout.rollback"] {
        assert!(actions.iter().any(|e| e["action"] == action && e["actor"] == "ops"), "{action} not audited: {out}");
    }
}

// A canary sends a sticky share of tickets to the candidate, whose decisions are applied; its
// share can be widened; rollback returns every new execution to the stable version; a back-test
// replays the stable version's recorded inputs against the candidate and applies nothing.
#[tokio::test]
async fn a_canary_is_sticky_widens_rolls_back_and_backtests() {
    let env = Env::start().await;
    env.publish("router-next").await;
    assert_eq!(env.deploy("canaried", &workflow("canaried")).await.0, 201);
    let body = json!({"step": "route", "candidate": "router@0.2.0", "mode": "canary", "percent": 50});
    let (status, rollout) = start(&env, "canaried", body).await;
    assert_eq!(status, 201, "{rollout}");
    let id = rollout["id"].as_str().expect("id").to_owned();

    let tickets: Vec<Value> = (0..30).map(|i| ticket(&format!("C-{i}"), "en", "Where is my parcel?")).collect();
    let runs = run_all(&env, "canaried-in", &tickets).await;
    let mut arm_of = std::collections::HashMap::new();
    for run in &runs {
        let (plugin, queue) = route_of(run);
        // Each arm's decision is the one applied.
        let expected = if plugin == "router@0.2.0" { "general" } else { "support-en" };
        assert_eq!(queue, expected, "{run}");
        arm_of.insert(run["run"]["ticket_id"].as_str().unwrap_or_default().to_owned(), plugin);
    }
    let candidates = arm_of.values().filter(|p| *p == "router@0.2.0").count();
    assert!((5..=25).contains(&candidates), "50 % of 30 tickets took {candidates}");

    // Sticky: the same tickets again (new idempotency keys) take the same arms.
    let again = run_all(&env, "canaried-in", &tickets[..10]).await;
    for run in &again {
        let (plugin, _) = route_of(run);
        assert_eq!(Some(&plugin), arm_of.get(run["run"]["ticket_id"].as_str().unwrap_or_default()), "{run}");
    }
    let shown = summary_after(&env, &id, 40).await;
    let arms = &shown["summary"]["arms"];
    let total =
        arms["stable"]["succeeded"].as_u64().unwrap_or(0) + arms["candidate"]["succeeded"].as_u64().unwrap_or(0);
    assert_eq!(total, 40, "{shown}");

    // Widen to everyone, then roll back: the next executions follow at once.
    let (status, widened) =
        env.send_json("PATCH", &format!("/v1/rollouts/{id}"), &env.ops, Some(json!({"percent": 100}))).await;
    assert_eq!((status, widened["percent"].as_u64()), (200, Some(100)), "{widened}");
    let wide = run_all(&env, "canaried-in", &[ticket("W-1", "en", "x"), ticket("W-2", "en", "y")]).await;
    assert!(wide.iter().all(|r| route_of(r).0 == "router@0.2.0"), "{wide:?}");
    assert_eq!(env.post(&format!("/v1/rollouts/{id}/rollback")).await.0, 200);
    let back = run_all(&env, "canaried-in", &[ticket("B-1", "en", "x"), ticket("B-2", "en", "y")]).await;
    assert!(back.iter().all(|r| route_of(r).0 == "router@0.1.0"), "{back:?}");

    // Back-test: every execution 0.1.0 made is replayed against 0.2.0 (its own are skipped);
    // English standard tickets differ, and nothing is applied.
    let stable_runs = runs.iter().chain(&again).chain(&back).filter(|r| route_of(r).0 == "router@0.1.0").count() as u64;
    let (_, before) = env.get("/v1/runs?limit=1000").await;
    let (status, report) = env
        .send_json(
            "POST",
            "/v1/backtests",
            &env.dev,
            Some(json!({"candidate": "router@0.2.0", "since": "1h", "workflow": "canaried"})),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["replayed"].as_u64(), Some(stable_runs), "{report}");
    assert_eq!(report["differed"].as_u64(), Some(stable_runs), "every replayed ticket is English standard: {report}");
    assert_eq!(report["fields"]["outputs.queue"].as_u64(), Some(stable_runs), "{report}");
    assert_eq!(report["samples"][0]["candidate"]["outputs"]["queue"], "general", "{report}");
    let (_, after) = env.get("/v1/runs?limit=1000").await;
    assert_eq!(before["items"].as_array().map(Vec::len), after["items"].as_array().map(Vec::len), "no run started");
    let (_, case) = env.get("/v1/cases/B-1").await;
    assert_eq!(case["queue"], "support-en", "the back-test changed no case: {case}");

    // The CLI shows the same report.
    let (code, out, err) = env.cli(
        &["workflow", "backtest", "--plugin", "router@0.2.0", "--since", "1h", "--workflow", "canaried"],
        env.dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let printed: Value = serde_json::from_str(&out).expect("JSON report");
    assert_eq!(printed["replayed"].as_u64(), Some(stable_runs), "{printed}");
}
