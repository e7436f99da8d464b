//! `cargo xtask run`: build, seed demo content into ./data, and serve on 127.0.0.1:8080.
//!
//! Demo users and tokens are for local use only; their passwords are documented in the README.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::setup;

/// (username, role, password): one user per role (two reviewers, one per default review stage).
/// Space roles for the kb users are granted by `demo_kb`.
const DEMO_USERS: &[(&str, &str, &str)] = &[
    ("admin", "admin", "admin-demo-pass"),
    ("dev", "plugin-developer", "dev-demo-pass"),
    ("ops", "operator", "ops-demo-pass"),
    ("integrator", "integrator", "integrator-demo-pass"),
    ("author", "kb-author", "author-demo-pass"),
    ("reviewer", "kb-reviewer", "reviewer-demo-pass"),
    ("verifier", "kb-reviewer", "verifier-demo-pass"),
    ("publisher", "kb-publisher", "publisher-demo-pass"),
    ("agent", "agent", "agent-demo-pass"),
];

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let listen = args
        .iter()
        .position(|a| a == "--listen")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let components = setup::build_plugins()?;
    setup::step("build weft", setup::cargo(&setup::root()).args(["build", "-p", "weft-server"]))?;
    let weft = setup::weft_binary();
    let data = setup::root().join("data");
    std::fs::create_dir_all(&data)?;
    let tokens = seed_users(&weft, &data)?;

    let kb_editor = crate::kb_editor::build()?;
    let mut server = Command::new(&weft)
        .args(["serve", "--listen", &listen, "--data"])
        .arg(&data)
        .arg("--kb-editor-dir")
        .arg(&kb_editor)
        .spawn()
        .context("starting weft serve")?;
    wait_for(&listen)?;
    let server_url = format!("http://{listen}");
    let dev_token = token_for(&tokens, "dev")?;
    let ops_token = token_for(&tokens, "ops")?;
    run_weft(
        &weft,
        &[
            "plugin",
            "publish",
            &components.join("router.wasm").to_string_lossy(),
            "--server",
            &server_url,
            "--token",
            &dev_token,
        ],
    )?;
    let config = data.join("demo-router-config.json");
    std::fs::write(
        &config,
        r#"{"queues": {"zh": "billing-cn", "en": "billing-en"}, "default_queue": "general", "vip_queue": "vip"}"#,
    )?;
    run_weft(
        &weft,
        &[
            "deployment",
            "put",
            "demo-router",
            "--plugin",
            "router@0.1.0",
            "--grant",
            "effect.assign",
            "--grant",
            "effect.tag",
            "--config",
            &config.to_string_lossy(),
            "--server",
            &server_url,
            "--token",
            &ops_token,
        ],
    )?;
    crate::demo_directory::seed(
        &crate::demo_directory::Remote {
            weft: &weft,
            server: &server_url,
            dev_token: &dev_token,
            ops_token: &ops_token,
        },
        &components,
        &data,
    )?;
    // The demo workflow chains all five standard plugins (issue 4); deploying an unchanged file
    // again is a no-op, so a second `cargo xtask run` changes nothing.
    for plugin in ["compliance", "triage"] {
        let path = components.join(format!("{plugin}.wasm"));
        run_weft(
            &weft,
            &["plugin", "publish", &path.to_string_lossy(), "--server", &server_url, "--token", &dev_token],
        )?;
    }
    crate::demo_kb::seed(&weft, &server_url, &tokens, &data)?;
    let workflow = setup::root().join("workflows").join("inbound-ticket.yaml");
    run_weft(
        &weft,
        &["workflow", "deploy", &workflow.to_string_lossy(), "--server", &server_url, "--token", &ops_token],
    )?;
    println!(
        "\nWeft is running on {server_url} with demo data in {}.\n\
         Knowledge-base editor: {server_url}/kb/\n\
         Demo users (local use only): {}\n\
         API tokens: {}\n\
         Try:  curl -s -H \"Authorization: Bearer $(grep ^ops= {} | cut -d= -f2)\" \\\n\
               -d '{{\"ticket\":{{\"id\":\"T-1\",\"channel\":\"chat\",\"language\":\"zh-CN\",\"customer\":{{\"id\":\"C-1\"}}}}}}' \\\n\
               -H 'content-type: application/json' {server_url}/v1/deployments/demo-router/invoke\n\
         Press Ctrl-C to stop.",
        data.display(),
        DEMO_USERS.iter().map(|(u, r, p)| format!("{u} ({r}, password {p})")).collect::<Vec<_>>().join(", "),
        tokens.display(),
        tokens.display(),
    );
    let status = server.wait()?;
    if !status.success() {
        bail!("weft serve exited with {status}");
    }
    Ok(())
}

pub(crate) fn run_weft(weft: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(weft).args(args).stderr(Stdio::inherit()).output().context("running weft")?;
    if !out.status.success() {
        bail!("`weft {}` failed", args.first().copied().unwrap_or_default());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Creates the demo users and one token each, once; later runs reuse `data/demo-tokens.env`.
fn seed_users(weft: &Path, data: &Path) -> anyhow::Result<PathBuf> {
    let tokens = data.join("demo-tokens.env");
    if tokens.exists() {
        return Ok(tokens);
    }
    let mut lines = String::new();
    for (user, role, password) in DEMO_USERS {
        let mut child = Command::new(weft)
            .args(["user", "add", user, "--role", role, "--data"])
            .arg(data)
            .stdin(Stdio::piped())
            .spawn()
            .context("running weft user add")?;
        if let Some(stdin) = child.stdin.as_mut() {
            stdin.write_all(password.as_bytes())?;
        }
        drop(child.stdin.take());
        if !child.wait()?.success() {
            bail!("could not create demo user {user}");
        }
        let data_arg = data.to_string_lossy();
        let token = run_weft(weft, &["token", "create", user, "--name", "demo", "--data", &data_arg])?;
        lines.push_str(&format!("{user}={token}\n"));
    }
    std::fs::write(&tokens, lines)?;
    Ok(tokens)
}

pub(crate) fn token_for(tokens: &Path, user: &str) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(tokens)?;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{user}=")).map(str::to_string))
        .with_context(|| format!("{} has no token for {user}; delete it to reseed", tokens.display()))
}

fn wait_for(listen: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(listen).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("weft serve did not start listening on {listen} within 60 s")
}
