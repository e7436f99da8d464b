//! CLI commands that talk to a running server over its HTTP API.

use std::path::Path;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use super::{ApiArgs, DeploymentCommand, RemoteArgs};

pub(super) struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Client {
    pub(super) fn new(remote: &RemoteArgs) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: remote.server.trim_end_matches('/').to_string(),
            token: remote.token.clone(),
        }
    }

    pub(super) fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let req = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => req.bearer_auth(token),
            None => req,
        }
    }

    /// Sends and returns whatever the server answered, error statuses included (for callers that
    /// read an error's details, e.g. a workflow's diagnostics).
    pub(super) async fn exchange(
        &self,
        req: reqwest::RequestBuilder,
    ) -> anyhow::Result<(reqwest::StatusCode, reqwest::header::HeaderMap, Value)> {
        let response = req
            .send()
            .await
            .with_context(|| format!("could not reach the Weft server at {}; is `weft serve` running?", self.base))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        Ok((status, headers, body))
    }

    /// Sends and turns an error body into a readable error.
    pub(super) async fn send(
        &self,
        req: reqwest::RequestBuilder,
    ) -> anyhow::Result<(reqwest::StatusCode, reqwest::header::HeaderMap, Value)> {
        let (status, headers, body) = self.exchange(req).await?;
        if !status.is_success() {
            let message = body.get("message").and_then(Value::as_str).unwrap_or("no message");
            let code = body.get("code").and_then(Value::as_str).unwrap_or("error");
            bail!("{status} {code}: {message}");
        }
        Ok((status, headers, body))
    }
}

/// Sends `method path` with an optional JSON body and prints the answer (nothing for an empty
/// one, e.g. a 204); an error status becomes a readable error.
pub(super) async fn send_json(
    remote: &RemoteArgs,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<()> {
    let client = Client::new(remote);
    let mut request = client.request(method, path);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let (_, _, value) = client.send(request).await?;
    if !value.is_null() {
        print(&value);
    }
    Ok(())
}

pub(super) fn print(value: &Value) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}

pub async fn publish(remote: &RemoteArgs, path: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let digest = weft_runtime::digest(&bytes);
    let client = Client::new(remote);
    let req = client
        .request(reqwest::Method::POST, "/v1/plugins")
        .header("content-type", "application/wasm")
        .header("x-weft-digest", &digest)
        .body(bytes);
    let (status, _, body) = client.send(req).await?;
    let verb = if status == reqwest::StatusCode::CREATED { "Published" } else { "Already published" };
    println!(
        "{verb} {}@{} ({digest})",
        body.get("name").and_then(Value::as_str).unwrap_or("?"),
        body.get("version").and_then(Value::as_str).unwrap_or("?")
    );
    Ok(())
}

pub async fn list_plugins(remote: &RemoteArgs) -> anyhow::Result<()> {
    let client = Client::new(remote);
    let (_, _, body) = client.send(client.request(reqwest::Method::GET, "/v1/plugins")).await?;
    let items = body.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    println!("{:<24} {:<10} {:<10} {:<20} CAPABILITIES", "NAME", "VERSION", "CONTRACT", "DIGEST");
    for p in items {
        let caps: Vec<&str> =
            p["manifest"]["capabilities"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        println!(
            "{:<24} {:<10} {:<10} {:<20} {}",
            p["name"].as_str().unwrap_or(""),
            p["version"].as_str().unwrap_or(""),
            p["contract_version"].as_str().unwrap_or(""),
            p["digest"].as_str().unwrap_or("").chars().take(19).collect::<String>(),
            caps.join(",")
        );
    }
    Ok(())
}

fn split_id(id: &str) -> anyhow::Result<(&str, &str)> {
    id.split_once('@').with_context(|| format!("`{id}` is not NAME@VERSION"))
}

pub async fn inspect(remote: &RemoteArgs, id: &str) -> anyhow::Result<()> {
    let (name, version) = split_id(id)?;
    let client = Client::new(remote);
    let (_, _, body) =
        client.send(client.request(reqwest::Method::GET, &format!("/v1/plugins/{name}/{version}"))).await?;
    print(&body);
    Ok(())
}

fn read_json(path: Option<&Path>) -> anyhow::Result<Option<Value>> {
    path.map(|p| {
        let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", p.display()))
    })
    .transpose()
}

pub async fn deployment(cmd: DeploymentCommand) -> anyhow::Result<()> {
    match cmd {
        DeploymentCommand::Put { name, plugin, grants, config, limits, remote } => {
            let client = Client::new(&remote);
            let mut body = json!({ "plugin": plugin, "grants": grants });
            if let Some(config) = read_json(config.as_deref())? {
                body["config"] = config;
            }
            if let Some(limits) = read_json(limits.as_deref())? {
                body["limits"] = limits;
            }
            let (_, _, record) = client
                .send(client.request(reqwest::Method::PUT, &format!("/v1/deployments/{name}")).json(&body))
                .await?;
            print(&record);
        }
        DeploymentCommand::Grant { name, capabilities, remote } => {
            let client = Client::new(&remote);
            let path = format!("/v1/deployments/{name}");
            let (_, headers, current) = client.send(client.request(reqwest::Method::GET, &path)).await?;
            let mut grants: Vec<String> = current["grants"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|g| g.as_str().map(str::to_string))
                .collect();
            for cap in capabilities {
                if !grants.contains(&cap) {
                    grants.push(cap);
                }
            }
            let body = json!({
                "plugin": format!("{}@{}", current["plugin"].as_str().unwrap_or(""), current["version"].as_str().unwrap_or("")),
                "grants": grants,
                "config": current["config"],
                "limits": current["limits"],
            });
            // If-Match makes a concurrent change fail loudly instead of being overwritten.
            let mut req = client.request(reqwest::Method::PUT, &path).json(&body);
            if let Some(etag) = headers.get("etag") {
                req = req.header("if-match", etag.clone());
            }
            let (_, _, record) = client.send(req).await?;
            println!(
                "Deployment `{name}` (revision {}) now grants: {}",
                record["revision"].as_i64().unwrap_or_default(),
                grants.join(", ")
            );
        }
        DeploymentCommand::List { remote } => {
            let client = Client::new(&remote);
            let (_, _, body) = client.send(client.request(reqwest::Method::GET, "/v1/deployments")).await?;
            print(&body);
        }
        DeploymentCommand::Show { name, remote } => {
            let client = Client::new(&remote);
            let (_, _, body) =
                client.send(client.request(reqwest::Method::GET, &format!("/v1/deployments/{name}"))).await?;
            print(&body);
        }
        DeploymentCommand::Invoke { name, input, remote } => {
            let client = Client::new(&remote);
            let input = read_json(Some(&input))?.unwrap_or(Value::Null);
            let req = client.request(reqwest::Method::POST, &format!("/v1/deployments/{name}/invoke")).json(&input);
            let (_, _, body) = client.send(req).await?;
            print(&body);
        }
    }
    Ok(())
}

/// `weft api METHOD PATH [--json BODY]`.
pub(super) async fn api(args: ApiArgs) -> anyhow::Result<()> {
    let method = match args.method.to_ascii_uppercase().as_str() {
        "GET" => reqwest::Method::GET,
        "POST" => reqwest::Method::POST,
        "PUT" => reqwest::Method::PUT,
        "PATCH" => reqwest::Method::PATCH,
        "DELETE" => reqwest::Method::DELETE,
        other => bail!("unknown method {other:?}; use GET, POST, PUT, PATCH or DELETE"),
    };
    if !args.path.starts_with('/') {
        bail!("the path {:?} must start with / (e.g. /v1/kb/spaces)", args.path);
    }
    let body = args
        .json
        .as_deref()
        .map(serde_json::from_str::<Value>)
        .transpose()
        .context("--json is not valid JSON; quote it for your shell, e.g. --json '{\"id\":\"help\"}'")?;
    send_json(&args.remote, method, &args.path, body).await
}
