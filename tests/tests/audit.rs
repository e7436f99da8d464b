//! The audit log end to end: the real `weft` binary records who published and deployed what,
//! `weft audit verify` vouches for an untouched log and names the entry someone edited behind
//! its back. Each test states the behaviour it proves.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use weft_e2e::plugins::component;
use weft_e2e::server::{Server, weft_binary};

/// The OS account the bootstrap commands run as; they record it as `cli:<user>`.
const OS_USER: &str = "alice-admin";

struct Env {
    _dir: tempfile::TempDir,
    data: PathBuf,
    server: Server,
    http: reqwest::Client,
    dev: String,
    ops: String,
}

/// Runs the `weft` CLI as [`OS_USER`] and returns (exit code, stdout, stderr).
fn weft_as_admin(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(weft_binary())
        .args(args)
        .env("USER", OS_USER)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running weft");
    child.stdin.take().expect("stdin").write_all(stdin).expect("writing stdin");
    let out = child.wait_with_output().expect("weft finishes");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn add_user(data: &Path, name: &str, role: &str) -> String {
    let data = data.to_string_lossy();
    let (code, _, err) =
        weft_as_admin(&["user", "add", name, "--role", role, "--data", &data], b"correct horse battery");
    assert_eq!(code, 0, "user add {name}: {err}");
    let (code, token, err) = weft_as_admin(&["token", "create", name, "--data", &data], b"");
    assert_eq!(code, 0, "token create {name}: {err}");
    token.trim().to_string()
}

fn start() -> Env {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    let dev = add_user(&data, "dev", "plugin-developer");
    let ops = add_user(&data, "ops", "operator");
    let server = Server::start(&data, &[]);
    Env { _dir: dir, data, server, http: reqwest::Client::new(), dev, ops }
}

impl Env {
    /// Publishes the router as `dev` and deploys it as `ops`; returns the router's digest.
    async fn publish_and_deploy(&self) -> String {
        let res = self.http.post(self.server.url("/v1/plugins")).bearer_auth(&self.dev).body(component("router"));
        let res = res.send().await.expect("publish request");
        assert_eq!(res.status().as_u16(), 201);
        let published: Value = res.json().await.expect("publish body");

        let body =
            json!({"plugin": "router@0.1.0", "grants": ["effect.assign"], "config": {"queues": {"zh": "billing-cn"}}});
        let res = self.http.put(self.server.url("/v1/deployments/router-prod")).bearer_auth(&self.ops).json(&body);
        let res = res.send().await.expect("deploy request");
        assert_eq!(res.status().as_u16(), 201);
        published["digest"].as_str().expect("digest").to_string()
    }

    fn audit(&self, args: &[&str]) -> (i32, String, String) {
        let data = self.data.to_string_lossy();
        let mut all = vec!["audit"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--data", &data]);
        weft_as_admin(&all, b"")
    }

    fn entries(&self) -> Vec<Value> {
        let (code, out, err) = self.audit(&["list", "--json"]);
        assert_eq!(code, 0, "{err}");
        out.lines().map(|line| serde_json::from_str(line).expect("a JSON entry per line")).collect()
    }
}

// Every user, token, publish and deployment change is logged with who made it, secrets never are,
// and the untouched log verifies.
#[tokio::test]
async fn changes_are_logged_with_their_actors_and_the_log_verifies() {
    let env = start();
    let digest = env.publish_and_deploy().await;

    let (code, out, err) = env.audit(&["verify"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("audit log intact: 8 entries, head "), "{out}");

    let entries = env.entries();
    let summary: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (e["actor"].as_str().unwrap_or(""), e["action"].as_str().unwrap_or(""), e["target"].as_str().unwrap_or(""))
        })
        .collect();
    let admin = format!("cli:{OS_USER}");
    assert_eq!(
        summary,
        [
            (admin.as_str(), "user.create", "dev"),
            (admin.as_str(), "token.create", "dev"),
            (admin.as_str(), "user.create", "ops"),
            (admin.as_str(), "token.create", "ops"),
            ("dev", "token.use", "token:1"),
            ("dev", "plugin.publish", "router@0.1.0"),
            ("ops", "token.use", "token:2"),
            ("ops", "deployment.put", "router-prod"),
        ]
    );
    assert_eq!(entries[4]["details"], json!({"token_id": 1, "name": "cli", "first_use": true}));
    assert_eq!(entries[5]["details"], json!({"digest": digest, "outcome": "created"}));
    assert_eq!(entries[7]["details"]["grants"], json!(["effect.assign"]));
    assert_eq!(entries[7]["details"]["revision"], json!(1));
    assert_eq!(entries[1]["details"]["scopes"], json!(["*"]));
    assert!(entries.iter().all(|e| !e.to_string().contains("weft_")), "a token secret reached the audit log");

    // The head printed by verify is the last entry's hash, so it can be recorded and compared later.
    let head = entries[7]["hash"].as_str().expect("hash");
    assert!(out.trim_end().ends_with(head), "{out}");
}

// Editing an entry directly in the database makes `weft audit verify` exit 1 naming that entry.
#[tokio::test]
async fn tampering_with_the_database_is_detected() {
    let env = start();
    env.publish_and_deploy().await;

    let store =
        weft_store::Store::open(&weft_store::Store::sqlite_url(&env.data)).await.expect("open the server's database");
    store
        .connection()
        .execute_unprepared("UPDATE audit_entries SET actor = 'mallory' WHERE action = 'plugin.publish'")
        .await
        .expect("tampering");

    let (code, out, err) = env.audit(&["verify"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("audit log broken at entry 6: hash mismatch"), "{out}");
    assert!(err.contains("cannot be trusted"), "{err}");
}

// Verifying a directory with no database is an error, not an empty log declared intact.
#[tokio::test]
async fn verifying_a_missing_database_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("nothing-here");
    let (code, out, err) = weft_as_admin(&["audit", "verify", "--data", &data.to_string_lossy()], b"");
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("there is no Weft database"), "{err}");
    assert!(!data.exists(), "verify must not create a data directory");
}

// Token use is audited on first use and then at most once per token per minute (not on every
// request: docs/privacy.md says why); revoking a token from the CLI is audited, and the revoked
// token is refused.
#[tokio::test]
async fn token_use_is_sampled_and_revocation_is_recorded() {
    let env = start();
    for _ in 0..3 {
        let res = env.http.get(env.server.url("/v1/plugins")).bearer_auth(&env.ops).send().await.expect("GET");
        assert_eq!(res.status().as_u16(), 200);
    }
    let uses: Vec<Value> = env.entries().into_iter().filter(|e| e["action"] == "token.use").collect();
    assert_eq!(uses.len(), 1, "three requests within a minute, one entry: {uses:?}");
    assert_eq!((uses[0]["actor"].as_str(), uses[0]["details"]["first_use"].as_bool()), (Some("ops"), Some(true)));

    let data = env.data.to_string_lossy();
    let (code, _, err) = weft_as_admin(&["token", "revoke", "2", "--data", &data], b"");
    assert_eq!(code, 0, "{err}");
    let res = env.http.get(env.server.url("/v1/plugins")).bearer_auth(&env.ops).send().await.expect("GET");
    assert_eq!(res.status().as_u16(), 401, "a revoked token is refused");
    let (code, _, err) = weft_as_admin(&["token", "revoke", "99", "--data", &data], b"");
    assert_eq!(code, 1);
    assert!(err.contains("no API token with id 99"), "{err}");

    let revoked: Vec<Value> = env.entries().into_iter().filter(|e| e["action"] == "token.revoke").collect();
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert_eq!(revoked[0]["actor"], format!("cli:{OS_USER}"));
    assert_eq!(revoked[0]["target"], "token:2");
    let (code, out, err) = env.audit(&["verify"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[path = "kb_common/mod.rs"]
mod kb_common;

// Knowledge-base approvals and publishes (recorded by weft-kb) are in the same verified log,
// with who did them.
#[tokio::test]
async fn kb_approvals_and_publishes_are_audited() {
    let w = kb_common::World::start().await;
    let a = w.create_article("ana", "Refund policy", "Refunds take 5 days.\n", &["billing"]).await;
    let id = a["id"].as_str().expect("id").to_string();
    let act = |user: &'static str, action: &'static str, a: &Value| {
        let body = json!({"content_hash": a["content_hash"]});
        let path = format!("/v1/kb/articles/{id}/{action}");
        let w = &w;
        async move { w.call(user, "POST", &path, Some(body)).await }
    };
    let (status, a) = act("ana", "submit", &a).await;
    assert_eq!(status, 200, "{a}");
    let (status, a) = act("rita", "approve", &a).await;
    assert_eq!(status, 200, "{a}");
    let (status, a) = act("vera", "approve", &a).await;
    assert_eq!(status, 200, "{a}");
    let (status, v) = act("pat", "publish", &a).await;
    assert_eq!(status, 200, "{v}");

    let data = w.server.data.to_string_lossy();
    let (code, out, err) = weft_as_admin(&["audit", "list", "--json", "--limit", "1000", "--data", &data], b"");
    assert_eq!(code, 0, "{err}");
    let entries: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).expect("JSON entry")).collect();
    let kb: Vec<(&str, &str, &str)> = entries
        .iter()
        .filter(|e| e["action"].as_str().is_some_and(|a| a.starts_with("kb.article.")))
        .map(|e| {
            (e["actor"].as_str().unwrap_or(""), e["action"].as_str().unwrap_or(""), e["target"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        kb,
        [
            ("ana", "kb.article.create", id.as_str()),
            ("ana", "kb.article.submit", id.as_str()),
            ("rita", "kb.article.approve", id.as_str()),
            ("vera", "kb.article.approve", id.as_str()),
            ("pat", "kb.article.publish", id.as_str()),
        ]
    );
    let (code, out, err) = weft_as_admin(&["audit", "verify", "--data", &data], b"");
    assert_eq!(code, 0, "{out}{err}");
}
