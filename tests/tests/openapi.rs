//! The OpenAPI document the server serves: it describes every `/v1` route with one error body,
//! the browsable page renders it, and schemathesis fuzzing the running server against it finds no
//! 5xx and no response that breaks the document.

use std::process::Command;

use serde_json::Value;
use weft_e2e::plugins::component;
use weft_e2e::schemathesis;
use weft_e2e::server::{start_staffed, target_dir};

/// Operations anyone may call: everything else must refuse an anonymous caller with 401.
const PUBLIC: &[(&str, &str)] = &[
    ("post", "/v1/sessions"),
    ("delete", "/v1/sessions"),
    ("get", "/v1/schemas/ticket.json"),
    // Signed webhooks authenticate by signature; without one the body is read first (a 404 or
    // 422 for this path), so the anonymous check below does not apply.
    ("post", "/v1/hooks/{path}"),
];

fn operations(document: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, _) in item.as_object().into_iter().flatten() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                found.push((method.clone(), path.clone()));
            }
        }
    }
    found
}

/// A concrete URL for a templated path (`{id}` → `x`; numeric segments → `1`).
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment {
            "{n}" | "{cid}" => "1",
            s if s.starts_with('{') => "x",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn document_describes_every_route_and_the_docs_page_renders_it() {
    let staffed = start_staffed(&[("ada", "admin")], &[]);
    let server = &staffed.server;
    let http = reqwest::Client::new();

    let res = http.get(server.url("/v1/openapi.json")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let document: Value = res.json().await.unwrap();
    assert!(document["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", document["openapi"]);
    let ops = operations(&document);
    assert!(ops.len() >= 70, "only {} operations are described", ops.len());
    assert!(document["components"]["schemas"]["ErrorBody"].is_object());
    assert!(document["components"]["securitySchemes"]["token"].is_object());
    // The webhook body is the very schema tickets are validated against.
    let hook = &document["paths"]["/v1/hooks/{path}"]["post"]["requestBody"]["content"]["application/json"];
    assert_eq!(hook["schema"]["$ref"], "#/components/schemas/Ticket");
    assert_eq!(
        document["components"]["schemas"]["Ticket"]["required"],
        serde_json::json!(["id", "channel", "customer"])
    );

    // Every described operation exists, and every non-public one refuses an anonymous caller
    // with the shared error body (so the document and the router agree).
    let mut problems = Vec::new();
    for (method, path) in &ops {
        let op = &document["paths"][path][method];
        assert!(op["responses"]["default"].is_object(), "{method} {path} has no default (error) response");
        if PUBLIC.contains(&(method.as_str(), path.as_str())) {
            continue;
        }
        let url = server.url(&concrete(path));
        let req = http.request(method.to_uppercase().parse().unwrap(), url);
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if status != 401 || body["code"].as_str().is_none() || body["message"].as_str().is_none() {
            problems.push(format!("{method} {path}: {status} {body}"));
        }
    }
    assert!(problems.is_empty(), "routes that do not refuse anonymous callers as documented:\n{}", problems.join("\n"));

    // The browsable page: Swagger UI pointed at the document.
    let res = http.get(server.url("/v1/docs/")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("swagger-ui"), "{page}");
    let res = http.get(server.url("/v1/docs/swagger-initializer.js")).send().await.unwrap();
    assert!(res.text().await.unwrap().contains("/v1/openapi.json"));
}

#[tokio::test]
async fn malformed_requests_get_the_shared_error_body() {
    let staffed = start_staffed(&[("ada", "admin")], &[]);
    let server = &staffed.server;
    let admin = &staffed.tokens[0];
    let http = reqwest::Client::new();
    let cases = [
        // Not JSON at all, JSON of the wrong shape, no content type, a bad query parameter.
        (
            http.post(server.url("/v1/hook-secrets")).header("content-type", "application/json").body("{"),
            400,
            "invalid-json",
        ),
        (http.post(server.url("/v1/hook-secrets")).json(&serde_json::json!({"hook": 7})), 422, "invalid-body"),
        (http.post(server.url("/v1/hook-secrets")).body(r#"{"hook":"h"}"#), 415, "unsupported-media-type"),
        (http.get(server.url("/v1/runs?limit=many")), 400, "invalid-query"),
        (http.get(server.url("/v1/kb/articles/a/versions/notanumber")), 400, "invalid-path"),
    ];
    for (req, status, code) in cases {
        let res = req.bearer_auth(admin).send().await.unwrap();
        assert_eq!(res.status().as_u16(), status);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], code, "{body}");
        assert!(body["message"].as_str().is_some_and(|m| m.len() > 20), "{body}");
    }
    // Nothing was created by the refused requests.
    let res = http.get(server.url("/v1/hook-secrets")).bearer_auth(admin).send().await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["hook_secrets"].as_array().map(Vec::len), Some(0), "{body}");
}

/// schemathesis (pinned in tests/schemathesis/requirements.txt) generates valid and invalid
/// requests for every operation from the served document: no answer may be a 5xx, undocumented,
/// of another content type, or break its response schema.
#[tokio::test]
async fn schemathesis_finds_no_server_errors_or_schema_violations() {
    let staffed = start_staffed(&[("ada", "admin")], &[]);
    let server = &staffed.server;
    let admin = &staffed.tokens[0];
    // Something real behind the list routes, so their answers are checked against the document
    // with items in them: a published plugin, a knowledge-base space and an article.
    let http = reqwest::Client::new();
    let res = http.post(server.url("/v1/plugins")).bearer_auth(admin).body(component("router")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let space = serde_json::json!({"id": "help", "name": "Help centre"});
    let res = http.post(server.url("/v1/kb/spaces")).bearer_auth(admin).json(&space).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let article = serde_json::json!({"title": "Refunds", "body": "退款 within 14 days", "tags": ["billing"]});
    let res =
        http.post(server.url("/v1/kb/spaces/help/articles")).bearer_auth(admin).json(&article).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 201);

    let reports = target_dir().join("schemathesis-report");
    let output = Command::new(schemathesis::binary())
        .arg("run")
        .arg(server.url("/v1/openapi.json"))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        ])
        .args(["--header", &format!("Authorization: Bearer {admin}")])
        .args(["--max-examples", "20", "--seed", "20261122", "--workers", "2", "--request-timeout", "30"])
        .args(["--phases", "examples,coverage,fuzzing", "--generation-database", "none", "--no-color"])
        .args(["--report", "junit", "--report-dir"])
        .arg(&reports)
        .env("SCHEMATHESIS_HOOKS", "")
        // It keeps a `.schemathesis` cache in its working directory: not in the checkout.
        .current_dir(staffed.dir.path())
        .output()
        .expect("running schemathesis");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "schemathesis found problems ({}):\n{stdout}\n{stderr}", output.status);
}
