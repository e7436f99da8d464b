//! Command-line interface. Commands that talk to a running server use `--server` and `--token`;
//! bootstrap commands (`user`, `token`) and `audit` open the data directory directly.

mod admin;
mod agent;
mod audit;
mod keys;
mod plugin_dev;
mod remote;
mod rollout;
mod workflow;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "weft", version, about = "Weft: customer-service workflows as sandboxed plugins")]
pub struct Cli {
    /// Log as JSON lines (for log shippers) instead of text.
    #[arg(long, global = true, env = "WEFT_LOG_JSON")]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Weft server.
    Serve(ServeArgs),
    /// Write, build, test and publish plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Bind published plugins to grants, configuration and limits.
    #[command(subcommand)]
    Deployment(DeploymentCommand),
    /// Manage users (bootstrap: works on the data directory directly).
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens (bootstrap: works on the data directory directly).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Check and read the tamper-evident audit log (works on the data directory directly).
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Validate and deploy workflows; list, inspect and cancel runs.
    #[command(subcommand)]
    Workflow(workflow::WorkflowCommand),
    /// Manage the agent directory (agents and queues) routing reads.
    #[command(subcommand)]
    Agent(agent::AgentCommand),
    /// Master keys protecting personal data at rest (works on the data directory directly).
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Call any API route with your token and print the JSON answer, e.g.
    /// `weft api POST /v1/kb/spaces --json '{"id":"help","name":"Help"}'` (for scripts; the
    /// routes are described at /v1/docs/).
    Api(ApiArgs),
}

#[derive(Debug, Args)]
pub struct ApiArgs {
    /// HTTP method: GET, POST, PUT, PATCH or DELETE.
    pub method: String,
    /// Path on the server, starting with `/v1/`, query string included.
    pub path: String,
    /// JSON request body.
    #[arg(long)]
    pub json: Option<String>,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "WEFT_LISTEN")]
    pub listen: String,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub outbound: crate::events::OutboundArgs,
    #[command(flatten)]
    pub inbound: crate::webhooks::InboundArgs,
    /// The built knowledge-base editor served at /kb/ (default: `kb-editor` beside the binary, else ./kb-editor/dist).
    #[arg(long, env = "WEFT_KB_EDITOR_DIR")]
    pub kb_editor_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Data directory: SQLite database, compiled-plugin cache.
    #[arg(long, default_value = "./data", env = "WEFT_DATA")]
    pub data: PathBuf,
    /// Database URL (e.g. postgres://…); defaults to SQLite in the data directory.
    #[arg(long, env = "WEFT_DATABASE_URL")]
    pub database_url: Option<String>,
    #[command(flatten)]
    pub keys: keys::KeyArgs,
}

#[derive(Debug, Clone, Args)]
pub struct RemoteArgs {
    /// The Weft server to talk to.
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "WEFT_SERVER")]
    pub server: String,
    /// API token (see `weft token create`).
    #[arg(long, env = "WEFT_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Create a new plugin crate from the template.
    New {
        name: String,
        /// Directory to create (default: ./NAME).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Path to the weft-plugin SDK (default: the one in this Weft checkout).
        #[arg(long, env = "WEFT_SDK_PATH")]
        sdk: Option<PathBuf>,
    },
    /// Build the plugin crate in DIR as a wasm32-wasip2 component.
    Build {
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Run the plugin's JSON fixtures against its built component.
    Test {
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// Use this component instead of building DIR.
        #[arg(long)]
        component: Option<PathBuf>,
        /// Fixture directory (default: DIR/fixtures).
        #[arg(long)]
        fixtures: Option<PathBuf>,
    },
    /// Publish a component (default: build DIR and publish the result).
    Publish {
        /// Component file; omit to build the crate in --dir.
        component: Option<PathBuf>,
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// List published plugins.
    List {
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Show one published plugin: digest, contract, capabilities, config schema.
    Inspect {
        /// NAME@VERSION
        id: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeploymentCommand {
    /// Create or replace a deployment.
    Put {
        name: String,
        /// NAME@VERSION of a published plugin.
        #[arg(long)]
        plugin: String,
        /// Capability to grant (repeatable).
        #[arg(long = "grant")]
        grants: Vec<String>,
        /// JSON file with the deployment's configuration.
        #[arg(long)]
        config: Option<PathBuf>,
        /// JSON file with limit settings (fuel, deadline_ms, memory_mib, …).
        #[arg(long)]
        limits: Option<PathBuf>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Grant capabilities to an existing deployment.
    Grant {
        name: String,
        #[arg(required = true)]
        capabilities: Vec<String>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// List deployments.
    List {
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Show one deployment.
    Show {
        name: String,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Run a deployment on a step input (JSON file) and print the report.
    Invoke {
        name: String,
        #[arg(long)]
        input: PathBuf,
        #[command(flatten)]
        remote: RemoteArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user (or add roles to an existing one). Reads the password from stdin.
    Add {
        username: String,
        /// ROLE or ROLE:SCOPE, e.g. `operator` or `kb-reviewer:stage:expert-review` (repeatable).
        #[arg(long = "role")]
        roles: Vec<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// A service account for integrators: no password, tokens only.
        #[arg(long)]
        service: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List users and their roles.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it once.
    Create {
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Scope such as `actions:plugin.publish` (repeatable; default `*`).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// Days until the token expires (default: never).
        #[arg(long)]
        expires_in_days: Option<i64>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Revoke an API token for good (its id is shown by `weft token list`).
    Revoke {
        id: i64,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List tokens (never their secrets) with ids, scopes, expiry and last use.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute every entry's hash and link; exit 1 naming the first entry that was tampered with.
    Verify {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Print entries, oldest first.
    List {
        /// How many entries to print.
        #[arg(long, default_value_t = 100)]
        limit: u64,
        /// Start after this sequence number (to continue a previous listing).
        #[arg(long)]
        after: Option<i64>,
        /// One JSON object per line, for scripts and log shippers.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => crate::serve::run(args).await.map(|()| ExitCode::SUCCESS),
        Command::Plugin(cmd) => match cmd {
            PluginCommand::New { name, dir, sdk } => {
                plugin_dev::new(&name, dir.as_deref(), sdk.as_deref()).map(|()| ExitCode::SUCCESS)
            }
            PluginCommand::Build { dir } => plugin_dev::build(&dir).map(|_| ExitCode::SUCCESS),
            PluginCommand::Test { dir, component, fixtures } => {
                let ok = plugin_dev::test(&dir, component.as_deref(), fixtures.as_deref()).await?;
                Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
            }
            PluginCommand::Publish { component, dir, remote } => {
                let path = match component {
                    Some(path) => path,
                    None => plugin_dev::build(&dir)?,
                };
                remote::publish(&remote, &path).await.map(|()| ExitCode::SUCCESS)
            }
            PluginCommand::List { remote } => remote::list_plugins(&remote).await.map(|()| ExitCode::SUCCESS),
            PluginCommand::Inspect { id, remote } => remote::inspect(&remote, &id).await.map(|()| ExitCode::SUCCESS),
        },
        Command::Deployment(cmd) => remote::deployment(cmd).await.map(|()| ExitCode::SUCCESS),
        Command::Agent(cmd) => agent::run(cmd).await.map(|()| ExitCode::SUCCESS),
        Command::User(cmd) => admin::user(cmd).await.map(|()| ExitCode::SUCCESS),
        Command::Token(cmd) => admin::token(cmd).await.map(|()| ExitCode::SUCCESS),
        Command::Audit(cmd) => audit::run(cmd).await,
        Command::Workflow(cmd) => workflow::run(cmd).await,
        Command::Keys(cmd) => keys::run(cmd).await.map(|()| ExitCode::SUCCESS),
        Command::Api(args) => remote::api(args).await.map(|()| ExitCode::SUCCESS),
    }
}

pub use admin::open as admin_open;
