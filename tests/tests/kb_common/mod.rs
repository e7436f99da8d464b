//! A knowledge-base test world: the real server, a space, and users in every role, each with a
//! bearer token. Shared by the `kb_*` test files.

#![allow(dead_code)]

use std::collections::HashMap;

use serde_json::{Value, json};
use weft_e2e::server::{Server, add_user, create_token};

pub struct World {
    pub server: Server,
    pub http: reqwest::Client,
    pub tokens: HashMap<&'static str, String>,
    _dir: tempfile::TempDir,
}

/// (user, global role, roles in space `support`)
const USERS: &[(&str, &str, &[&str])] = &[
    ("admin", "admin", &[]),
    ("ana", "kb-author", &["kb-author"]),
    ("ben", "kb-author", &["kb-author"]),
    ("rita", "agent", &["kb-reviewer"]),
    ("vera", "agent", &["kb-reviewer:verification"]),
    ("pat", "agent", &["kb-publisher"]),
    ("reader", "agent", &["kb-reader"]),
    ("outsider", "agent", &[]),
    ("bot", "integrator", &[]),
];

impl World {
    pub async fn start() -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).expect("data dir");
        let mut tokens = HashMap::new();
        for (name, role, _) in USERS {
            add_user(&data, name, role, &format!("{name}-test-password"));
            tokens.insert(*name, create_token(&data, name));
        }
        let server = Server::start(&data, &[]);
        let world = World { server, http: reqwest::Client::new(), tokens, _dir: dir };
        let (status, body) =
            world.call("admin", "POST", "/v1/kb/spaces", Some(json!({"id": "support", "name": "Support"}))).await;
        assert_eq!(status, 201, "{body}");
        for (name, _, roles) in USERS {
            if !roles.is_empty() {
                let (status, body) = world
                    .call(
                        "admin",
                        "PUT",
                        &format!("/v1/kb/spaces/support/members/{name}"),
                        Some(json!({"roles": roles})),
                    )
                    .await;
                assert_eq!(status, 200, "{body}");
            }
        }
        world
    }

    pub fn token(&self, user: &str) -> &str {
        self.tokens.get(user).map(String::as_str).unwrap_or("")
    }

    /// The base URL y-websocket appends the article id to.
    pub fn ws(&self) -> String {
        format!("ws://{}/v1/kb/sync", self.server.addr)
    }

    pub async fn call(&self, user: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(method, self.server.url(path)).bearer_auth(self.token(user));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn create_article(&self, user: &str, title: &str, body: &str, tags: &[&str]) -> Value {
        let (status, article) = self
            .call(
                user,
                "POST",
                "/v1/kb/spaces/support/articles",
                Some(json!({"title": title, "body": body, "tags": tags})),
            )
            .await;
        assert_eq!(status, 201, "{article}");
        article
    }

    pub async fn article(&self, user: &str, id: &str) -> Value {
        let (status, article) = self.call(user, "GET", &format!("/v1/kb/articles/{id}"), None).await;
        assert_eq!(status, 200, "{article}");
        article
    }
}
