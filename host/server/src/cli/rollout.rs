//! `weft workflow rollout …` and `weft workflow backtest`: try a candidate plugin version on a
//! step (canary or shadow), watch how its decisions differ, roll it back; or replay recorded
//! inputs against it first.

use clap::{Subcommand, ValueEnum};
use serde_json::json;

use super::RemoteArgs;
use super::remote::send_json;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Mode {
    Canary,
    Shadow,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Sticky {
    Ticket,
    Customer,
}

#[derive(Debug, Subcommand)]
pub enum RolloutCommand {
    /// Start a canary (a sticky share of tickets runs the candidate for real) or a shadow (every
    /// ticket also runs the candidate; its decisions are recorded and diffed, never applied).
    Start {
        workflow: String,
        #[arg(long)]
        step: String,
        /// `plugin@version`, e.g. `routing@1.3.0`.
        #[arg(long)]
        candidate: String,
        #[arg(long, value_enum)]
        mode: Mode,
        /// Canary share of tickets, 0–100.
        #[arg(long, default_value_t = 0)]
        percent: u8,
        #[arg(long, value_enum, default_value = "ticket")]
        sticky_by: Sticky,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// List rollouts, newest first.
    List {
        #[arg(long)]
        workflow: Option<String>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// A rollout with its diff summary: executions per arm, differing decisions by field, samples.
    Show {
        id: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Change a canary's share of tickets.
    Percent {
        id: String,
        percent: u8,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Instant rollback: the step's next execution uses the stable version.
    Rollback {
        id: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
}

/// Replays recorded step inputs against a candidate and prints what would have changed.
pub async fn backtest(
    plugin: String,
    since: String,
    workflow: Option<String>,
    limit: u64,
    remote: RemoteArgs,
) -> anyhow::Result<()> {
    let body = json!({"candidate": plugin, "since": since, "workflow": workflow, "limit": limit});
    send_json(&remote, reqwest::Method::POST, "/v1/backtests", Some(body)).await
}

pub async fn run(cmd: RolloutCommand) -> anyhow::Result<()> {
    use reqwest::Method;
    match cmd {
        RolloutCommand::Start { workflow, step, candidate, mode, percent, sticky_by, remote } => {
            let mode = match mode {
                Mode::Canary => "canary",
                Mode::Shadow => "shadow",
            };
            let sticky_by = match sticky_by {
                Sticky::Ticket => "ticket",
                Sticky::Customer => "customer",
            };
            let body =
                json!({"step": step, "candidate": candidate, "mode": mode, "percent": percent, "sticky_by": sticky_by});
            send_json(&remote, Method::POST, &format!("/v1/workflows/{workflow}/rollouts"), Some(body)).await
        }
        RolloutCommand::List { workflow, remote } => {
            let path = match workflow {
                Some(w) => format!("/v1/rollouts?workflow={w}"),
                None => "/v1/rollouts".to_owned(),
            };
            send_json(&remote, Method::GET, &path, None).await
        }
        RolloutCommand::Show { id, remote } => {
            send_json(&remote, Method::GET, &format!("/v1/rollouts/{id}"), None).await
        }
        RolloutCommand::Percent { id, percent, remote } => {
            send_json(&remote, Method::PATCH, &format!("/v1/rollouts/{id}"), Some(json!({"percent": percent}))).await
        }
        RolloutCommand::Rollback { id, remote } => {
            send_json(&remote, Method::POST, &format!("/v1/rollouts/{id}/rollback"), None).await
        }
    }
}
