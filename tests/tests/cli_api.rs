//! `weft api METHOD PATH [--json BODY]` against a real server: the JSON answer is printed, and a
//! refused request, a bad method, a bad path or bad JSON each exit non-zero saying what to fix,
//! without sending anything.

use serde_json::Value;
use weft_e2e::server::{Server, add_user, create_token, weft};

#[tokio::test]
async fn weft_api_prints_answers_and_explains_refusals() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    add_user(&data, "admin", "admin", "admin-test-password");
    let token = create_token(&data, "admin");
    let server = Server::start(&data, &[]);
    let base = format!("http://{}", server.addr);
    let call = |extra: &[&str]| {
        let mut args = vec!["api"];
        args.extend_from_slice(extra);
        args.extend(["--server", &base, "--token", &token]);
        weft(&args, dir.path())
    };

    let (code, out, err) = call(&["POST", "/v1/kb/spaces", "--json", r#"{"id":"help","name":"Help"}"#]);
    assert_eq!(code, 0, "{err}");
    let created: Value = serde_json::from_str(&out).expect("JSON printed");
    assert_eq!(created["id"], "help", "{out}");

    let (code, out, err) = call(&["get", "/v1/kb/spaces"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"help\""), "{out}");

    // The server's refusal, with its status and code.
    let (code, _, err) = call(&["POST", "/v1/kb/spaces", "--json", r#"{"id":"help","name":"Again"}"#]);
    assert_ne!(code, 0);
    assert!(err.contains("409"), "{err}");

    // Refused before sending anything.
    let (code, _, err) = call(&["POST", "/v1/kb/spaces", "--json", "{id: help}"]);
    assert_ne!(code, 0);
    assert!(err.contains("--json is not valid JSON"), "{err}");
    let (code, _, err) = call(&["FETCH", "/v1/kb/spaces"]);
    assert_ne!(code, 0);
    assert!(err.contains("unknown method") && err.contains("GET"), "{err}");
    let (code, _, err) = call(&["GET", "v1/kb/spaces"]);
    assert_ne!(code, 0);
    assert!(err.contains("must start with /"), "{err}");

    let (code, out, err) = call(&["GET", "/v1/kb/spaces"]);
    assert_eq!(code, 0, "{err}");
    let spaces: Value = serde_json::from_str(&out).expect("JSON printed");
    let names: Vec<&str> = spaces.as_array().into_iter().flatten().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, vec!["Help"], "the refused calls changed nothing: {out}");
}
