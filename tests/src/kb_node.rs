//! Runs the Node scripts in `tests/node/kb/` (real `yjs` + `y-websocket` clients) against a
//! test server, installing the pinned packages with `npm ci` the first time.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Once;

use crate::plugins::repo_root;

pub fn node_dir() -> PathBuf {
    repo_root().join("tests").join("node")
}

/// `npm ci` in `tests/node` unless the packages are already there (cargo xtask test does it too).
pub fn ensure_installed() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| crate::node::npm_ci_unless_present(&node_dir(), "y-websocket"));
}

/// The command for `node tests/node/kb/<script> <args...>`, ready to spawn.
pub fn script(name: &str, args: &[&str]) -> Command {
    ensure_installed();
    let mut cmd = Command::new("node");
    cmd.arg(node_dir().join("kb").join(name)).args(args).current_dir(node_dir()).stderr(Stdio::inherit());
    cmd
}

/// Runs a script to completion and parses the JSON it prints last.
pub fn run_json(name: &str, args: &[&str]) -> serde_json::Value {
    let out = script(name, args).output().expect("running node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "node {name} failed ({}): {stdout}", out.status);
    let last = stdout.lines().rev().find(|l| l.trim_start().starts_with('{')).unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("node {name} printed no JSON ({e}): {stdout}"))
}
