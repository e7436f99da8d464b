//! Shared set-up for the workflow end-to-end tests: a real `weft serve` on loopback with a SQLite
//! file, real compiled plugins published through the API, and tokens for each role involved.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use weft_e2e::plugins::component;
use weft_e2e::server::{Server, start_staffed, weft};

/// The three-step routing workflow (compliance → triage → route) most run tests deploy, under
/// `name` and listening on `webhook`. `route` is skipped for language `xx`.
pub fn routing_workflow(name: &str, webhook: &str) -> String {
    format!(
        "\
name: {name}
trigger:
  webhook: {webhook}
steps:
  - id: compliance
    plugin: compliance@^0.1
  - id: triage
    plugin: triage@^0.1
  - id: route
    plugin: router@^0.1
    when: ticket.language != 'xx'
    config:
      queues: {{zh: billing-cn, en: support-en}}
"
    )
}

pub struct Env {
    pub dir: tempfile::TempDir,
    pub data: PathBuf,
    pub server: Server,
    pub http: reqwest::Client,
    pub ops: String,
    pub dev: String,
    pub hook: String,
    /// Two more operators (approvers) and an agent, by username.
    pub tokens: std::collections::HashMap<String, String>,
}

pub const PLUGINS: &[&str] = &["router", "triage", "compliance", "panics", "infinite-loop"];

impl Env {
    pub async fn start() -> Env {
        Env::start_with(&[]).await
    }

    /// As [`Env::start`], with extra `weft serve` arguments.
    pub async fn start_with(serve_args: &[&str]) -> Env {
        let users = [
            ("ops", "operator"),
            ("dev", "plugin-developer"),
            ("helpdesk", "integrator"),
            ("sup1", "operator"),
            ("sup2", "operator"),
            ("agent1", "agent"),
        ];
        let staffed = start_staffed(&users, serve_args);
        let tokens = staffed.tokens;
        let env = Env {
            dir: staffed.dir,
            data: staffed.data,
            server: staffed.server,
            http: reqwest::Client::new(),
            ops: tokens[0].clone(),
            dev: tokens[1].clone(),
            hook: tokens[2].clone(),
            tokens: users.iter().map(|(u, _)| u.to_string()).zip(tokens.iter().cloned()).collect(),
        };
        for plugin in PLUGINS {
            env.publish(plugin).await;
        }
        env
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = self.http.get(self.server.url(path)).bearer_auth(&self.ops).send().await.expect("GET");
        (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
    }

    /// `method path` with a JSON body (if any) as the holder of `token`.
    pub async fn send_json(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(method, self.server.url(path)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request");
        (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
    }

    /// Publishes one more compiled guest crate as the plugin developer.
    pub async fn publish(&self, crate_name: &str) {
        let res = self
            .http
            .post(self.server.url("/v1/plugins"))
            .bearer_auth(&self.dev)
            .body(component(crate_name))
            .send()
            .await
            .expect("publish");
        assert!(res.status().is_success(), "publishing {crate_name}: {}", res.text().await.unwrap_or_default());
    }

    pub async fn post(&self, path: &str) -> (u16, Value) {
        let res = self.http.post(self.server.url(path)).bearer_auth(&self.ops).send().await.expect("POST");
        (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
    }

    /// `POST /v1/runs/{id}/approvals` as `user`.
    pub async fn vote(&self, user: &str, run: &str, step: &str, decision: &str) -> (u16, Value) {
        let res = self
            .http
            .post(self.server.url(&format!("/v1/runs/{run}/approvals")))
            .bearer_auth(&self.tokens[user])
            .json(&json!({"step": step, "decision": decision, "comment": format!("{user} says {decision}")}))
            .send()
            .await
            .expect("POST approvals");
        (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
    }

    /// Polls until the run's status is `status` (deadline 60 s).
    pub async fn until_status(&self, run_id: &str, status: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (_, body) = self.get(&format!("/v1/runs/{run_id}")).await;
            if body["run"]["status"] == status {
                return body;
            }
            assert!(Instant::now() < deadline, "run {run_id} never became {status}: {body}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `PUT /v1/workflows/{name}` with the YAML.
    pub async fn deploy(&self, name: &str, yaml: &str) -> (u16, Value) {
        let res = self
            .http
            .put(self.server.url(&format!("/v1/workflows/{name}")))
            .bearer_auth(&self.ops)
            .body(yaml.to_owned())
            .send()
            .await
            .expect("PUT workflow");
        (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
    }

    /// Posts a ticket to a webhook as the integrator.
    pub async fn hook(&self, path: &str, body: Vec<u8>, key: Option<&str>) -> Result<(u16, Value), reqwest::Error> {
        let mut req = self
            .http
            .post(self.server.url(&format!("/v1/hooks/{path}")))
            .bearer_auth(&self.hook)
            .header("content-type", "application/json")
            .body(body);
        if let Some(key) = key {
            req = req.header("idempotency-key", key);
        }
        let res = req.send().await?;
        Ok((res.status().as_u16(), res.json().await.unwrap_or(Value::Null)))
    }

    /// Polls until the run has finished (deadline 120 s) and returns `GET /v1/runs/{id}`.
    pub async fn finished(&self, run_id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let (status, body) = self.get(&format!("/v1/runs/{run_id}")).await;
            assert_eq!(status, 200, "{body}");
            let s = body["run"]["status"].as_str().unwrap_or_default();
            if !matches!(s, "running" | "waiting" | "compensating") {
                return body;
            }
            assert!(Instant::now() < deadline, "run {run_id} did not finish: {body}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs the `weft` CLI against this server as the operator.
    pub fn cli(&self, args: &[&str], cwd: &Path) -> (i32, String, String) {
        let mut all: Vec<&str> = args.to_vec();
        let server = format!("http://{}", self.server.addr);
        all.extend(["--server", &server, "--token", &self.ops]);
        weft(&all, cwd)
    }
}

pub fn ticket(id: &str, language: &str, body: &str) -> Value {
    json!({
        "id": id,
        "channel": "email",
        "subject": "Question about my invoice",
        "body": body,
        "language": language,
        "customer": {"id": format!("C-{id}"), "name": "Li Lei", "tier": "standard"},
    })
}

pub fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("json")
}

/// The statuses of a run's attempts, as `step:status` strings in order.
pub fn attempt_trail(run: &Value) -> Vec<String> {
    run["attempts"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| format!("{}:{}", x["step"].as_str().unwrap_or("?"), x["status"].as_str().unwrap_or("?")))
                .collect()
        })
        .unwrap_or_default()
}

/// What an integrator needs to call webhooks, without the server handle (which the test keeps
/// to kill and restart it while requests are in flight).
#[derive(Clone)]
pub struct HookClient {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl HookClient {
    pub async fn send(&self, path: &str, body: Vec<u8>, key: &str) -> Result<(u16, Value), reqwest::Error> {
        let res = self
            .http
            .post(format!("{}/v1/hooks/{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .timeout(Duration::from_secs(60))
            .body(body)
            .send()
            .await?;
        Ok((res.status().as_u16(), res.json().await.unwrap_or(Value::Null)))
    }
}

impl Env {
    pub fn hook_client(&self) -> HookClient {
        HookClient { http: self.http.clone(), base: format!("http://{}", self.server.addr), token: self.hook.clone() }
    }
}
