//! The schemathesis CLI that `cargo xtask test` installs (xtask/src/setup.rs `ensure_schemathesis`).

use std::path::PathBuf;

use crate::plugins::repo_root;

/// `$CARGO_TARGET_DIR/tools/schemathesis/bin/st`, else `target/tools/...`.
pub fn binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| repo_root().join("target"));
    let st = target.join("tools").join("schemathesis").join("bin").join("st");
    assert!(
        st.exists(),
        "{} is missing: `cargo xtask test` installs schemathesis (pinned in tests/schemathesis/requirements.txt)",
        st.display()
    );
    st
}
