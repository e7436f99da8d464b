//! The plugin registry end to end: the real `weft` binary on loopback with a SQLite file, real
//! components, real tokens. Each test states the behaviour it proves.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use weft_e2e::plugins::component;
use weft_e2e::server::{self, Server, weft, weft_binary};

struct Env {
    _dir: tempfile::TempDir,
    server: Server,
    http: reqwest::Client,
    dev: String,
    ops: String,
    agent: String,
}

fn start() -> Env {
    let staffed = server::start_staffed(&[("dev", "plugin-developer"), ("ops", "operator"), ("agent1", "agent")], &[]);
    let [dev, ops, agent] = <[String; 3]>::try_from(staffed.tokens).expect("three tokens");
    Env { _dir: staffed.dir, server: staffed.server, http: reqwest::Client::new(), dev, ops, agent }
}

impl Env {
    async fn publish(&self, token: &str, bytes: Vec<u8>, digest: Option<&str>) -> (u16, Value) {
        let mut req = self.http.post(self.server.url("/v1/plugins")).bearer_auth(token).body(bytes);
        if let Some(d) = digest {
            req = req.header("x-weft-digest", d);
        }
        let res = req.send().await.expect("request");
        (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let res = self.http.get(self.server.url(path)).bearer_auth(token).send().await.expect("request");
        (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
    }

    async fn put(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        let res = self.http.put(self.server.url(path)).bearer_auth(token).json(&body).send().await.expect("request");
        (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        let res = self.http.post(self.server.url(path)).bearer_auth(token).json(&body).send().await.expect("request");
        (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
    }

    async fn plugin_count(&self) -> usize {
        self.get(&self.dev, "/v1/plugins").await.1["items"].as_array().map(Vec::len).unwrap_or(0)
    }
}

/// A valid component with a different digest but the same manifest: the router plus one extra
/// custom section (allowed anywhere in a component binary).
fn router_rebuilt() -> Vec<u8> {
    let mut bytes = component("router");
    let name = b"rebuilt";
    let payload = b"2026-11-22";
    bytes.push(0x00);
    bytes.push((1 + name.len() + payload.len()) as u8);
    bytes.push(name.len() as u8);
    bytes.extend_from_slice(name);
    bytes.extend_from_slice(payload);
    bytes
}

// Publishing lists the plugin with name, version, digest, contract version and capabilities;
// publishing the same bytes again is idempotent.
#[tokio::test]
async fn publish_list_inspect() {
    let env = start();
    let bytes = component("router");
    let digest = weft_runtime_digest(&bytes);
    let (status, body) = env.publish(&env.dev, bytes.clone(), Some(&digest)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["digest"], json!(digest));
    assert_eq!(body["uploaded_by"], json!("dev"));
    let (status, _) = env.publish(&env.dev, bytes, None).await;
    assert_eq!(status, 200, "same bytes again is not an error");

    let (_, list) = env.get(&env.ops, "/v1/plugins").await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["name"], json!("router"));
    assert_eq!(items[0]["contract_version"], json!("0.1.0"));

    let version = items[0]["version"].as_str().expect("version").to_string();
    let (status, inspect) = env.get(&env.ops, &format!("/v1/plugins/router/{version}")).await;
    assert_eq!(status, 200);
    let caps: Vec<&str> =
        inspect["capabilities"].as_array().unwrap().iter().filter_map(|c| c["name"].as_str()).collect();
    assert!(caps.contains(&"effect.assign"), "{inspect}");
}

fn weft_runtime_digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

// name@version is immutable: different bytes under the same version are refused, the original kept.
#[tokio::test]
async fn republish_with_other_digest_is_refused() {
    let env = start();
    assert_eq!(env.publish(&env.dev, component("router"), None).await.0, 201);
    let (status, body) = env.publish(&env.dev, router_rebuilt(), None).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], json!("version-conflict"));
    let (_, list) = env.get(&env.dev, "/v1/plugins").await;
    assert_eq!(list["items"][0]["digest"], json!(weft_runtime_digest(&component("router"))));
}

// A digest that does not match the bytes is refused and nothing is published.
#[tokio::test]
async fn mismatched_digest_is_refused() {
    let env = start();
    let wrong = weft_runtime_digest(b"something else");
    let (status, body) = env.publish(&env.dev, component("router"), Some(&wrong)).await;
    assert_eq!(status, 422);
    assert_eq!(body["code"], json!("digest-mismatch"));
    assert_eq!(env.plugin_count().await, 0);
}

// Bad artifacts get precise 4xx errors; the server keeps serving and publishing.
#[tokio::test]
async fn bad_artifacts_are_refused_and_the_server_keeps_serving() {
    let env = start();
    let router = component("router");
    let cases = [
        (b"hello, world".to_vec(), "invalid-component"),
        (b"\0asm\x01\0\0\0".to_vec(), "invalid-component"),
        (router[..router.len() / 3].to_vec(), "invalid-component"),
        (component("incompatible-contract"), "incompatible-contract"),
    ];
    for (bytes, code) in cases {
        let (status, body) = env.publish(&env.dev, bytes, None).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["code"], json!(code), "{body}");
        assert!(body["message"].as_str().is_some_and(|m| m.len() > 20), "{body}");
    }
    assert_eq!(env.plugin_count().await, 0);
    assert_eq!(env.publish(&env.dev, router, None).await.0, 201);
}

// Roles are checked: no token is 401, a role without the right is 403 with what is needed.
#[tokio::test]
async fn roles_are_enforced() {
    let env = start();
    let res = env.http.post(env.server.url("/v1/plugins")).body(component("router")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let (status, body) = env.publish(&env.agent, component("router"), None).await;
    assert_eq!(status, 403);
    assert!(body["message"].as_str().unwrap().contains("plugin-developer"), "{body}");
    let (status, _) = env.publish(&env.ops, component("router"), None).await;
    assert_eq!(status, 403, "operators deploy, they do not publish");
    let (status, _) = env.get("weft_not-a-real-token", "/v1/plugins").await;
    assert_eq!(status, 401);
}

// An operator deploys with grants and config; grants beyond the manifest and config that fails the
// schema are refused; the deployment runs the real plugin and kv writes persist.
#[tokio::test]
async fn deploy_grant_and_invoke() {
    let env = start();
    let (_, body) = env.publish(&env.dev, component("capability-probe"), None).await;
    let id = format!("capability-probe@{}", body["version"].as_str().unwrap());

    let (status, err) = env.put(&env.ops, "/v1/deployments/probe", json!({"plugin": id, "grants": ["pii.raw"]})).await;
    assert_eq!(status, 422, "{err}");
    assert!(err["message"].as_str().unwrap().contains("does not declare"), "{err}");

    let (status, dep) = env.put(&env.ops, "/v1/deployments/probe", json!({"plugin": id, "grants": []})).await;
    assert_eq!(status, 201, "{dep}");
    let input = json!({"ticket": {"id": "T-1", "channel": "chat", "subject": "kv", "customer": {"id": "C-1"}}});
    let (status, report) = env.post(&env.ops, "/v1/deployments/probe/invoke", input.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(report["result"]["error"]["kind"], json!("capability-denied"), "{report}");
    assert!(report["result"]["error"]["message"].as_str().unwrap().contains("weft deployment grant probe kv"));

    // `weft deployment grant` adds the capability (GET + PUT with If-Match).
    let server = format!("http://{}", env.server.addr);
    let (code, _, err) =
        weft(&["deployment", "grant", "probe", "kv", "--server", &server, "--token", &env.ops], Path::new("."));
    assert_eq!(code, 0, "{err}");
    let (_, report) = env.post(&env.ops, "/v1/deployments/probe/invoke", input).await;
    assert!(report["result"]["decision"].is_object(), "{report}");
    assert!(report["fuel_used"].as_u64().unwrap() > 0);
}

// A configuration that fails the plugin's config schema is refused with the failing path.
#[tokio::test]
async fn config_is_checked_against_the_plugin_schema() {
    let env = start();
    assert_eq!(env.publish(&env.dev, component("router"), None).await.0, 201);
    let body = json!({"plugin": "router@0.1.0", "grants": ["effect.assign"], "config": {"queues": 3}});
    let (status, err) = env.put(&env.ops, "/v1/deployments/r", body).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["code"], json!("invalid-deployment"));
    assert!(err["details"]["errors"][0].as_str().unwrap().starts_with("/queues"), "{err}");
    let (status, _) = env.get(&env.ops, "/v1/deployments/r").await;
    assert_eq!(status, 404, "nothing was stored");
}

// A stale If-Match is refused instead of overwriting someone else's change.
#[tokio::test]
async fn stale_if_match_is_refused() {
    let env = start();
    let (_, body) = env.publish(&env.dev, component("capability-probe"), None).await;
    let id = format!("capability-probe@{}", body["version"].as_str().unwrap());
    assert_eq!(env.put(&env.ops, "/v1/deployments/p", json!({"plugin": id})).await.0, 201);
    assert_eq!(env.put(&env.ops, "/v1/deployments/p", json!({"plugin": id, "grants": ["kv"]})).await.0, 200);
    let res = env
        .http
        .put(env.server.url("/v1/deployments/p"))
        .bearer_auth(&env.ops)
        .header("if-match", "\"1\"")
        .json(&json!({"plugin": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 412);
}

// Everything survives a crash: kill -9, start again on the same data directory.
#[tokio::test]
async fn registry_survives_a_restart() {
    let mut env = start();
    assert_eq!(env.publish(&env.dev, component("router"), None).await.0, 201);
    env.server.crash_and_restart();
    // Pooled connections died with the old process; a client reconnects.
    env.http = reqwest::Client::new();
    assert_eq!(env.plugin_count().await, 1);
    // The same bytes are still recognised as already published.
    assert_eq!(env.publish(&env.dev, component("router"), None).await.0, 200);
}

/// `weft plugin test` on a crate, reusing the guest build's compiled dependencies.
fn plugin_test(dir: &Path, target: &Path) -> std::process::Output {
    Command::new(weft_binary())
        .args(["plugin", "test", "--dir", &dir.to_string_lossy()])
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("running weft plugin test")
}

// The plugin author's loop with the real CLI: new, build, test (fixtures pass), publish.
#[tokio::test]
async fn author_loop_new_build_test_publish() {
    let env = start();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("my-router");
    let (code, out, err) = weft(&["plugin", "new", "my-router", "--dir", &dir.to_string_lossy()], work.path());
    assert_eq!(code, 0, "{out}{err}");
    // Reuse the guest build's compiled dependencies.
    let target = weft_e2e::plugins::target_dir();
    let output = plugin_test(&dir, &target);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("PASS") && stdout.contains("fuel") && stdout.contains("0 failed"), "{stdout}");

    // A fixture whose expectation is wrong fails the command and shows what differed.
    let example = std::fs::read_to_string(dir.join("fixtures/example.json")).unwrap();
    std::fs::write(dir.join("fixtures/wrong.json"), example.replace("intent:billing", "intent:shipping")).unwrap();
    let output = plugin_test(&dir, &target);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(stdout.contains("FAIL wrong.json") && stdout.contains("1 failed"), "{stdout}");
    assert!(stdout.contains("--- expected effects") && stdout.contains("+++ actual effects"), "{stdout}");
    let removed = stdout.lines().any(|l| l.trim_start().starts_with('-') && l.contains("intent:shipping"));
    let added = stdout.lines().any(|l| l.trim_start().starts_with('+') && l.contains("intent:billing"));
    assert!(removed && added, "the diff names both values: {stdout}");
    std::fs::remove_file(dir.join("fixtures/wrong.json")).unwrap();

    let server = format!("http://{}", env.server.addr);
    let output = Command::new(weft_binary())
        .args(["plugin", "publish", "--dir", &dir.to_string_lossy(), "--server", &server, "--token", &env.dev])
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("Published my-router@0.1.0"));
}
