//! The schemathesis CLI that `cargo xtask test` installs (xtask/src/setup.rs `ensure_schemathesis`).

use std::path::PathBuf;

use crate::server::target_dir;

/// `<target dir>/tools/schemathesis/bin/st`, where xtask puts it.
pub fn binary() -> PathBuf {
    let st = target_dir().join("tools").join("schemathesis").join("bin").join("st");
    assert!(
        st.exists(),
        "{} is missing: `cargo xtask test` installs schemathesis (pinned in tests/schemathesis/requirements.txt)",
        st.display()
    );
    st
}
