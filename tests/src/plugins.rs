//! Builds the guest workspace (`plugins/`) once per test process and finds its components.
//!
//! The guest build uses its own target directory, so it never waits on the lock of the `cargo
//! test` that is running us.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Same rule as `cargo xtask`: `$WEFT_PLUGINS_TARGET`, else `$CARGO_TARGET_DIR/plugins`, else
/// `plugins/target`.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("WEFT_PLUGINS_TARGET") {
        return PathBuf::from(dir);
    }
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir).join("plugins"),
        None => repo_root().join("plugins").join("target"),
    }
}

/// Compiles every guest crate (a no-op when up to date) and returns the release output folder.
pub fn build() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let target = target_dir();
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "--quiet", "--target", "wasm32-wasip2", "--workspace", "--target-dir"])
            .arg(&target)
            .current_dir(repo_root().join("plugins"))
            .env_remove("RUSTFLAGS")
            .status();
        match status {
            Ok(s) if s.success() => {}
            other => panic!(
                "building the guest plugins failed ({other:?}); run `cargo xtask test`, which installs \
                 the wasm32-wasip2 target, or `rustup target add wasm32-wasip2`"
            ),
        }
        target.join("wasm32-wasip2").join("release")
    })
}

/// The bytes of a compiled guest crate, e.g. `component("infinite_loop")`.
pub fn component(crate_name: &str) -> Vec<u8> {
    let path = build().join(format!("{}.wasm", crate_name.replace('-', "_")));
    std::fs::read(&path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()))
}

pub fn component_path(crate_name: &str) -> PathBuf {
    build().join(format!("{}.wasm", crate_name.replace('-', "_")))
}
