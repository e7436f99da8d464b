//! Personal data at rest, end to end on the real server and its real SQLite file: tickets go
//! through a real workflow run; the customer's email and phone never reach the database file in
//! plaintext; authorised callers still read them; export, erasure with crypto-shredding, a run
//! in flight blocking erasure, master-key rotation, wrong/missing keys at start-up and a
//! tampered ciphertext each behave as docs/privacy.md says.

#[path = "support/workflow.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use support::{Env, bytes, routing_workflow, ticket};
use weft_e2e::server::{weft, weft_binary};

const SIGN_OFF: &str = "\
name: sign-off
trigger: {webhook: sign-off}
steps:
  - id: route
    plugin: router@^0.1
  - id: approve
    approval:
      roles: [operator]
      quorum: 1
      timeout: 1h
      on_timeout: reject
";

const EMAIL: &str = "ana.privacy@example.com";
const PHONE: &str = "+34 600 111 222";

fn customer_ticket(id: &str, customer: &str, email: &str, phone: &str) -> Value {
    let mut t = ticket(id, "en", &format!("Please call me back on {phone}, my invoice is wrong"));
    t["customer"] = json!({"id": customer, "name": "Ana Example", "email": email, "phone": phone, "tier": "premium"});
    t
}

/// The database file and its write-ahead log, as bytes: what a stolen disk or backup holds.
fn raw_database(data: &Path) -> Vec<u8> {
    let mut all = std::fs::read(data.join("weft.db")).expect("read weft.db");
    if let Ok(wal) = std::fs::read(data.join("weft.db-wal")) {
        all.extend(wal);
    }
    all
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

async fn run_ticket(env: &Env, hook: &str, t: &Value) -> String {
    let (status, body) = env.hook(hook, bytes(t), None).await.expect("hook");
    assert!(status == 200 || status == 202, "{body}");
    body["run_id"].as_str().expect("run id").to_owned()
}

async fn sql(data: &Path, query: &str) -> Vec<sea_orm::QueryResult> {
    let store = weft_store::Store::open(&weft_store::Store::sqlite_url(data)).await.expect("open the database");
    let db = store.connection();
    db.query_all_raw(Statement::from_string(db.get_database_backend(), query.to_owned())).await.expect(query)
}

fn audit_actions(env: &Env, key: &str) -> Vec<Value> {
    let data = env.data.to_str().expect("utf-8 path");
    let (code, out, err) =
        weft(&["audit", "list", "--json", "--limit", "1000", "--data", data, "--master-key-file", key], env.dir.path());
    assert_eq!(code, 0, "{err}");
    out.lines().map(|l| serde_json::from_str(l).expect("audit JSON")).collect()
}

/// `weft serve` that must refuse to start: its exit code and stderr.
fn serve_fails(data: &Path, args: &[&str]) -> String {
    let mut child = std::process::Command::new(weft_binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn weft serve");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(!status.success(), "weft serve {args:?} should have refused to start");
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err).expect("stderr");
            return err;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("weft serve {args:?} started although its master key is wrong");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn personal_data_is_sealed_exported_erased_and_survives_key_rotation() {
    let mut env = Env::start().await;
    assert_eq!(env.deploy("routing", &routing_workflow("routing", "new-ticket")).await.0, 201);
    assert_eq!(env.deploy("sign-off", SIGN_OFF).await.0, 201);
    let default_key = env.data.join("master.key");
    let default_key = default_key.to_str().expect("utf-8 path").to_owned();

    // The embedded default: a key generated in the data directory, readable by its owner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&default_key).expect("master.key was generated").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // A real run for Ana, through real plugins.
    let ana = run_ticket(&env, "new-ticket?wait=20s", &customer_ticket("T-ana", "C-ana", EMAIL, PHONE)).await;
    let ana_run = env.finished(&ana).await;
    assert_eq!(ana_run["run"]["status"], "succeeded", "{ana_run}");
    // Authorised callers read plaintext, exactly as before encryption.
    assert_eq!(ana_run["run"]["ticket"]["customer"]["email"], EMAIL);
    assert_eq!(ana_run["attempts"][0]["input"]["ticket"]["customer"]["phone"], PHONE, "{ana_run}");
    // A second customer, Bob, whose data must survive Ana's erasure and the key rotation.
    let bob =
        run_ticket(&env, "new-ticket?wait=20s", &customer_ticket("T-bob", "C-bob", "bob@example.com", "+1 555 0100"))
            .await;
    env.finished(&bob).await;

    // At rest: neither the email nor the phone number is anywhere in the database file.
    let raw = raw_database(&env.data);
    for secret in [EMAIL, PHONE, "bob@example.com", "Please call me back"] {
        assert!(!contains(&raw, secret.as_bytes()), "{secret} is stored in plaintext");
    }

    // Export: operators only; everything about Ana, decrypted; audited.
    let (status, body) = env.send_json("GET", "/v1/customers/C-ana/export", &env.dev, None).await;
    assert_eq!(status, 403, "{body}");
    let (status, export) = env.get("/v1/customers/C-ana/export").await;
    assert_eq!(status, 200, "{export}");
    assert_eq!(export["customer_id"], "C-ana");
    let runs = export["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "only Ana's run: {export}");
    assert_eq!(runs[0]["run"]["id"], ana.as_str());
    assert_eq!(runs[0]["run"]["ticket"]["customer"]["email"], EMAIL);
    assert_eq!(runs[0]["attempts"].as_array().map(Vec::len), Some(3), "{export}");
    assert_eq!(runs[0]["attempts"][2]["input"]["ticket"]["customer"]["phone"], PHONE);
    assert_eq!(export["cases"][0]["ticket_id"], "T-ana", "{export}");
    let (status, body) = env.get("/v1/customers/C-nobody/export").await;
    assert_eq!(status, 404, "{body}");

    // A swapped ciphertext (Bob's ticket copied into Ana's row) is a clear error naming the
    // row, not a panic and not Bob's data shown as Ana's.
    let before = sql(&env.data, &format!("SELECT ticket FROM workflow_runs WHERE id = '{ana}'")).await;
    let ana_ticket: String = before[0].try_get("", "ticket").expect("ticket column");
    sql(
        &env.data,
        &format!(
            "UPDATE workflow_runs SET ticket = (SELECT ticket FROM workflow_runs WHERE id = '{bob}') WHERE id = '{ana}'"
        ),
    )
    .await;
    let (status, body) = env.get(&format!("/v1/runs/{ana}")).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["code"], "unsealable");
    let message = body["message"].as_str().expect("message");
    assert!(message.contains(&format!("workflow_runs row {ana} field ticket")), "{message}");
    assert!(message.contains("failed authentication"), "{message}");
    let (status, _) = env.get("/healthz").await;
    assert_eq!(status, 200, "the server is still up");
    // Putting the real ciphertext back restores the row: nothing else was damaged.
    let escaped = ana_ticket.replace('\'', "''");
    sql(&env.data, &format!("UPDATE workflow_runs SET ticket = '{escaped}' WHERE id = '{ana}'")).await;
    assert_eq!(env.get(&format!("/v1/runs/{ana}")).await.1["run"]["ticket"]["customer"]["email"], EMAIL);

    // Erasure is refused while a run of the customer's is in flight, and says what to do.
    let waiting = run_ticket(&env, "sign-off", &customer_ticket("T-cy", "C-cy", "cy@example.com", "+1 555 0199")).await;
    env.until_status(&waiting, "waiting").await;
    let (status, body) = env.send_json("DELETE", "/v1/customers/C-cy", &env.ops, None).await;
    assert_eq!(status, 409, "{body}");
    let message = body["message"].as_str().expect("message");
    assert!(message.contains(&waiting) && message.contains("cancel"), "{message}");
    assert_eq!(env.get(&format!("/v1/runs/{waiting}")).await.0, 200, "nothing was erased");
    assert_eq!(env.post(&format!("/v1/runs/{waiting}/cancel")).await.0, 200);
    let (status, body) = env.send_json("DELETE", "/v1/customers/C-cy", &env.ops, None).await;
    assert_eq!(status, 200, "{body}");

    // Unknown customers, and callers without the role.
    let (status, body) = env.send_json("DELETE", "/v1/customers/C-nobody", &env.ops, None).await;
    assert_eq!(status, 404, "{body}");
    assert!(body["message"].as_str().expect("message").contains("C-nobody"), "{body}");
    let (status, _) = env.send_json("DELETE", "/v1/customers/C-ana", &env.dev, None).await;
    assert_eq!(status, 403);

    // Erase Ana: rows gone, data key destroyed, and not a byte of it left in the file.
    let key_row = sql(&env.data, "SELECT wrapped FROM customer_keys WHERE customer_id = 'C-ana'").await;
    let wrapped: Vec<u8> = key_row[0].try_get("", "wrapped").expect("wrapped key");
    let sealed: Value = serde_json::from_str(&ana_ticket).expect("sealed JSON");
    let ciphertext = sealed["data"].as_str().expect("sealed data").to_owned();
    assert!(contains(&raw_database(&env.data), ciphertext.as_bytes()), "the ciphertext is there before");
    let (status, erased) = env.send_json("DELETE", "/v1/customers/C-ana", &env.ops, None).await;
    assert_eq!(status, 200, "{erased}");
    assert_eq!(erased["runs"], 1);
    assert_eq!(erased["attempts"], 3);
    assert_eq!(erased["data_key_destroyed"], true);
    let raw = raw_database(&env.data);
    assert!(!contains(&raw, &wrapped), "the wrapped data key is gone from the file");
    assert!(!contains(&raw, ciphertext.as_bytes()), "the ticket's ciphertext is gone from the file");
    assert!(!contains(&raw, EMAIL.as_bytes()));
    assert_eq!(env.get(&format!("/v1/runs/{ana}")).await.0, 404);
    assert_eq!(env.get("/v1/customers/C-ana/export").await.0, 404);
    assert_eq!(env.send_json("DELETE", "/v1/customers/C-ana", &env.ops, None).await.0, 404, "erasing twice");
    // A copy of Ana's ciphertext that survived elsewhere (say, restored from a backup into
    // another row) names the destroyed key instead of opening.
    let saved = sql(&env.data, &format!("SELECT ticket FROM workflow_runs WHERE id = '{bob}'")).await;
    let bob_ticket: String = saved[0].try_get("", "ticket").expect("ticket column");
    sql(&env.data, &format!("UPDATE workflow_runs SET ticket = '{escaped}' WHERE id = '{bob}'")).await;
    let (status, body) = env.get(&format!("/v1/runs/{bob}")).await;
    assert_eq!(status, 500, "{body}");
    assert!(body["message"].as_str().expect("message").contains("no longer exists"), "{body}");
    let bob_escaped = bob_ticket.replace('\'', "''");
    sql(&env.data, &format!("UPDATE workflow_runs SET ticket = '{bob_escaped}' WHERE id = '{bob}'")).await;
    assert_eq!(env.get(&format!("/v1/runs/{bob}")).await.0, 200, "Bob's data is untouched");

    let actions = audit_actions(&env, &default_key);
    for (action, target) in [("customer.export", "C-ana"), ("customer.erase", "C-ana"), ("customer.erase", "C-cy")] {
        assert!(
            actions.iter().any(|e| e["action"] == action && e["target"] == target),
            "{action} of {target} is audited"
        );
    }
    rotation_and_startup_keys(&mut env, &default_key).await;
}

/// Rotation rewraps every data key; data written before reads after; the old key, a missing
/// key and a lost key file each stop start-up with what to do, and losing nothing.
async fn rotation_and_startup_keys(env: &mut Env, old_key: &str) {
    // A fresh run for Dee, to read back after rotation.
    let dee =
        run_ticket(env, "new-ticket?wait=20s", &customer_ticket("T-dee", "C-dee", "dee@example.com", "+1 555 0142"))
            .await;
    env.finished(&dee).await;

    // Rollout: the new key becomes current while the old one is still accepted as retired.
    // Data keys wrapped by the old key keep opening; a new customer's key is wrapped by the new.
    let data = env.data.to_str().expect("utf-8 path").to_owned();
    let new_key = env.dir.path().join("new-master.key");
    let new_key = new_key.to_str().expect("utf-8 path").to_owned();
    std::fs::write(&new_key, format!("{}\n", "c0ffee42".repeat(8))).expect("write the new key");
    env.server.restart_with(&["--master-key-file", &new_key, "--retired-master-key-file", old_key]);
    env.http = reqwest::Client::new();
    let (status, run) = env.get(&format!("/v1/runs/{dee}")).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["run"]["ticket"]["customer"]["email"], "dee@example.com");
    let eve =
        run_ticket(env, "new-ticket?wait=20s", &customer_ticket("T-eve", "C-eve", "eve@example.com", "+1 555 0177"))
            .await;
    env.finished(&eve).await;

    // Rotation rewraps everything the old key still wraps, in one transaction.
    env.server.stop();
    let (code, out, err) = weft(
        &[
            "keys",
            "rotate",
            "--new-key-file",
            &new_key,
            "--master-key-file",
            &new_key,
            "--retired-master-key-file",
            old_key,
            "--data",
            &data,
        ],
        env.dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("rewrapped"), "{out}");

    // The old key no longer opens anything: start-up refuses, naming what to do.
    let err = serve_fails(&env.data, &["--master-key-file", old_key]);
    assert!(err.contains("does not open this database") && err.contains("--master-key-file"), "{err}");
    // A key file that is not there.
    let err = serve_fails(&env.data, &["--master-key-file", "/nonexistent/weft.key"]);
    assert!(err.contains("/nonexistent/weft.key") && err.contains("cannot be read"), "{err}");
    // The data directory's default key lost: no new key is silently generated over the data.
    std::fs::rename(old_key, format!("{old_key}.bak")).expect("move the old key away");
    let err = serve_fails(&env.data, &[]);
    assert!(err.contains("is missing") && err.contains("--master-key-file PATH"), "{err}");
    assert!(!Path::new(old_key).exists(), "no stray key was left behind");

    // With the new key everything written before the rotation reads back.
    env.server.restart_with(&["--master-key-file", &new_key]);
    // Pooled keep-alive connections point at the killed process.
    env.http = reqwest::Client::new();
    let (status, run) = env.get(&format!("/v1/runs/{dee}")).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["run"]["ticket"]["customer"]["email"], "dee@example.com");
    let (status, run) = env.get(&format!("/v1/runs/{eve}")).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["run"]["ticket"]["customer"]["phone"], "+1 555 0177");
    let (status, export) = env.get("/v1/customers/C-bob/export").await;
    assert_eq!(status, 200, "{export}");

    let actions = audit_actions(env, &new_key);
    assert!(actions.iter().any(|e| e["action"] == "keys.rotate"), "the rotation is audited");
    env.server.stop();
    let (code, out, err) = weft(&["audit", "verify", "--data", &data, "--master-key-file", &new_key], env.dir.path());
    assert_eq!(code, 0, "{out}{err}");
}
