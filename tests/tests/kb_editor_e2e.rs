//! The knowledge-base editor in a real browser: Debian's Chromium (headless) driven by
//! playwright-core from `kb-editor/e2e/run.mjs`, against the real `weft serve` serving the built
//! app at /kb/ and the knowledge-base API and sync socket. One server, one Node run, every
//! scenario: concurrent editing, offline editing, no self-approval, review → publish → search,
//! history and restore, Chinese on a phone; and no console error anywhere.
//!
//! Needs `kb-editor/dist` (built by `cargo xtask test` / `run`, or `npm ci && npm run build` in
//! kb-editor/) and Chromium (`cargo xtask test` installs Debian's `chromium` when missing).

use std::path::PathBuf;
use std::process::Command;

use weft_e2e::plugins::repo_root;
use weft_e2e::server::{Server, add_user, target_dir};

const PASSWORD: &str = "e2e-editor-pass-1";

fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "{} is missing; `cargo xtask test` installs Debian's chromium (or set CHROMIUM)",
        path.display()
    );
    path
}

#[test]
fn kb_editor_in_a_real_browser() {
    let editor = repo_root().join("kb-editor");
    let dist = editor.join("dist");
    assert!(
        dist.join("index.html").is_file() && editor.join("node_modules").join("playwright-core").is_dir(),
        "the editor is not built; run `cargo xtask test`, or `npm ci && npm run build` in {}",
        editor.display()
    );
    let chromium = chromium();

    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    for (user, role) in [
        ("admin", "admin"),
        ("ana", "kb-author"),
        ("ben", "kb-author"),
        ("rui", "kb-reviewer"),
        ("vic", "kb-reviewer"),
        ("pia", "kb-publisher"),
    ] {
        add_user(&data, user, role, PASSWORD);
    }
    let dist_arg = dist.to_string_lossy().into_owned();
    let server = Server::start(&data, &["--kb-editor-dir", &dist_arg]);

    // Screenshots land beside the build output, where CI keeps artifacts.
    let artifacts = target_dir().join("kb-editor-e2e");
    let status = Command::new("node")
        .arg("--test-reporter=spec")
        .arg("e2e/run.mjs")
        .current_dir(&editor)
        .env("KB_E2E_URL", server.url(""))
        .env("KB_E2E_PASSWORD", PASSWORD)
        .env("KB_E2E_ARTIFACTS", &artifacts)
        .env("CHROMIUM", &chromium)
        .status()
        .expect("running node (is Node.js installed?)");
    println!("kb-editor e2e screenshots: {}", artifacts.display());
    assert!(status.success(), "the browser scenarios failed ({status}); screenshots in {}", artifacts.display());
}
