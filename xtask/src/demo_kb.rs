//! Demo knowledge base for `cargo xtask run`: a `help-center` space with a member in every kb
//! role, and three articles in English and Chinese, one taken through both review stages and
//! published so search and the `kb-search` capability find it. Everything goes through the
//! running server's API (`weft api`), as each demo user; it runs once per data directory.

use std::path::Path;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::demo::{run_weft, token_for};

const SPACE: &str = "help-center";

/// (user, roles in the space)
const MEMBERS: &[(&str, &[&str])] = &[
    ("author", &["kb-author"]),
    ("reviewer", &["kb-reviewer"]),
    ("verifier", &["kb-reviewer:verification"]),
    ("publisher", &["kb-publisher"]),
    ("agent", &["kb-reader"]),
];

/// (title, body, tags); the first is published.
const ARTICLES: &[(&str, &str, &[&str])] = &[
    (
        "How refunds work 退款流程",
        "# How refunds work\n\nRefunds go back to the original payment method within 5 working days.\n\n\
         退款将在 5 个工作日内原路退回。如超过 7 天仍未到账，请联系客服并提供订单号。\n",
        &["refund", "billing"],
    ),
    (
        "Delivery delays 配送延误",
        "# Delivery delays\n\nIf a parcel is more than 2 days late, agents may offer a delivery voucher.\n\n\
         包裹延误超过 2 天时，客服可以提供运费券。\n",
        &["delivery"],
    ),
    (
        "Resetting a password 重置密码",
        "# Resetting a password\n\nSend the reset link from Settings → Security; it expires after 30 minutes.\n",
        &["account"],
    ),
];

pub fn seed(weft: &Path, server: &str, tokens: &Path, data: &Path) -> anyhow::Result<()> {
    let marker = data.join("demo-kb-seeded");
    if marker.exists() {
        return Ok(());
    }
    if token_for(tokens, "author").is_err() {
        println!("note: {} predates the demo knowledge base (no kb users); delete ./data to seed it", tokens.display());
        return Ok(());
    }
    let api = |user: &str, method: &str, path: &str, body: Option<Value>| -> anyhow::Result<Value> {
        let token = token_for(tokens, user)?;
        let mut args = vec!["api", method, path, "--server", server, "--token", &token];
        let body = body.map(|b| b.to_string());
        if let Some(body) = &body {
            args.extend(["--json", body]);
        }
        let out = run_weft(weft, &args)?;
        if out.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&out).with_context(|| format!("`weft api {method} {path}` did not print JSON: {out}"))
    };

    api("admin", "POST", "/v1/kb/spaces", Some(json!({"id": SPACE, "name": "Help center 帮助中心"})))?;
    for (user, roles) in MEMBERS {
        api("admin", "PUT", &format!("/v1/kb/spaces/{SPACE}/members/{user}"), Some(json!({"roles": roles})))?;
    }
    let mut ids = Vec::new();
    for (title, body, tags) in ARTICLES {
        let article = api(
            "author",
            "POST",
            &format!("/v1/kb/spaces/{SPACE}/articles"),
            Some(json!({"title": title, "body": body, "tags": tags})),
        )?;
        let Some(id) = article["id"].as_str() else { bail!("creating {title:?} answered no id: {article}") };
        ids.push(id.to_owned());
    }
    let first = &ids[0];
    api("author", "POST", &format!("/v1/kb/articles/{first}/submit"), None)?;
    let hash = |article: &Value| article["content_hash"].as_str().map(str::to_owned).context("no content_hash");
    let seen = hash(&api("reviewer", "GET", &format!("/v1/kb/articles/{first}"), None)?)?;
    api("reviewer", "POST", &format!("/v1/kb/articles/{first}/approve"), Some(json!({"content_hash": seen})))?;
    api("verifier", "POST", &format!("/v1/kb/articles/{first}/approve"), Some(json!({"content_hash": seen})))?;
    api("publisher", "POST", &format!("/v1/kb/articles/{first}/publish"), Some(json!({"content_hash": seen})))?;
    std::fs::write(&marker, format!("space {SPACE}: {} articles, {first} published\n", ids.len()))?;
    Ok(())
}
