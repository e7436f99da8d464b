//! `weft workflow …`: validate and deploy definitions, list and inspect runs, cancel one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use serde_json::Value;

use super::RemoteArgs;
use super::remote::{Client, send_json};
use super::rollout::{self, RolloutCommand};

#[derive(Debug, Subcommand)]
pub enum WorkflowCommand {
    /// Check a workflow file against the server's plugin registry; print every problem as
    /// FILE:LINE: FIELD: MESSAGE and exit 1 if there is any.
    Validate {
        file: PathBuf,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Deploy a workflow file as a new immutable version.
    Deploy {
        file: PathBuf,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// List deployed workflows (latest versions).
    List {
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Show a workflow version (default: the latest).
    Show {
        name: String,
        #[arg(long)]
        version: Option<i64>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// List runs, newest first.
    Runs {
        #[arg(long)]
        workflow: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u64,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Show one run with every step attempt (input, output, effects, fuel, duration, error).
    Run {
        id: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Cancel a running run.
    Cancel {
        id: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Canary or shadow a candidate plugin version on one step; show its diff; roll it back.
    #[command(subcommand)]
    Rollout(RolloutCommand),
    /// Replay recorded step inputs against a candidate version and report what would have
    /// changed. Applies nothing.
    Backtest {
        /// `plugin@version`, e.g. `routing@1.3.0`.
        #[arg(long)]
        plugin: String,
        /// How far back to replay, e.g. `7d`, `12h`.
        #[arg(long, default_value = "7d")]
        since: String,
        /// Only this workflow's executions.
        #[arg(long)]
        workflow: Option<String>,
        /// Recorded executions to replay, newest first.
        #[arg(long, default_value_t = 1000)]
        limit: u64,
        #[command(flatten)]
        remote: RemoteArgs,
    },
}

/// `(status, body)` of one request, error statuses included: validate and deploy read the
/// diagnostics of a 422.
async fn call(
    remote: &RemoteArgs,
    method: reqwest::Method,
    path: &str,
    yaml: Option<Vec<u8>>,
) -> anyhow::Result<(u16, Value)> {
    let client = Client::new(remote);
    let mut req = client.request(method, path);
    if let Some(yaml) = yaml {
        req = req.header("content-type", "application/yaml").body(yaml);
    }
    let (status, _, body) = client.exchange(req).await?;
    Ok((status.as_u16(), body))
}

fn fail(status: u16, body: &Value) -> anyhow::Error {
    let code = body.get("code").and_then(Value::as_str).unwrap_or("error");
    let message = body.get("message").and_then(Value::as_str).unwrap_or("no message");
    anyhow::anyhow!("{status} {code}: {message}")
}

fn print_diagnostics(file: &Path, diagnostics: &[Value]) {
    for d in diagnostics {
        let diagnostic: Result<weft_workflow::Diagnostic, _> = serde_json::from_value(d.clone());
        if let Ok(d) = diagnostic {
            eprintln!("{}", d.render(&file.display().to_string()));
        }
    }
}

fn read(file: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(file).with_context(|| format!("could not read {}", file.display()))
}

pub async fn run(cmd: WorkflowCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        WorkflowCommand::Validate { file, remote } => {
            let (status, body) =
                call(&remote, reqwest::Method::POST, "/v1/workflows/validate", Some(read(&file)?)).await?;
            if status != 200 {
                return Err(fail(status, &body));
            }
            let diagnostics = body["diagnostics"].as_array().cloned().unwrap_or_default();
            if diagnostics.is_empty() {
                println!("{}: valid; plugins resolve to {}", file.display(), body["pins"]);
                Ok(ExitCode::SUCCESS)
            } else {
                print_diagnostics(&file, &diagnostics);
                eprintln!("{}: {} problem(s)", file.display(), diagnostics.len());
                Ok(ExitCode::FAILURE)
            }
        }
        WorkflowCommand::Deploy { file, remote } => {
            let source = read(&file)?;
            let text = String::from_utf8_lossy(&source);
            // The name is in the file; the server checks it again against the URL.
            let name = text
                .lines()
                .find_map(|l| l.strip_prefix("name:"))
                .map(|n| n.trim().trim_matches(['"', '\'']).to_owned())
                .filter(|n| !n.is_empty())
                .with_context(|| format!("{}: no top-level `name:` line", file.display()))?;
            let (status, body) =
                call(&remote, reqwest::Method::PUT, &format!("/v1/workflows/{name}"), Some(source)).await?;
            if status == 422
                && let Some(diagnostics) = body["details"]["diagnostics"].as_array()
            {
                print_diagnostics(&file, diagnostics);
                bail!("{}: not deployed, {} problem(s)", file.display(), diagnostics.len());
            }
            if !(200..300).contains(&status) {
                return Err(fail(status, &body));
            }
            let w = &body["workflow"];
            let verb = if body["created"] == true { "Deployed" } else { "Unchanged:" };
            println!(
                "{verb} {}@v{} on /v1/hooks/{} (plugins {})",
                w["name"].as_str().unwrap_or("?"),
                w["version"],
                w["webhook"].as_str().unwrap_or("?"),
                w["pins"]
            );
            Ok(ExitCode::SUCCESS)
        }
        WorkflowCommand::List { remote } => get(&remote, "/v1/workflows").await,
        WorkflowCommand::Show { name, version, remote } => {
            let path = match version {
                Some(v) => format!("/v1/workflows/{name}?version={v}"),
                None => format!("/v1/workflows/{name}"),
            };
            get(&remote, &path).await
        }
        WorkflowCommand::Runs { workflow, status, limit, remote } => {
            let mut path = format!("/v1/runs?limit={limit}");
            if let Some(w) = workflow {
                path.push_str(&format!("&workflow={w}"));
            }
            if let Some(s) = status {
                path.push_str(&format!("&status={s}"));
            }
            get(&remote, &path).await
        }
        WorkflowCommand::Run { id, remote } => get(&remote, &format!("/v1/runs/{id}")).await,
        WorkflowCommand::Cancel { id, remote } => {
            send_json(&remote, reqwest::Method::POST, &format!("/v1/runs/{id}/cancel"), None).await?;
            Ok(ExitCode::SUCCESS)
        }
        WorkflowCommand::Rollout(cmd) => rollout::run(cmd).await.map(|()| ExitCode::SUCCESS),
        WorkflowCommand::Backtest { plugin, since, workflow, limit, remote } => {
            rollout::backtest(plugin, since, workflow, limit, remote).await.map(|()| ExitCode::SUCCESS)
        }
    }
}

async fn get(remote: &RemoteArgs, path: &str) -> anyhow::Result<ExitCode> {
    send_json(remote, reqwest::Method::GET, path, None).await?;
    Ok(ExitCode::SUCCESS)
}
