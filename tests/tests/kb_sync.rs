//! Live editing with stock Yjs clients: real `yjs` + `y-websocket` from Node against the real
//! server. Concurrent and offline edits converge; hostile frames close only their own connection;
//! read-only members are told their edits are refused; unauthenticated and non-member clients
//! never get a socket.

mod kb_common;

use kb_common::World;
use weft_e2e::kb_node::run_json;

// Two editors type at once, go offline, keep typing, reconnect: identical text with every edit,
// Chinese and emoji included; a third client sees the same from the server alone; and the REST
// view of the article (rebuilt from the store once the room closed) agrees.
#[tokio::test]
async fn concurrent_and_offline_edits_converge() {
    let w = World::start().await;
    let article = w.create_article("ana", "退款政策 Refunds", "开头 start\n", &["billing"]).await;
    let id = article["id"].as_str().unwrap_or_default().to_string();

    let out = run_json("converge.mjs", &[&w.ws(), w.token("ana"), &id, w.token("ben")]);
    let body = out["body"].as_str().unwrap_or_default();
    assert_eq!(out["start"], "开头 start\n");
    for piece in out["pieces"].as_array().into_iter().flatten().chain(out["offline"].as_array().into_iter().flatten()) {
        assert!(body.contains(piece.as_str().unwrap_or("?")), "{piece} missing from {body}");
    }
    assert!(out["title"].as_str().unwrap_or_default().ends_with("— 已更新"), "{out}");

    let stored = w.article("ana", &id).await;
    assert_eq!(stored["body"].as_str(), Some(body), "the store holds what the clients converged to");
    assert_eq!(stored["title"], out["title"]);
    let editor = stored["last_editor"].as_str().unwrap_or_default();
    assert!(editor == "ana" || editor == "ben", "{stored}");
}

// Each hostile frame closes only its own connection with a code and a reason; the document a
// fresh client then loads is exactly what it was.
#[tokio::test]
async fn hostile_frames_close_their_connection_and_leave_the_document_intact() {
    let w = World::start().await;
    let article = w.create_article("ana", "Intact", "this text must survive 😀 测试\n", &[]).await;
    let id = article["id"].as_str().unwrap_or_default().to_string();

    let out = run_json("bad_input.mjs", &[&w.ws(), w.token("ana"), &id]);
    let results = out["results"].as_array().cloned().unwrap_or_default();
    let closed = |case: &str| {
        let r = results.iter().find(|r| r["case"] == case).unwrap_or_else(|| panic!("no result for {case}: {out}"));
        (r["code"].as_u64().unwrap_or(0), r["reason"].as_str().unwrap_or_default().to_string())
    };
    for case in ["unknown sync subtype", "truncated update", "garbage update bytes", "unknown message type"] {
        let (code, reason) = closed(case);
        assert_eq!(code, 4400, "{case}: {reason}");
        assert!(
            reason.contains("malformed y-sync message") && reason.contains("document unchanged"),
            "{case}: {reason}"
        );
    }
    let (code, reason) = closed("text frame");
    assert_eq!((code, reason.contains("binary")), (1003, true), "{reason}");
    let (code, reason) = closed("update with missing structs");
    assert_eq!(code, 4409, "{reason}");
    assert!(reason.contains("missing structs") && reason.contains("reconnect"), "{reason}");
    // tungstenite drops the TCP connection when a frame header announces more than the limit,
    // before the server can send a close frame, so the client sees 1006 rather than 1009 with
    // a reason. The point that matters holds: the connection ends, nothing is buffered or stored.
    let (code, reason) = closed("100 MB message");
    assert!(code == 1009 || code == 1006, "{code} {reason}");
    let (code, reason) = closed("awareness flood");
    assert_eq!(code, 4429, "{reason}");
    assert!(reason.contains("awareness flood"), "{reason}");

    assert_eq!(out["body"], "this text must survive 😀 测试\n", "document intact after every attack");
    let stored = w.article("ana", &id).await;
    assert_eq!(stored["body"], "this text must survive 😀 测试\n");
    assert_eq!(stored["content_hash"], article["content_hash"], "nothing was written");
}

// A reader receives the article but its edit is refused with messageAuth and never stored.
#[tokio::test]
async fn read_only_members_are_told_their_edits_are_refused() {
    let w = World::start().await;
    let article = w.create_article("ana", "Read me", "for readers\n", &[]).await;
    let id = article["id"].as_str().unwrap_or_default().to_string();

    let out = run_json("readonly.mjs", &[&w.ws(), w.token("reader"), &id]);
    assert_eq!(out["body"], "for readers\n");
    let denied = out["denied"].as_str().unwrap_or_default();
    assert!(denied.contains("permission denied") && denied.contains("kb-author"), "{denied}");
    let stored = w.article("ana", &id).await;
    assert_eq!(stored["body"], "for readers\n", "the reader's edit was dropped");
}

// No token, a bad token, a non-member, a missing article: plain HTTP errors before any upgrade.
#[tokio::test]
async fn the_sync_endpoint_refuses_before_upgrading() {
    let w = World::start().await;
    let article = w.create_article("ana", "Private", "x\n", &[]).await;
    let id = article["id"].as_str().unwrap_or_default().to_string();
    let upgrade = |token: Option<&str>, article: &str| {
        let mut req = w
            .http
            .get(w.server.url(&format!("/v1/kb/sync/{article}")))
            .header("connection", "upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send()
    };
    assert_eq!(upgrade(None, &id).await.map(|r| r.status().as_u16()).unwrap_or(0), 401);
    assert_eq!(upgrade(Some("weft_nonsense"), &id).await.map(|r| r.status().as_u16()).unwrap_or(0), 401);
    let res = upgrade(Some(w.token("outsider")), &id).await.expect("response");
    assert_eq!(res.status().as_u16(), 403);
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    assert!(body["message"].as_str().unwrap_or_default().contains("members/outsider"), "{body}");
    let res = upgrade(Some(w.token("ana")), "a-doesnotexist").await.expect("response");
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(upgrade(Some(w.token("ana")), &id).await.map(|r| r.status().as_u16()).unwrap_or(0), 101);
}
