//! Node.js reference implementations the tests interoperate with (`tests/interop`): installed
//! once with `npm ci`, run as child processes that print `{"port": N}` as their first line.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Once;

use crate::plugins::repo_root;

pub fn interop_dir() -> PathBuf {
    repo_root().join("tests").join("interop")
}

/// `npm ci` in `tests/interop` unless its packages are already there.
pub fn ensure_interop_packages() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| npm_ci_unless_present(&interop_dir(), "standardwebhooks"));
}

/// `npm ci` in `dir` (with a committed package-lock.json) unless `package` is installed there;
/// `cargo xtask test` installs them up front, this covers running one test file by hand.
pub fn npm_ci_unless_present(dir: &std::path::Path, package: &str) {
    if dir.join("node_modules").join(package).exists() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .expect("running npm ci (is Node.js installed?)");
    assert!(status.success(), "npm ci in {} failed", dir.display());
}

/// A Node script serving on a loopback port until dropped.
pub struct NodeService {
    pub port: u16,
    child: Child,
}

impl NodeService {
    /// Starts `node <script>` from `tests/interop` and waits for its port.
    pub fn start(script: &str) -> NodeService {
        ensure_interop_packages();
        let mut child = Command::new("node")
            .arg(script)
            .current_dir(interop_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting node");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("reading the port line");
        let announced: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        let port =
            announced["port"].as_u64().unwrap_or_else(|| panic!("{script} printed {line:?}, not its port")) as u16;
        NodeService { port, child }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }
}

impl Drop for NodeService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `node sign.mjs`: a Standard Webhooks signature made by the reference library.
pub fn reference_signature(secret: &str, id: &str, seconds: i64, body: &str) -> String {
    ensure_interop_packages();
    let out = Command::new("node")
        .args(["sign.mjs", secret, id, &seconds.to_string(), body])
        .current_dir(interop_dir())
        .output()
        .expect("running node sign.mjs");
    assert!(out.status.success(), "sign.mjs failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
