//! `weft agent ...`: the agent directory from the command line (over the HTTP API).
//!
//! ```text
//! weft agent queue put billing --name Billing --skill billing=3 --language en --language zh --overflow overflow
//! weft agent put ana --name "Ana Li" --team billing --skill billing=7 --language zh-CN --queue billing \
//!     --capacity chat=3 --capacity email=10 --presence online
//! weft agent presence ana away
//! ```

use anyhow::{Context, bail};
use clap::Subcommand;
use reqwest::Method;
use serde_json::{Value, json};

use super::RemoteArgs;
use super::remote::send_json;

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Create or replace an agent (the whole record: flags not given are cleared).
    Put {
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        team: String,
        /// Takes customers in a strongly negative mood.
        #[arg(long)]
        senior: bool,
        /// SKILL=LEVEL (0–10), repeatable.
        #[arg(long = "skill", value_name = "SKILL=LEVEL")]
        skills: Vec<String>,
        /// BCP 47 tag, repeatable.
        #[arg(long = "language")]
        languages: Vec<String>,
        /// Queue id, repeatable.
        #[arg(long = "queue")]
        queues: Vec<String>,
        /// CHANNEL=CAPACITY, repeatable; channels not listed are not served.
        #[arg(long = "capacity", value_name = "CHANNEL=CAPACITY")]
        capacity: Vec<String>,
        /// online, busy, away or offline.
        #[arg(long, default_value = "offline")]
        presence: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// List agents.
    List {
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Show one agent.
    Show {
        id: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Delete an agent.
    Delete {
        id: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Set an agent's presence: online, busy, away or offline.
    Presence {
        id: String,
        presence: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Manage queues.
    #[command(subcommand)]
    Queue(QueueCommand),
}

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Create or replace a queue.
    Put {
        id: String,
        #[arg(long)]
        name: String,
        /// SKILL=LEVEL every agent of the queue needs, repeatable.
        #[arg(long = "skill", value_name = "SKILL=LEVEL")]
        skills: Vec<String>,
        /// Languages served, repeatable; none for any.
        #[arg(long = "language")]
        languages: Vec<String>,
        /// The queue that takes this one's tickets when nobody fits.
        #[arg(long)]
        overflow: Option<String>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// List queues.
    List {
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Delete a queue no agent serves.
    Delete {
        id: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
}

pub async fn run(cmd: AgentCommand) -> anyhow::Result<()> {
    match cmd {
        AgentCommand::Put { id, name, team, senior, skills, languages, queues, capacity, presence, remote } => {
            let load: Vec<Value> = pairs("capacity", &capacity)?
                .into_iter()
                .map(|(channel, capacity)| json!({"channel": channel, "capacity": capacity}))
                .collect();
            let body = json!({
                "name": name, "team": team, "senior": senior, "skills": skill_list(&skills)?,
                "languages": languages, "queues": queues, "presence": presence, "load": load,
            });
            send_json(&remote, Method::PUT, &format!("/v1/agents/{id}"), Some(body)).await
        }
        AgentCommand::List { remote } => send_json(&remote, Method::GET, "/v1/agents", None).await,
        AgentCommand::Show { id, remote } => send_json(&remote, Method::GET, &format!("/v1/agents/{id}"), None).await,
        AgentCommand::Delete { id, remote } => {
            send_json(&remote, Method::DELETE, &format!("/v1/agents/{id}"), None).await
        }
        AgentCommand::Presence { id, presence, remote } => {
            let body = json!({ "presence": presence });
            send_json(&remote, Method::PUT, &format!("/v1/agents/{id}/presence"), Some(body)).await
        }
        AgentCommand::Queue(QueueCommand::Put { id, name, skills, languages, overflow, remote }) => {
            let body = json!({
                "name": name, "skills": skill_list(&skills)?, "languages": languages, "overflow_queue": overflow,
            });
            send_json(&remote, Method::PUT, &format!("/v1/queues/{id}"), Some(body)).await
        }
        AgentCommand::Queue(QueueCommand::List { remote }) => send_json(&remote, Method::GET, "/v1/queues", None).await,
        AgentCommand::Queue(QueueCommand::Delete { id, remote }) => {
            send_json(&remote, Method::DELETE, &format!("/v1/queues/{id}"), None).await
        }
    }
}

fn skill_list(skills: &[String]) -> anyhow::Result<Vec<Value>> {
    Ok(pairs("skill", skills)?.into_iter().map(|(name, level)| json!({"name": name, "level": level})).collect())
}

/// `NAME=NUMBER` pairs; a malformed one names the flag and the expected form.
fn pairs(flag: &str, values: &[String]) -> anyhow::Result<Vec<(String, u32)>> {
    values
        .iter()
        .map(|value| {
            let Some((name, number)) = value.split_once('=') else {
                bail!("--{flag} {value:?} is not NAME=NUMBER (for example --{flag} billing=7)");
            };
            let number = number
                .trim()
                .parse::<u32>()
                .with_context(|| format!("--{flag} {value:?}: {number:?} is not a whole number"))?;
            Ok((name.trim().to_owned(), number))
        })
        .collect()
}
