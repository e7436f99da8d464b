//! The review pipeline end to end: submit, approvals bound to content hashes, the refusals (self-
//! approval, wrong stage, stale hash, publishing early or without the role), an edit sending the
//! article back, publishing, history with diffs and approvers, restore, and the audit trail.

mod kb_common;

use kb_common::World;
use serde_json::{Value, json};
use weft_e2e::kb_node::run_json;

async fn act(w: &World, user: &str, id: &str, action: &str, body: Value) -> (u16, Value) {
    w.call(user, "POST", &format!("/v1/kb/articles/{id}/{action}"), Some(body)).await
}

fn hash(a: &Value) -> String {
    a["content_hash"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn review_publish_history_restore() {
    let w = World::start().await;
    let a = w.create_article("ana", "Refund policy 退款", "Refunds take 5 days.\n退款需要五天。\n", &["billing"]).await;
    let id = a["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(a["stage"], "draft");
    assert_eq!(a["allowed"]["submit"]["ok"], true);

    // Nothing to approve or publish in a draft.
    let (status, err) = act(&w, "pat", &id, "publish", json!({"content_hash": hash(&a)})).await;
    assert_eq!(status, 409, "{err}");
    assert!(err["message"].as_str().unwrap_or_default().contains("every review stage approved"), "{err}");

    let (status, a) = act(&w, "ana", &id, "submit", json!({})).await;
    assert_eq!((status, a["stage"].as_str()), (200, Some("expert-review")), "{a}");
    assert_eq!(a["stages"][0]["state"], "current");

    // The author cannot approve their own article.
    let (status, err) = act(&w, "ana", &id, "approve", json!({"content_hash": hash(&a)})).await;
    assert_eq!(status, 403, "{err}");
    assert!(err["message"].as_str().unwrap_or_default().contains("wrote this article"), "{err}");
    // A verification-only reviewer cannot approve expert review.
    let (status, err) = act(&w, "vera", &id, "approve", json!({"content_hash": hash(&a)})).await;
    assert_eq!(status, 403, "{err}");
    assert!(err["message"].as_str().unwrap_or_default().contains("stage expert-review"), "{err}");
    // A stale hash is a conflict that says to reload.
    let (status, err) = act(&w, "rita", &id, "approve", json!({"content_hash": "0".repeat(64)})).await;
    assert_eq!(status, 409, "{err}");
    assert!(err["message"].as_str().unwrap_or_default().contains("reload"), "{err}");

    let (status, a) = act(&w, "rita", &id, "approve", json!({"content_hash": hash(&a)})).await;
    assert_eq!((status, a["stage"].as_str()), (200, Some("verification")), "{a}");
    assert_eq!(a["stages"][0]["approvals"][0]["user"], "rita");

    // An edit after approval sends the article back to the first review stage, approvals gone.
    run_json("edit.mjs", &[&w.ws(), w.token("ben"), &id, "Weekends count.\n"]);
    let a = w.article("ana", &id).await;
    assert_eq!(a["stage"], "expert-review", "{a}");
    assert_eq!(a["stages"][0]["approvals"], json!([]));
    assert_eq!(a["last_editor"], "ben");

    let (_, a) = act(&w, "rita", &id, "approve", json!({"content_hash": hash(&a)})).await;
    let (status, a) = act(&w, "vera", &id, "approve", json!({"content_hash": hash(&a)})).await;
    assert_eq!((status, a["stage"].as_str()), (200, Some("approved")), "{a}");
    assert_eq!(a["allowed"]["publish"]["ok"], false, "ana is no publisher");

    let (status, err) = act(&w, "ana", &id, "publish", json!({"content_hash": hash(&a)})).await;
    assert_eq!(status, 403, "{err}");
    assert!(err["message"].as_str().unwrap_or_default().contains("kb-publisher"), "{err}");
    let (status, v) = act(&w, "pat", &id, "publish", json!({"content_hash": hash(&a)})).await;
    assert_eq!((status, v["version"].as_i64()), (200, Some(1)), "{v}");
    let a = w.article("ana", &id).await;
    assert_eq!((a["stage"].as_str(), a["published_version"].as_i64()), (Some("published"), Some(1)));
    assert!(a["verification_expires_at"].is_string(), "{a}");

    // History: the version with its approvers; the transitions with actors and times.
    let (_, versions) = w.call("reader", "GET", &format!("/v1/kb/articles/{id}/versions"), None).await;
    assert_eq!(versions[0]["published_by"], "pat", "{versions}");
    let approvers: Vec<(&str, &str)> = versions[0]["approvals"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| (x["stage"].as_str().unwrap_or(""), x["user"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(approvers, vec![("expert-review", "rita"), ("verification", "vera")]);
    let (_, transitions) = w.call("reader", "GET", &format!("/v1/kb/articles/{id}/transitions"), None).await;
    let steps: Vec<(&str, &str, &str)> = transitions
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| (t["from"].as_str().unwrap_or(""), t["to"].as_str().unwrap_or(""), t["actor"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("draft", "expert-review", "ana"),
            ("expert-review", "verification", "rita"),
            ("verification", "expert-review", "ben"),
            ("expert-review", "verification", "rita"),
            ("verification", "approved", "vera"),
            ("approved", "published", "pat"),
        ]
    );
    assert!(transitions.as_array().into_iter().flatten().all(|t| t["at"].is_string()));

    // Editing the published article starts a new draft; the diff shows the change.
    run_json("edit.mjs", &[&w.ws(), w.token("ana"), &id, "Ask for a receipt.\n"]);
    let a = w.article("ana", &id).await;
    assert_eq!(a["stage"], "draft");
    let (_, diff) = w.call("ana", "GET", &format!("/v1/kb/articles/{id}/diff"), None).await;
    assert_eq!(diff["base_version"], 1);
    assert!(diff["unified"].as_str().unwrap_or_default().contains("+Ask for a receipt."), "{diff}");
    let inserted: Vec<&str> = diff["hunks"][0]["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|l| l["op"] == "insert")
        .filter_map(|l| l["text"].as_str())
        .collect();
    assert_eq!(inserted, vec!["Ask for a receipt."]);

    // Restore: a missing version is a clear 404; version 1 becomes the new draft.
    let (status, err) = act(&w, "ana", &id, "versions/7/restore", json!({})).await;
    assert_eq!(status, 404, "{err}");
    assert!(err["message"].as_str().unwrap_or_default().contains("has no version 7"), "{err}");
    assert_eq!(err["code"], "not_found");
    let (status, a) = act(&w, "ana", &id, "versions/1/restore", json!({})).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["stage"], "draft");
    assert_eq!(a["body"], "Refunds take 5 days.\n退款需要五天。\nWeekends count.\n");
    let (_, v1) = w.call("ana", "GET", &format!("/v1/kb/articles/{id}/versions/1"), None).await;
    assert_eq!(v1["body"], a["body"]);
    assert_eq!(v1["content_hash"], a["content_hash"], "restored content hashes like the version");

    // Request changes sends a reviewed article back to draft with the reviewer's comment.
    let (status, submitted) = act(&w, "ana", &id, "submit", json!({})).await;
    assert_eq!(status, 200, "{submitted}");
    let (status, a) = act(&w, "rita", &id, "request-changes", json!({"comment": "Cite the policy number."})).await;
    assert_eq!((status, a["stage"].as_str()), (200, Some("draft")), "{a}");
    let (_, comments) = w.call("ana", "GET", &format!("/v1/kb/articles/{id}/comments"), None).await;
    assert_eq!(comments[0]["body"], "Cite the policy number.");

    // The audit log has the decisions.
    let data = w.server.data.to_string_lossy().to_string();
    let (code, out, err) = weft_e2e::server::weft(&["audit", "list", "--json", "--data", &data], &w.server.data);
    assert_eq!(code, 0, "{err}");
    for action in ["kb.article.submit", "kb.article.approve", "kb.article.publish", "kb.article.restore"] {
        assert!(out.contains(action), "{action} missing from the audit log");
    }
}
