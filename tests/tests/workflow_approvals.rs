//! Approval steps end to end: role, quorum, no self-approval, one vote per person, a clear 409
//! for a step that is not waiting, rejection compensates, and a timeout that survives a kill -9
//! and fires exactly once.

#[path = "support/workflow.rs"]
mod support;

use support::{Env, attempt_trail, bytes, ticket};

const CREDIT: &str = "\
name: goodwill
trigger: {webhook: goodwill}
steps:
  - id: route
    plugin: router@^0.1
    compensate: unroute
  - id: sign-off
    approval:
      roles: [operator, integrator]
      quorum: 2
      timeout: 1h
      on_timeout: reject
  - id: tag
    plugin: triage@^0.1
compensations:
  - id: unroute
    plugin: router@^0.1
    config: {default_queue: returned}
";

#[tokio::test]
async fn approvals_need_the_role_a_quorum_and_someone_else() {
    let env = Env::start().await;
    assert_eq!(env.deploy("goodwill", CREDIT).await.0, 201);
    let (_, body) = env.hook("goodwill", bytes(&ticket("T-400", "en", "refund")), None).await.unwrap();
    let id = body["run_id"].as_str().unwrap().to_owned();
    env.until_status(&id, "waiting").await;

    // The integrator who started the run holds a listed role but may not approve its own run.
    let (status, body) = env.vote("helpdesk", &id, "sign-off", "approve").await;
    assert_eq!(status, 403, "{body}");
    assert!(body["message"].as_str().unwrap().contains("started run"), "{body}");
    // An agent lacks the role.
    let (status, body) = env.vote("agent1", &id, "sign-off", "approve").await;
    assert_eq!(status, 403, "{body}");
    assert!(body["message"].as_str().unwrap().contains("needs the role operator or integrator"), "{body}");
    // A step that is not the one waiting.
    let (status, body) = env.vote("sup1", &id, "route", "approve").await;
    assert_eq!(status, 409, "{body}");

    let (status, body) = env.vote("sup1", &id, "sign-off", "approve").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "waiting", "one of two approvals");
    let (status, body) = env.vote("sup1", &id, "sign-off", "approve").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "already-decided");
    let (status, _) = env.vote("sup2", &id, "sign-off", "approve").await;
    assert_eq!(status, 200);

    let run = env.finished(&id).await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    assert_eq!(attempt_trail(&run), ["route:succeeded", "sign-off:succeeded", "tag:succeeded"]);
    assert_eq!(run["attempts"][1]["decision"]["outputs"]["approvers"], serde_json::json!(["sup1", "sup2"]));
    // Approving a step that is no longer waiting is a clear conflict and changes nothing.
    let (status, body) = env.vote("ops", &id, "sign-off", "approve").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "not-waiting");
    assert!(body["message"].as_str().unwrap().contains("is not waiting for approval (the run is succeeded)"), "{body}");

    // Votes are audited with the approver.
    let (_, out, _) = weft_e2e::server::weft(&["audit", "list", "--data", &env.data.to_string_lossy()], env.dir.path());
    assert_eq!(out.matches("run.approve").count(), 2, "{out}");

    // One rejection rejects: the saga undoes `route`.
    let (_, body) = env.hook("goodwill", bytes(&ticket("T-401", "en", "refund")), None).await.unwrap();
    let id = body["run_id"].as_str().unwrap().to_owned();
    env.until_status(&id, "waiting").await;
    assert_eq!(env.vote("sup2", &id, "sign-off", "reject").await.0, 200);
    let run = env.finished(&id).await;
    assert_eq!(run["run"]["status"], "compensated", "{run}");
    assert_eq!(attempt_trail(&run), ["route:succeeded", "sign-off:failed", "unroute:succeeded"]);
    assert_eq!(run["attempts"][1]["error"]["kind"], "approval-rejected");
}

// The approval timeout is durable: the server is killed while the run waits, and after the
// restart the timeout fires once with its declared outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_timeout_survives_a_crash_and_fires_once() {
    let mut env = Env::start().await;
    let quick = CREDIT
        .replace("name: goodwill", "name: quick")
        .replace("webhook: goodwill", "webhook: quick")
        .replace("timeout: 1h", "timeout: 2s")
        .replace("on_timeout: reject", "on_timeout: approve");
    assert_eq!(env.deploy("quick", &quick).await.0, 201);
    let (_, body) = env.hook("quick", bytes(&ticket("T-500", "en", "refund")), None).await.unwrap();
    let id = body["run_id"].as_str().unwrap().to_owned();
    env.until_status(&id, "waiting").await;
    tokio::task::block_in_place(|| env.server.crash_and_restart());
    let run = env.finished(&id).await;
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    assert_eq!(attempt_trail(&run), ["route:succeeded", "sign-off:succeeded", "tag:succeeded"]);
    assert_eq!(run["attempts"][1]["decision"]["outputs"]["timed_out"], true);
}
