//! Starts the real `weft` binary on a free loopback port with a fresh data directory.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::plugins::repo_root;

pub struct Server {
    pub addr: String,
    pub data: PathBuf,
    extra_args: Vec<String>,
    child: Child,
}

fn spawn(addr: &str, data: &Path, extra_args: &[&str]) -> Child {
    Command::new(weft_binary())
        .args(["serve", "--listen", addr, "--data"])
        .arg(data)
        .args(extra_args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawning weft serve")
}

/// The target directory this test binary was built into (`$CARGO_TARGET_DIR`, else `target/`):
/// where the `weft` binary, the tools `cargo xtask test` installs, and test artifacts live.
pub fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(|| repo_root().join("target"))
}

/// The `weft` binary built by `cargo build` (which `cargo xtask test` runs before the tests).
pub fn weft_binary() -> PathBuf {
    let bin = target_dir().join("debug").join("weft");
    assert!(bin.exists(), "{} is missing; run `cargo build -p weft-server` (cargo xtask test does)", bin.display());
    bin
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

impl Server {
    /// Starts `weft serve` on 127.0.0.1 with `data` as its data directory and waits until it listens.
    pub fn start(data: &Path, extra_args: &[&str]) -> Server {
        let addr = format!("127.0.0.1:{}", free_port());
        let child = spawn(&addr, data, extra_args);
        let server = Server {
            addr,
            data: data.to_path_buf(),
            extra_args: extra_args.iter().map(|a| a.to_string()).collect(),
            child,
        };
        server.wait_healthy();
        server
    }

    /// SIGKILL (as a crash would), then start again on the same address and data directory.
    pub fn crash_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let args: Vec<&str> = self.extra_args.iter().map(String::as_str).collect();
        self.child = spawn(&self.addr, &self.data, &args);
        self.wait_healthy();
    }

    /// Stops the server (SIGKILL) and starts it again with other extra arguments.
    pub fn restart_with(&mut self, extra_args: &[&str]) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.extra_args = extra_args.iter().map(|a| a.to_string()).collect();
        self.child = spawn(&self.addr, &self.data, extra_args);
        self.wait_healthy();
    }

    /// Stops the server (SIGKILL) without starting it again; `restart_with` brings it back.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGKILL, run `between` on the stopped server's data directory (to damage or restore files
    /// as an operator or a disk might), then start again on the same address.
    pub fn restart_after(&mut self, between: impl FnOnce(&Path)) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        between(&self.data);
        let args: Vec<&str> = self.extra_args.iter().map(String::as_str).collect();
        self.child = spawn(&self.addr, &self.data, &args);
        self.wait_healthy();
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    fn wait_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(&self.addr).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("weft serve did not listen on {} within 60 s", self.addr);
    }

    /// SIGKILL, as a crash would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the `weft` CLI to completion and returns (exit code, stdout, stderr).
pub fn weft(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(weft_binary()).args(args).current_dir(cwd).output().expect("running weft");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `weft user add NAME --role ROLE` on a data directory, with the password on stdin.
pub fn add_user(data: &Path, name: &str, role: &str, password: &str) {
    let mut child = Command::new(weft_binary())
        .args(["user", "add", name, "--role", role, "--data"])
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("running weft user add");
    if let Some(stdin) = child.stdin.as_mut() {
        stdin.write_all(password.as_bytes()).expect("writing the password");
    }
    drop(child.stdin.take());
    assert!(child.wait().expect("weft user add finishes").success(), "weft user add {name} failed");
}

/// `weft token create NAME`: the token it prints once.
pub fn create_token(data: &Path, name: &str) -> String {
    let (code, token, err) = weft(&["token", "create", name, "--data", &data.to_string_lossy()], data);
    assert_eq!(code, 0, "weft token create {name}: {err}");
    token.trim().to_string()
}

/// The password `start_staffed` gives every user.
pub const STAFF_PASSWORD: &str = "correct horse battery";

/// A fresh data directory holding one user per `(name, role)`, each with a token, and the server
/// started on it: the set-up most end-to-end tests begin with.
pub struct Staffed {
    pub dir: tempfile::TempDir,
    pub data: PathBuf,
    pub server: Server,
    /// One token per user, in the order given.
    pub tokens: Vec<String>,
}

pub fn start_staffed(users: &[(&str, &str)], extra_args: &[&str]) -> Staffed {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    let tokens = users
        .iter()
        .map(|(name, role)| {
            add_user(&data, name, role, STAFF_PASSWORD);
            create_token(&data, name)
        })
        .collect();
    let server = Server::start(&data, extra_args);
    Staffed { dir, data, server, tokens }
}
