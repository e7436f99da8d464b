//! The agent directory end to end: operators manage agents and queues through the real `weft`
//! server (API and CLI) on a SQLite file, and the real compiled routing plugin, deployed on that
//! server, reads the same directory through the `agents.read` capability. One server for the
//! whole file; each step states the rule it proves.

use serde_json::{Value, json};
use weft_e2e::plugins::component;
use weft_e2e::server::{self, Server, weft};

struct Env {
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    server: Server,
    http: reqwest::Client,
    dev: String,
    ops: String,
    agent: String,
}

fn start() -> Env {
    let staffed = server::start_staffed(&[("dev", "plugin-developer"), ("ops", "operator"), ("agent1", "agent")], &[]);
    let [dev, ops, agent] = <[String; 3]>::try_from(staffed.tokens).expect("three tokens");
    Env { _dir: staffed.dir, data: staffed.data, server: staffed.server, http: reqwest::Client::new(), dev, ops, agent }
}

impl Env {
    async fn call(&self, method: reqwest::Method, token: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, self.server.url(path)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        // axum answers a body that does not deserialize with plain text; keep it readable.
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "message": text }));
        (status, body)
    }

    async fn put(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::PUT, token, path, Some(body)).await
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, token, path, Some(body)).await
    }

    async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, token, path, None).await
    }

    /// `weft agent ...` against this server as ops.
    fn cli(&self, args: &[&str]) -> (i32, String, String) {
        let url = self.server.url("");
        let mut all: Vec<&str> = vec!["agent"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--server", &url, "--token", &self.ops]);
        weft(&all, &self.data)
    }

    /// Routes a billing chat ticket in English through the deployed plugin; returns the decision.
    async fn route(&self, deployment: &str) -> Value {
        let input = json!({
            "run_id": "run-1", "step": "routing",
            "ticket": {"id": "T-1", "channel": "chat", "language": "en", "customer": {"id": "C-1"}},
            "prior": [{"step": "triage", "plugin": "triage",
                       "decision": {"outcome": "proceed", "outputs": {"intent": "billing", "sentiment": 0.1}}}]
        });
        let (status, report) = self.post(&self.ops, &format!("/v1/deployments/{deployment}/invoke"), input).await;
        assert_eq!(status, 200, "{report}");
        report["result"]["decision"].clone()
    }
}

fn agent(skill: u8, presence: &str, active: u32) -> Value {
    json!({
        "name": "Agent", "team": "billing", "skills": [{"name": "billing", "level": skill}],
        "languages": ["en", "zh-CN"], "queues": ["billing"], "presence": presence,
        "load": [{"channel": "chat", "capacity": 3, "active": active}]
    })
}

#[tokio::test]
async fn routing_reads_the_directory_operators_manage() {
    let env = start();

    // Queues through the CLI: the overflow queue first, since billing overflows into it.
    let (code, _, err) = env.cli(&["queue", "put", "overflow", "--name", "Overflow (supervisors)"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = env.cli(&[
        "queue",
        "put",
        "billing",
        "--name",
        "Billing",
        "--skill",
        "billing=3",
        "--language",
        "en",
        "--overflow",
        "overflow",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"overflow_queue\": \"overflow\""), "{out}");

    // Agents through the API: ana carries one chat, bo none, cy is offline, dee lacks the skill.
    for (id, spec) in [
        ("ana", agent(7, "online", 1)),
        ("bo", agent(6, "online", 0)),
        ("cy", agent(9, "offline", 0)),
        ("dee", agent(2, "online", 0)),
    ] {
        let (status, body) = env.put(&env.ops, &format!("/v1/agents/{id}"), spec).await;
        assert_eq!(status, 201, "{body}");
    }

    // The routing plugin is published by a developer and deployed by an operator.
    let (status, body) = env
        .http
        .post(env.server.url("/v1/plugins"))
        .bearer_auth(&env.dev)
        .body(component("routing"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), r))
        .expect("publish");
    assert_eq!(status, 201, "{:?}", body.text().await);
    let config = json!({"routes": {"billing": {"queue": "billing", "required": {"billing": 5}}}});
    let deploy = |grants: Vec<&str>| json!({"plugin": "routing@0.1.0", "grants": grants, "config": config});
    let (status, body) =
        env.put(&env.ops, "/v1/deployments/router", deploy(vec!["agents.read", "effect.assign", "effect.tag"])).await;
    assert_eq!(status, 201, "{body}");

    // Least load wins: bo holds nothing; cy is offline and dee lacks billing ≥ 5.
    let decision = env.route("router").await;
    assert_eq!(decision["outputs"]["agent"], json!("bo"), "{decision}");
    assert_eq!(decision["effects"][0]["queue"], json!("billing"));

    // Two conversations given to bo (2 of 3) make ana (1 of 3) the least loaded.
    for _ in 0..2 {
        let (status, body) = env.post(&env.ops, "/v1/agents/bo/assignments", json!({"channel": "chat"})).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(env.route("router").await["outputs"]["agent"], json!("ana"));

    // Equal load: the one assigned longest ago goes first. bo gets a conversation, then ana, so bo
    // has been idle longer; the id order alone would pick ana, so only the idle rule picks bo.
    env.post(&env.ops, "/v1/agents/bo/releases", json!({"channel": "chat"})).await;
    let (_, bo) = env.post(&env.ops, "/v1/agents/bo/assignments", json!({"channel": "chat"})).await;
    // Assignment times are kept to the millisecond; make sure the two differ.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (_, ana) = env.post(&env.ops, "/v1/agents/ana/assignments", json!({"channel": "chat"})).await;
    assert_eq!((ana["load"][0]["active"].clone(), bo["load"][0]["active"].clone()), (json!(2), json!(2)));
    assert_eq!(env.route("router").await["outputs"]["agent"], json!("bo"), "bo was assigned before ana");

    // Presence changes take effect at once: nobody online with the skill → the overflow queue,
    // with the reason.
    let (code, _, err) = env.cli(&["presence", "ana", "away"]);
    assert_eq!(code, 0, "{err}");
    let (status, _) = env.put(&env.ops, "/v1/agents/bo/presence", json!({"presence": "busy"})).await;
    assert_eq!(status, 200);
    let decision = env.route("router").await;
    assert_eq!(decision["outputs"]["queue"], json!("overflow"), "{decision}");
    assert_eq!(
        decision["outputs"]["overflow_reason"],
        json!("no agent of billing fits: 2 not online, 1 below billing 5")
    );

    // What the plugin saw, operators see too.
    let (status, seen) = env.get(&env.agent, "/v1/directory?queue=billing&channel=chat").await;
    assert_eq!(status, 200, "{seen}");
    let ids: Vec<&str> = seen["agents"].as_array().into_iter().flatten().filter_map(|a| a["id"].as_str()).collect();
    assert_eq!(ids, ["ana", "bo", "dee"]);
}

#[tokio::test]
async fn bad_directory_input_is_refused_and_nothing_changes() {
    let env = start();
    let (status, _) = env.put(&env.ops, "/v1/queues/billing", json!({"name": "Billing"})).await;
    assert_eq!(status, 201);
    let (status, _) = env.put(&env.ops, "/v1/agents/ana", agent(7, "online", 0)).await;
    assert_eq!(status, 201);

    // Each refusal says what was wrong and how to fix it.
    for (path, body, code, needle) in [
        ("/v1/agents/ana", agent(11, "online", 0), 422, "levels run from 0 (none) to 10 (expert)"),
        ("/v1/agents/ana", agent(7, "lunch", 0), 422, "presence \"lunch\" is not one of online, busy, away, offline"),
        ("/v1/agents/bo", json!({"name": "Bo", "queues": ["nope"]}), 404, "lists queue nope, which does not exist"),
        ("/v1/agents/ana", json!({"name": "Ana", "skils": []}), 422, "skils"),
        ("/v1/queues/loop", json!({"name": "Loop", "overflow_queue": "loop"}), 422, "cannot overflow into itself"),
    ] {
        let (status, err) = env.put(&env.ops, path, body).await;
        assert_eq!(status, code, "{path}: {err}");
        let message = err["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{path}: {err}");
    }
    // An agent may read the roster but not change it.
    let (status, err) = env.put(&env.agent, "/v1/agents/ana", agent(1, "offline", 0)).await;
    assert_eq!(status, 403, "{err}");
    assert!(err["message"].as_str().unwrap_or_default().contains("needs the role operator"), "{err}");
    // A queue in use cannot be deleted out from under routing.
    let (status, err) = env.call(reqwest::Method::DELETE, &env.ops, "/v1/queues/billing", None).await;
    assert_eq!(status, 409, "{err}");
    // A malformed CLI flag names the expected form.
    let (code, _, err) = env.cli(&["put", "ana", "--name", "Ana", "--skill", "billing:7"]);
    assert_ne!(code, 0);
    assert!(err.contains("is not NAME=NUMBER (for example --skill billing=7)"), "{err}");

    // Nothing was lost or half-written.
    let (_, list) = env.get(&env.agent, "/v1/agents").await;
    let items = list["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["skills"], json!([{"name": "billing", "level": 7}]));
    assert_eq!(items[0]["presence"], json!("online"));
    let (_, queues) = env.get(&env.ops, "/v1/queues").await;
    assert_eq!(queues["items"].as_array().map(Vec::len), Some(1));

    // A deployment not granted agents.read fails clearly instead of routing blind.
    let (status, _) = env
        .http
        .post(env.server.url("/v1/plugins"))
        .bearer_auth(&env.dev)
        .body(component("routing"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .expect("publish");
    assert_eq!(status, 201);
    let (status, body) = env
        .put(&env.ops, "/v1/deployments/blind", json!({"plugin": "routing@0.1.0", "grants": ["effect.assign"]}))
        .await;
    assert_eq!(status, 201, "{body}");
    let input =
        json!({"run_id": "r", "step": "routing", "ticket": {"id": "T", "channel": "chat", "customer": {"id": "C"}}});
    let (status, report) = env.post(&env.ops, "/v1/deployments/blind/invoke", input).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["result"]["error"]["kind"], json!("capability-denied"), "{report}");
    let message = report["result"]["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("agents.read"), "{message}");
}

// Agents and queues carry ETags: a write with a stale If-Match (someone changed the agent, or an
// assignment moved its load, since it was read) is refused with 412 and changes nothing.
#[tokio::test]
async fn stale_if_match_is_refused_and_changes_nothing() {
    let env = start();
    let put = |path: &str, body: Value, if_match: Option<&str>| {
        let mut req = env.http.put(env.server.url(path)).bearer_auth(&env.ops).json(&body);
        if let Some(tag) = if_match {
            req = req.header("if-match", tag);
        }
        req.send()
    };
    let res = put("/v1/queues/billing", json!({"name": "Billing"}), Some("*")).await.expect("put");
    assert_eq!(res.status().as_u16(), 412, "If-Match * needs an existing queue");
    let res = put("/v1/queues/billing", json!({"name": "Billing"}), None).await.expect("put");
    assert_eq!(res.status().as_u16(), 201);
    let res = put("/v1/agents/ana", agent(7, "online", 0), None).await.expect("put");
    assert_eq!(res.status().as_u16(), 201);
    let read = res.headers()["etag"].to_str().expect("etag").to_owned();

    // Load moves between the read and the write: the write is stale.
    let (status, _) = env.post(&env.ops, "/v1/agents/ana/assignments", json!({"channel": "chat"})).await;
    assert_eq!(status, 200);
    let res = put("/v1/agents/ana", agent(9, "online", 0), Some(&read)).await.expect("put");
    assert_eq!(res.status().as_u16(), 412);
    let err: Value = res.json().await.expect("json");
    assert_eq!(err["code"], "stale", "{err}");
    assert!(err["message"].as_str().unwrap_or_default().contains("read it again"), "{err}");
    let (_, ana) = env.get(&env.ops, "/v1/agents/ana").await;
    assert_eq!(ana["skills"], json!([{"name": "billing", "level": 7}]), "nothing changed");
    assert_eq!(ana["load"][0]["active"], json!(1), "the assignment is kept");

    // With the current tag the write goes through and answers a new tag.
    let res = env.http.get(env.server.url("/v1/agents/ana")).bearer_auth(&env.ops).send().await.expect("get");
    let current = res.headers()["etag"].to_str().expect("etag").to_owned();
    let res = put("/v1/agents/ana", agent(9, "online", 1), Some(&current)).await.expect("put");
    assert_eq!(res.status().as_u16(), 200);
    assert_ne!(res.headers()["etag"].to_str().expect("etag"), current);
}
