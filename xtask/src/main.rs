//! `cargo xtask run|test|bench`: what a fresh machine needs, in Rust, so the README's two commands
//! are all a new engineer (and CI) has to know.

mod demo;
mod demo_directory;
mod demo_kb;
mod kb_editor;
mod setup;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => demo::run(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench(),
        Some("build-plugins") => setup::build_plugins().map(|_| ()),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  run            build everything, seed demo data, start weft on 127.0.0.1:8080\n  \
                 test           the whole test suite (what CI runs)\n  bench          the runtime benchmarks\n  \
                 build-plugins  compile the guest plugins for wasm32-wasip2"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn test() -> anyhow::Result<()> {
    setup::ensure_wasm_target()?;
    let root = setup::root();
    let plugins = root.join("plugins");
    setup::step("format check", setup::cargo(&root).args(["fmt", "--all", "--", "--check"]))?;
    setup::step("format check (plugins)", setup::cargo(&plugins).args(["fmt", "--all", "--", "--check"]))?;
    setup::build_plugins()?;
    setup::step(
        "lint (plugins, wasm32-wasip2)",
        setup::plugins_cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--target",
            "wasm32-wasip2",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    setup::step(
        "lint (host)",
        setup::cargo(&root).args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
    )?;
    // The end-to-end tests start the real `weft` binary, so it must exist before they run.
    setup::step("build weft", setup::cargo(&root).args(["build", "--workspace", "--bins"]))?;
    setup::step("plugin SDK and plugin unit tests (native)", setup::plugins_cargo().args(["test", "--workspace"]))?;
    // Every plugin's fixtures, through the real host runtime, as its author runs them.
    for dir in setup::plugin_dirs_with_fixtures()? {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        setup::step(
            &format!("weft plugin test {name}"),
            std::process::Command::new(setup::weft_binary())
                .args(["plugin", "test", "--dir"])
                .arg(&dir)
                .env("CARGO_TARGET_DIR", setup::plugins_target()),
        )?;
    }
    // Reference implementations the end-to-end tests interoperate with (standardwebhooks).
    setup::npm_ci(&root.join("tests").join("interop"))?;
    setup::npm_ci(&root.join("tests").join("node"))?;
    // The knowledge-base editor: type check + bundle, and the Chromium its browser e2e drives
    // (tests/tests/kb_editor_e2e.rs).
    kb_editor::build()?;
    kb_editor::ensure_chromium()?;
    // The API fuzzer tests/tests/openapi.rs runs against the served OpenAPI document.
    setup::ensure_schemathesis()?;
    setup::step("host tests", setup::cargo(&root).args(["test", "--workspace"]))?;
    Ok(())
}

fn bench() -> anyhow::Result<()> {
    setup::ensure_wasm_target()?;
    setup::build_plugins()?;
    setup::step(
        "runtime benchmark",
        setup::cargo(&setup::root()).args(["bench", "-p", "weft-runtime", "--bench", "invoke"]),
    )?;
    setup::step(
        "standard plugins benchmark",
        setup::cargo(&setup::root()).args(["bench", "-p", "weft-runtime", "--bench", "standard_plugins"]),
    )
}
