//! The knowledge-base editor (`kb-editor/`, Vite + TypeScript): install its npm dependencies and
//! build it when its sources changed, and install the browser its end-to-end test drives.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::setup;

pub fn dir() -> PathBuf {
    setup::root().join("kb-editor")
}

/// `npm ci` when `node_modules` is missing or older than the lockfile, then `npm run build`
/// (type check + Vite) when `dist/` is missing or older than any source. Returns `dist/`.
pub fn build() -> anyhow::Result<PathBuf> {
    let dir = dir();
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules").join(".package-lock.json");
    if modified(&installed) < modified(&lock) {
        setup::step("kb-editor: npm ci", npm(&dir).args(["ci", "--no-audit", "--no-fund"]))?;
    }
    let dist = dir.join("dist");
    let sources = ["src", "index.html", "package-lock.json", "vite.config.ts", "tsconfig.json"]
        .iter()
        .map(|p| newest(&dir.join(p)))
        .max()
        .flatten();
    if modified(&dist.join("index.html")) < sources {
        setup::step("kb-editor: npm run build (tsc + vite)", npm(&dir).args(["run", "build"]))?;
    }
    Ok(dist)
}

/// Debian's Chromium (and a CJK font, so Chinese screenshots are legible) for the browser tests.
pub fn ensure_chromium() -> anyhow::Result<()> {
    if Path::new("/usr/bin/chromium").exists() {
        return Ok(());
    }
    let root = Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false);
    let apt = |args: &[&str]| {
        let mut cmd = if root { Command::new("apt-get") } else { Command::new("sudo") };
        if !root {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    setup::step("apt-get update (for chromium)", &mut apt(&["update"]))?;
    setup::step(
        "install Debian's chromium for the kb-editor browser tests",
        &mut apt(&["install", "-y", "--no-install-recommends", "chromium", "fonts-wqy-microhei"]),
    )
}

fn npm(dir: &Path) -> Command {
    let mut cmd = Command::new("npm");
    cmd.current_dir(dir);
    cmd
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of a file, or of any file under a folder.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path).ok()?.filter_map(|entry| entry.ok()).filter_map(|entry| newest(&entry.path())).max()
}
