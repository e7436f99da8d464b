//! Installing and building what the commands need.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// The checkout `cargo xtask` runs in. `cargo run` sets `CARGO_MANIFEST_DIR` at run time too; it
/// wins over the compile-time value because one target dir may be shared by several checkouts
/// (worktrees, the CI clone), and a binary built in one must not act on another.
pub fn root() -> PathBuf {
    let manifest =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), PathBuf::from);
    manifest.parent().map(Path::to_path_buf).unwrap_or_default()
}

pub fn cargo(dir: &Path) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(dir);
    cmd
}

/// Same rule the tests use: `$WEFT_PLUGINS_TARGET`, else `$CARGO_TARGET_DIR/plugins`, else
/// `plugins/target`. A separate directory keeps the guest build off the host build's lock.
pub fn plugins_target() -> PathBuf {
    if let Some(dir) = std::env::var_os("WEFT_PLUGINS_TARGET") {
        return PathBuf::from(dir);
    }
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir).join("plugins"),
        None => root().join("plugins").join("target"),
    }
}

pub fn plugins_cargo() -> Command {
    let mut cmd = cargo(&root().join("plugins"));
    cmd.env("CARGO_TARGET_DIR", plugins_target());
    cmd
}

/// Runs one named step, failing with its name.
pub fn step(name: &str, cmd: &mut Command) -> anyhow::Result<()> {
    eprintln!("==> {name}");
    let status = cmd.status().with_context(|| format!("starting {name}"))?;
    if !status.success() {
        bail!("{name} failed ({status})");
    }
    Ok(())
}

pub fn ensure_wasm_target() -> anyhow::Result<()> {
    let out = Command::new("rustup").args(["target", "list", "--installed"]).output().context("running rustup")?;
    if String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim() == "wasm32-wasip2") {
        return Ok(());
    }
    step("install the wasm32-wasip2 target", Command::new("rustup").args(["target", "add", "wasm32-wasip2"]))
}

/// Compiles every guest crate and returns the folder with the components.
pub fn build_plugins() -> anyhow::Result<PathBuf> {
    ensure_wasm_target()?;
    step(
        "build plugins (wasm32-wasip2)",
        plugins_cargo().args(["build", "--release", "--workspace", "--target", "wasm32-wasip2"]),
    )?;
    Ok(plugins_target().join("wasm32-wasip2").join("release"))
}

/// `$CARGO_TARGET_DIR`, else `target/` of the checkout.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

/// The debug `weft` binary that `cargo build` produces.
pub fn weft_binary() -> PathBuf {
    target_dir().join("debug").join("weft")
}

/// Guest crates that ship `fixtures/` (the standard plugins and the router example).
pub fn plugin_dirs_with_fixtures() -> anyhow::Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for group in [root().join("plugins"), root().join("plugins").join("testdata")] {
        for entry in std::fs::read_dir(&group).with_context(|| format!("reading {}", group.display()))? {
            let path = entry?.path();
            if path.join("fixtures").is_dir() && path.join("weft.toml").is_file() {
                dirs.push(path);
            }
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// `npm ci` in `dir` (a folder with a committed package-lock.json), so Node-side reference
/// implementations and browser tooling are installed by the test command itself.
pub fn npm_ci(dir: &Path) -> anyhow::Result<()> {
    let label = format!("npm ci ({})", dir.strip_prefix(root()).unwrap_or(dir).display());
    step(&label, Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(dir))
}

/// Tools installed outside the clone (the target dir is cached between CI runs): the rule the
/// tests use to find them (`tests/src/schemathesis.rs`).
pub fn tools_dir() -> PathBuf {
    target_dir().join("tools")
}

/// A Python venv with the pinned schemathesis (`tests/schemathesis/requirements.txt`), made or
/// updated when the requirements changed since the last install.
pub fn ensure_schemathesis() -> anyhow::Result<()> {
    let requirements = root().join("tests").join("schemathesis").join("requirements.txt");
    let venv = tools_dir().join("schemathesis");
    let installed = venv.join("installed-requirements.txt");
    let wanted =
        std::fs::read_to_string(&requirements).with_context(|| format!("reading {}", requirements.display()))?;
    if std::fs::read_to_string(&installed).is_ok_and(|had| had == wanted) && venv.join("bin").join("st").exists() {
        return Ok(());
    }
    step("python3 -m venv (for schemathesis)", Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    step(
        "pip install schemathesis",
        Command::new(venv.join("bin").join("pip")).args(["install", "--quiet", "-r"]).arg(&requirements),
    )?;
    std::fs::write(&installed, wanted).with_context(|| format!("writing {}", installed.display()))
}
