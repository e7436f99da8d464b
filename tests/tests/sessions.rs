//! Browser sign-in with the real binary: a password buys an HttpOnly session cookie that works
//! like a token until it is signed out; failures say nothing about which part was wrong.

use serde_json::{Value, json};
use weft_e2e::server::{Server, add_user, weft};

fn cookie_of(res: &reqwest::Response) -> String {
    let set = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    set.split(';').next().unwrap_or_default().to_string()
}

/// A server on a fresh data directory with one user whose password is "correct horse battery".
fn start_with(user: &str, role: &str) -> (tempfile::TempDir, std::path::PathBuf, Server) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    add_user(&data, user, role, "correct horse battery");
    let server = Server::start(&data, &[]);
    (dir, data, server)
}

async fn sign_in(http: &reqwest::Client, server: &Server, username: &str, password: &str) -> reqwest::Response {
    let login = json!({"username": username, "password": password});
    http.post(server.url("/v1/sessions")).json(&login).send().await.unwrap()
}

// Sign in, use the cookie, sign out; the cookie then stops working.
#[tokio::test]
async fn login_cookie_logout() {
    let (_dir, _, server) = start_with("mei", "operator");
    let http = reqwest::Client::new();

    let res = sign_in(&http, &server, "mei", "correct horse battery").await;
    assert_eq!(res.status().as_u16(), 201);
    let cookie = cookie_of(&res);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["username"], json!("mei"));

    let me: Value =
        http.get(server.url("/v1/sessions/me")).header("cookie", &cookie).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["user"]["roles"][0]["role"], json!("operator"), "{me}");
    let res = http.get(server.url("/v1/deployments")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200, "an operator's session reaches operator routes");
    let origin = format!("http://{}", server.addr);
    let res = http
        .post(server.url("/v1/plugins"))
        .header("cookie", &cookie)
        .header("origin", origin)
        .body(vec![0u8])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403, "and only those");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], json!("forbidden"), "{body}");

    let res = http.delete(server.url("/v1/sessions")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 204);
    let res = http.get(server.url("/v1/sessions/me")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], json!("session-expired"));
}

// A wrong password and an unknown user get the same answer, and both attempts are audited.
#[tokio::test]
async fn failed_logins_are_indistinguishable_and_audited() {
    let (dir, data, server) = start_with("mei", "operator");
    let http = reqwest::Client::new();
    let mut answers = Vec::new();
    for (user, password) in [("mei", "wrong password!"), ("nobody", "correct horse battery")] {
        let res = sign_in(&http, &server, user, password).await;
        assert_eq!(res.status().as_u16(), 401);
        assert!(res.headers().get("set-cookie").is_none());
        let body: Value = res.json().await.unwrap();
        answers.push((body["code"].clone(), body["message"].clone()));
    }
    assert_eq!(answers[0], answers[1]);

    let (code, out, err) = weft(&["audit", "list", "--json", "--data", &data.to_string_lossy()], dir.path());
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.matches("session.login_failed").count(), 2, "{out}");
}

// A session cookie changes things only from Weft's own pages: a write (or WebSocket upgrade)
// without Origin, or from another site, is refused before anything happens; same-origin works.
#[tokio::test]
async fn cross_site_writes_with_a_cookie_are_refused() {
    let (_dir, _, server) = start_with("ivy", "integrator");
    let http = reqwest::Client::new();
    let res = sign_in(&http, &server, "ivy", "correct horse battery").await;
    let cookie = cookie_of(&res);
    let subscription = json!({"url": "http://127.0.0.1:9/hook", "event_types": ["run.completed"]});
    let post = |origin: Option<String>| {
        let mut req = http.post(server.url("/v1/event-subscriptions")).header("cookie", &cookie).json(&subscription);
        if let Some(origin) = origin {
            req = req.header("origin", origin);
        }
        req.send()
    };

    for origin in [None, Some("https://evil.example".to_string())] {
        let res = post(origin.clone()).await.unwrap();
        assert_eq!(res.status().as_u16(), 403, "origin {origin:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], json!("cross-site-request"), "{body}");
    }
    let listed: Value = http
        .get(server.url("/v1/event-subscriptions"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["subscriptions"], json!([]), "nothing was created by the refused requests");

    let res = post(Some(format!("http://{}", server.addr))).await.unwrap();
    assert_eq!(res.status().as_u16(), 201, "a same-origin write goes through");
}
