//! Search end to end against the real server: articles in English and Chinese published through
//! the real review pipeline are found at once, drafts never; a re-published edit replaces the old
//! text; titles outrank bodies; space and tag filters; escaped highlights; clear errors for bad
//! queries; readers never see spaces they cannot read; a compiled plugin searches through the
//! `kb-search` capability; and a missing, stale or damaged index is rebuilt from the store on start.
//! One server for the whole file (restarted in place), to keep the suite lean.

mod kb_common;

use std::path::Path;

use kb_common::World;
use serde_json::{Value, json};
use weft_e2e::kb_node::run_json;
use weft_e2e::plugins::component;
use weft_e2e::server::{add_user, create_token};

async fn act(w: &World, user: &str, id: &str, action: &str, body: Value) -> Value {
    let (status, out) = w.call(user, "POST", &format!("/v1/kb/articles/{id}/{action}"), Some(body)).await;
    assert_eq!(status, 200, "{action} {id}: {out}");
    out
}

/// Submit, both review stages, publish: the real pipeline. Returns the published version.
async fn publish(w: &World, id: &str) -> i64 {
    let a = act(w, "ana", id, "submit", json!({})).await;
    let a = act(w, "rita", id, "approve", json!({"content_hash": a["content_hash"]})).await;
    let a = act(w, "vera", id, "approve", json!({"content_hash": a["content_hash"]})).await;
    assert_eq!(a["stage"], "approved", "{a}");
    let v = act(w, "pat", id, "publish", json!({"content_hash": a["content_hash"]})).await;
    v["version"].as_i64().unwrap_or_default()
}

async fn create_in(w: &World, space: &str, title: &str, body: &str, tags: &[&str]) -> String {
    let (status, a) = w
        .call(
            "ana",
            "POST",
            &format!("/v1/kb/spaces/{space}/articles"),
            Some(json!({"title": title, "body": body, "tags": tags})),
        )
        .await;
    assert_eq!(status, 201, "{a}");
    a["id"].as_str().unwrap_or_default().to_string()
}

async fn published(w: &World, space: &str, title: &str, body: &str, tags: &[&str]) -> String {
    let id = create_in(w, space, title, body, tags).await;
    publish(w, &id).await;
    id
}

/// (status, body) of a search as `user` with the raw query string `params`.
async fn search(w: &World, user: &str, params: &[(&str, &str)]) -> (u16, Value) {
    let res = w
        .http
        .get(w.server.url("/v1/kb/search"))
        .query(params)
        .bearer_auth(w.token(user))
        .send()
        .await
        .expect("search request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The article ids of a successful search, best first.
async fn ids(w: &World, user: &str, params: &[(&str, &str)]) -> Vec<String> {
    let (status, body) = search(w, user, params).await;
    assert_eq!(status, 200, "{params:?}: {body}");
    body["hits"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| h["article_id"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn hit(w: &World, user: &str, q: &str, id: &str) -> Value {
    let (_, body) = search(w, user, &[("q", q)]).await;
    body["hits"].as_array().into_iter().flatten().find(|h| h["article_id"] == id).cloned().unwrap_or(Value::Null)
}

struct Ids {
    refund: String,
    zh: String,
    chargeback_title: String,
    chargeback_body: String,
    markup: String,
    secret: String,
}

#[tokio::test]
async fn search_published_articles() {
    let mut w = World::start().await;
    // A second space the reader has no role in.
    let (status, body) =
        w.call("admin", "POST", "/v1/kb/spaces", Some(json!({"id": "secret", "name": "Secret"}))).await;
    assert_eq!(status, 201, "{body}");
    for (user, roles) in
        [("ana", "kb-author"), ("rita", "kb-reviewer"), ("vera", "kb-reviewer"), ("pat", "kb-publisher")]
    {
        let path = format!("/v1/kb/spaces/secret/members/{user}");
        let (status, body) = w.call("admin", "PUT", &path, Some(json!({"roles": [roles]}))).await;
        assert_eq!(status, 200, "{body}");
    }

    // Found right after publish answers: no polling, the publish commits the index before it returns.
    let refund =
        published(&w, "support", "Refund policy", "Refunds are paid back within five working days.", &["billing"])
            .await;
    assert_eq!(ids(&w, "reader", &[("q", "refunds")]).await, vec![refund.clone()]);
    let zh =
        published(&w, "support", "如何申请退款", "在订单页面点击申请退款，我们会在五天内处理。", &["billing", "zh"])
            .await;
    let chargeback_title =
        published(&w, "support", "Chargeback handling", "Escalate to the finance team.", &["billing"]).await;
    let chargeback_body =
        published(&w, "support", "Shipping times", "Parcels ship in two days. A chargeback is not a return.", &[])
            .await;
    let markup = published(
        &w,
        "support",
        "Markup hygiene",
        "Never paste <script>alert('x')</script> & other markup into the reply form.",
        &[],
    )
    .await;
    let secret = published(&w, "secret", "Secret chargeback escalation", "Internal chargeback contacts.", &[]).await;
    // Drafts and articles in review are never searchable.
    create_in(&w, "support", "Unicorn returns", "Unicorns may be returned.", &[]).await;
    let in_review = create_in(&w, "support", "Unicorn exchange", "Unicorns may be exchanged.", &[]).await;
    act(&w, "ana", &in_review, "submit", json!({})).await;
    assert!(ids(&w, "admin", &[("q", "unicorn")]).await.is_empty());

    let ids_ = Ids { refund, zh, chargeback_title, chargeback_body, markup, secret };
    found_and_ranked(&w, &ids_).await;
    filtered_and_private(&w, &ids_).await;
    snippets_are_escaped(&w, &ids_).await;
    bad_queries_are_refused(&w).await;
    republish_replaces(&w, &ids_).await;
    plugin_searches(&w, &ids_).await;
    rebuilt_on_start(&mut w, &ids_).await;
}

async fn found_and_ranked(w: &World, a: &Ids) {
    // Chinese, found by a word inside the unspaced text and by a question that is not a phrase.
    assert_eq!(ids(w, "reader", &[("q", "退款")]).await, vec![a.zh.clone()]);
    assert_eq!(ids(w, "reader", &[("q", "订单退款")]).await, vec![a.zh.clone()]);
    let zh = hit(w, "reader", "订单", &a.zh).await;
    assert!(zh["snippet_html"].as_str().unwrap_or_default().contains("<b>订单</b>"), "{zh}");
    assert_eq!((zh["space"].as_str(), zh["version"].as_i64()), (Some("support"), Some(1)), "{zh}");
    assert_eq!(zh["tags"], json!(["billing", "zh"]));
    // Mixed: an English and a Chinese word find both articles.
    let both = ids(w, "reader", &[("q", "refund 退款")]).await;
    assert!(both.contains(&a.refund) && both.contains(&a.zh), "{both:?}");
    // A title match ranks above a body match.
    assert_eq!(ids(w, "reader", &[("q", "chargeback")]).await, [a.chargeback_title.clone(), a.chargeback_body.clone()]);
    // Quoted text is a phrase.
    assert_eq!(ids(w, "reader", &[("q", "\"five working days\"")]).await, vec![a.refund.clone()]);
    assert!(ids(w, "reader", &[("q", "\"days working five\"")]).await.is_empty());
}

async fn filtered_and_private(w: &World, a: &Ids) {
    let billing = ids(w, "reader", &[("q", "refund OR chargeback OR 退款"), ("tag", "billing")]).await;
    assert_eq!(billing.len(), 3, "{billing:?}");
    assert!(!billing.contains(&a.chargeback_body));
    assert_eq!(ids(w, "reader", &[("q", "退款"), ("tag", "billing"), ("tag", "zh")]).await, vec![a.zh.clone()]);
    assert!(ids(w, "reader", &[("q", "refund"), ("tag", "nope")]).await.is_empty());
    // The reader has no role in `secret`: its hits never show, and asking for it is refused.
    assert!(!ids(w, "reader", &[("q", "chargeback")]).await.contains(&a.secret));
    let (status, err) = search(w, "reader", &[("q", "chargeback"), ("space", "secret")]).await;
    assert_eq!((status, err["code"].as_str()), (403, Some("forbidden")), "{err}");
    let (status, err) = search(w, "reader", &[("q", "chargeback"), ("space", "nowhere")]).await;
    assert_eq!(status, 404, "{err}");
    assert!(ids(w, "outsider", &[("q", "chargeback")]).await.is_empty());
    // Members of both spaces see both; the space filter narrows.
    let admin = ids(w, "admin", &[("q", "chargeback")]).await;
    assert!(admin.contains(&a.secret) && admin.contains(&a.chargeback_title), "{admin:?}");
    assert_eq!(ids(w, "pat", &[("q", "chargeback"), ("space", "secret")]).await, vec![a.secret.clone()]);
    // Searching needs credentials.
    let res = w.http.get(w.server.url("/v1/kb/search?q=refund")).send().await.expect("request");
    assert_eq!(res.status().as_u16(), 401);
}

async fn snippets_are_escaped(w: &World, a: &Ids) {
    let h = hit(w, "reader", "script markup", &a.markup).await;
    let html = h["snippet_html"].as_str().unwrap_or_default();
    assert!(html.contains("&lt;<b>script</b>&gt;"), "{html}");
    assert!(html.contains("&amp;") && !html.contains("<script"), "{html}");
    let without_highlights = html.replace("<b>", "").replace("</b>", "");
    assert!(!without_highlights.contains('<') && !without_highlights.contains('>'), "{html}");
    // A title-only hit still gets a snippet: the body's opening, escaped.
    let h = hit(w, "reader", "hygiene", &a.markup).await;
    assert!(h["snippet_html"].as_str().unwrap_or_default().starts_with("Never paste &lt;script&gt;"), "{h}");
}

async fn bad_queries_are_refused(w: &World) {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("q", "\"refund policy")], "close every quote"),
        (&[("q", "(refund OR credit")], "close every quote"),
        (&[("q", "title:")], "put a word after `title:`"),
        (&[("q", "AND")], "both sides of AND"),
        (&[("q", "?!…，。")], "no words to search for"),
        (&[("q", "-refund")], "only excludes"),
        (&[("q", "")], "empty"),
        (&[], "empty"),
        (&[("q", "refund"), ("limit", "0")], "between 1 and 50"),
        (&[("q", "refund"), ("limit", "51")], "between 1 and 50"),
        (&[("q", "refund"), ("limit", "ten")], "whole number"),
        (&[("q", "refund"), ("sort", "date")], "unknown search parameter"),
    ];
    for (params, says) in cases {
        let (status, err) = search(w, "reader", params).await;
        assert_eq!((status, err["code"].as_str()), (422, Some("invalid")), "{params:?}: {err}");
        let message = err["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{params:?}: {message}");
    }
    // The server keeps serving, and nothing was lost.
    assert_eq!(ids(w, "reader", &[("q", "refund"), ("limit", "50")]).await.len(), 1);
}

async fn republish_replaces(w: &World, a: &Ids) {
    run_json("set-body.mjs", &[&w.ws(), w.token("ben"), &a.refund, "Refunds now come as store credit."]);
    // Until it is published again, search still shows the published text, not the draft.
    assert_eq!(ids(w, "reader", &[("q", "\"working days\"")]).await, vec![a.refund.clone()]);
    assert!(ids(w, "reader", &[("q", "credit")]).await.is_empty());
    assert_eq!(publish(w, &a.refund).await, 2);
    assert!(ids(w, "reader", &[("q", "working")]).await.is_empty());
    let h = hit(w, "reader", "credit", &a.refund).await;
    assert_eq!(h["version"], 2, "{h}");
    assert_eq!(h["snippet_html"], "Refunds now come as store <b>credit</b>");
}

async fn plugin_searches(w: &World, a: &Ids) {
    let data = w.server.data.clone();
    add_user(&data, "dev", "plugin-developer", "dev-test-password");
    add_user(&data, "ops", "operator", "ops-test-password");
    let (dev, ops) = (create_token(&data, "dev"), create_token(&data, "ops"));
    let res = w
        .http
        .post(w.server.url("/v1/plugins"))
        .bearer_auth(&dev)
        .body(component("kb-lookup"))
        .send()
        .await
        .expect("publish");
    assert_eq!(res.status().as_u16(), 201);
    let put = |grants: Value| {
        w.http
            .put(w.server.url("/v1/deployments/lookup"))
            .bearer_auth(&ops)
            .json(&json!({"plugin": "kb-lookup@0.1.0", "grants": grants}))
            .send()
    };
    assert!(put(json!(["kb.read"])).await.expect("deploy").status().is_success());
    let invoke = |subject: &str, tags: Value, space: Option<&str>| {
        let mut ticket =
            json!({"id": "T-1", "channel": "chat", "subject": subject, "tags": tags, "customer": {"id": "C-1"}});
        if let Some(space) = space {
            ticket["fields"] = json!({"kb_space": space});
        }
        w.http
            .post(w.server.url("/v1/deployments/lookup/invoke"))
            .bearer_auth(&ops)
            .json(&json!({"ticket": ticket}))
            .send()
    };
    let report: Value = invoke("退款", json!([]), None).await.expect("invoke").json().await.unwrap_or_default();
    let outputs = &report["result"]["decision"]["outputs"];
    assert_eq!(outputs["count"], 1, "{report}");
    assert_eq!(outputs["hits"][0][0], a.zh.as_str(), "{report}");
    assert_eq!(outputs["hits"][0][2], "如何申请退款");
    // Plain text, not HTML.
    assert!(outputs["hits"][0][3].as_str().unwrap_or_default().contains("申请退款"), "{report}");
    // Plugins search every space (published answers), narrowed by space and tags.
    let report: Value =
        invoke("chargeback", json!([]), Some("secret")).await.expect("invoke").json().await.unwrap_or_default();
    assert_eq!(report["result"]["decision"]["outputs"]["hits"][0][0], a.secret.as_str(), "{report}");
    let report: Value =
        invoke("chargeback", json!(["billing"]), None).await.expect("invoke").json().await.unwrap_or_default();
    assert_eq!(report["result"]["decision"]["outputs"]["count"], 1, "{report}");
    // A bad query fails the step with the search's explanation.
    let report: Value = invoke("\"refund", json!([]), None).await.expect("invoke").json().await.unwrap_or_default();
    let message = report["result"]["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("close every quote"), "{report}");
    // ... as the plugin's own mistake (not retried), not as the search being down.
    assert_eq!(report["result"]["error"]["error"]["kind"], "invalid-input", "{report}");
    assert_eq!(report["result"]["error"]["retryable"], false, "{report}");
    // Without the capability the host refuses.
    assert!(put(json!([])).await.expect("deploy").status().is_success());
    let report: Value = invoke("退款", json!([]), None).await.expect("invoke").json().await.unwrap_or_default();
    assert_eq!(report["result"]["error"]["kind"], "capability-denied", "{report}");
}

fn index_dir(data: &Path) -> std::path::PathBuf {
    data.join("kb-index")
}

async fn everything_found(w: &World, a: &Ids) {
    assert_eq!(ids(w, "reader", &[("q", "退款")]).await, vec![a.zh.clone()]);
    assert_eq!(ids(w, "reader", &[("q", "credit")]).await, vec![a.refund.clone()]);
    assert!(ids(w, "reader", &[("q", "working")]).await.is_empty(), "the old version must not come back");
    assert_eq!(ids(w, "reader", &[("q", "chargeback")]).await, [a.chargeback_title.clone(), a.chargeback_body.clone()]);
    assert_eq!(ids(w, "admin", &[("q", "secret")]).await, vec![a.secret.clone()]);
    assert!(ids(w, "admin", &[("q", "unicorn")]).await.is_empty(), "drafts stay out of a rebuilt index");
}

async fn rebuilt_on_start(w: &mut World, a: &Ids) {
    let snapshot = tempfile::tempdir().expect("temp dir");
    let saved = snapshot.path().join("kb-index");
    // Missing: deleted while stopped (a copy is kept to restore later).
    restart(w, |data| {
        copy_dir(&index_dir(data), &saved);
        std::fs::remove_dir_all(index_dir(data)).expect("delete the index");
    });
    everything_found(w, a).await;

    // Behind the store: a publish the restored (older) index never saw is caught up on start.
    let warranty = published(w, "support", "Warranty claims", "Claims need the receipt.", &[]).await;
    restart(w, |data| {
        std::fs::remove_dir_all(index_dir(data)).expect("delete the index");
        copy_dir(&saved, &index_dir(data));
    });
    assert_eq!(ids(w, "reader", &[("q", "warranty")]).await, vec![warranty.clone()]);
    everything_found(w, a).await;

    // Damaged: garbage written over every index file.
    restart(w, |data| {
        for entry in std::fs::read_dir(index_dir(data)).expect("index dir").flatten() {
            if entry.path().is_file() {
                std::fs::write(entry.path(), b"\x00garbage{not an index").expect("overwrite");
            }
        }
    });
    everything_found(w, a).await;
    assert_eq!(ids(w, "reader", &[("q", "warranty")]).await, vec![warranty.clone()]);

    // Damaged subtly: one segment file truncated, meta.json intact.
    restart(w, |data| {
        let segment = std::fs::read_dir(index_dir(data))
            .expect("index dir")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "store"))
            .expect("a segment store file");
        let bytes = std::fs::read(&segment).expect("read segment");
        std::fs::write(&segment, &bytes[..bytes.len() / 2]).expect("truncate");
    });
    everything_found(w, a).await;
}

/// Restarts the server with `between` run while it is stopped; pooled connections died with it.
fn restart(w: &mut World, between: impl FnOnce(&Path)) {
    w.server.restart_after(between);
    w.http = reqwest::Client::new();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create copy");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}
