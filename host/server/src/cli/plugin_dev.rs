//! `weft plugin new|build|test`: the plugin author's loop, all local.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use weft_runtime::{Runtime, RuntimeConfig};

use crate::fixtures;

/// Files `weft plugin new` writes, with `{{name}}` and `{{sdk_path}}` filled in.
const TEMPLATE: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../../templates/plugin/Cargo.toml.tmpl")),
    ("weft.toml", include_str!("../../templates/plugin/weft.toml.tmpl")),
    ("src/lib.rs", include_str!("../../templates/plugin/src/lib.rs.tmpl")),
    ("fixtures/example.json", include_str!("../../templates/plugin/fixtures/example.json.tmpl")),
    (".gitignore", include_str!("../../templates/plugin/.gitignore.tmpl")),
];

/// The SDK in this checkout; plugin crates depend on it by path until it is on a registry.
fn default_sdk_path() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins/sdk");
    here.canonicalize().unwrap_or(here)
}

pub fn new(name: &str, dir: Option<&Path>, sdk: Option<&Path>) -> anyhow::Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.as_bytes()[0].is_ascii_lowercase();
    if !valid {
        bail!(
            "plugin name `{name}` must start with a letter and use only lowercase letters, digits and dashes (at most 64)"
        );
    }
    let root = dir.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(name));
    if root.exists() && root.read_dir().map(|mut d| d.next().is_some()).unwrap_or(true) {
        bail!("{} already exists and is not empty; choose another directory with --dir", root.display());
    }
    let sdk = sdk.map(Path::to_path_buf).unwrap_or_else(default_sdk_path);
    if !sdk.join("Cargo.toml").exists() {
        bail!("the weft-plugin SDK was not found at {}; pass --sdk PATH/TO/plugins/sdk", sdk.display());
    }
    let sdk_text = sdk.to_string_lossy().replace('\\', "/");
    for (file, template) in TEMPLATE {
        let path = root.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let text = template.replace("{{name}}", name).replace("{{sdk_path}}", &sdk_text);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    println!("Created plugin `{name}` in {}", root.display());
    println!("Next: edit src/lib.rs, then `weft plugin build` and `weft plugin test` in that directory.");
    Ok(())
}

/// Builds the crate in `dir` for wasm32-wasip2 and returns the component's path.
pub fn build(dir: &Path) -> anyhow::Result<PathBuf> {
    ensure_wasm_target()?;
    let manifest: toml::Value = toml::from_str(
        &std::fs::read_to_string(dir.join("Cargo.toml"))
            .with_context(|| format!("{} has no Cargo.toml; run this in a plugin crate", dir.display()))?,
    )
    .context("Cargo.toml is not valid TOML")?;
    let Some(package) = manifest.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str()) else {
        bail!("Cargo.toml has no [package] name");
    };
    let status = Command::new(cargo())
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .current_dir(dir)
        .status()
        .context("running cargo")?;
    if !status.success() {
        bail!("cargo build failed; fix the errors above and run `weft plugin build` again");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| dir.join("target"));
    let path = target.join("wasm32-wasip2/release").join(format!("{}.wasm", package.replace('-', "_")));
    let bytes = std::fs::read(&path).with_context(|| format!("the build did not produce {}", path.display()))?;
    let artifact = weft_runtime::inspect(&bytes, None)?;
    println!(
        "Built {} ({} bytes, {})\n  capabilities: {}",
        artifact.manifest.id(),
        bytes.len(),
        artifact.digest,
        list(artifact.manifest.capabilities.iter().map(|c| c.as_str()))
    );
    println!("  component: {}", path.display());
    Ok(path)
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.collect();
    if items.is_empty() { "none".into() } else { items.join(", ") }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn ensure_wasm_target() -> anyhow::Result<()> {
    let installed = Command::new("rustup").args(["target", "list", "--installed"]).output();
    if let Ok(out) = installed
        && String::from_utf8_lossy(&out.stdout).lines().any(|l| l.trim() == "wasm32-wasip2")
    {
        return Ok(());
    }
    let status = Command::new("rustup").args(["target", "add", "wasm32-wasip2"]).status();
    match status {
        Ok(s) if s.success() => Ok(()),
        _ => bail!("the wasm32-wasip2 target is missing and `rustup target add wasm32-wasip2` failed"),
    }
}

/// Runs every fixture against the real component; returns whether all passed.
pub async fn test(dir: &Path, component: Option<&Path>, fixtures_dir: Option<&Path>) -> anyhow::Result<bool> {
    let path = match component {
        Some(path) => path.to_path_buf(),
        None => build(dir)?,
    };
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let runtime = Runtime::new(RuntimeConfig::default())?;
    let plugin = runtime.load(&bytes, None)?;
    let fixtures_dir = fixtures_dir.map(Path::to_path_buf).unwrap_or_else(|| dir.join("fixtures"));
    let files = fixtures::discover(&fixtures_dir)
        .with_context(|| format!("no fixtures directory at {}", fixtures_dir.display()))?;
    if files.is_empty() {
        bail!("{} holds no *.json fixtures; add one (see the SDK README)", fixtures_dir.display());
    }
    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        let result = fixtures::run(&runtime, &plugin, file).await;
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let verdict = if result.failure.is_none() { "PASS" } else { "FAIL" };
        match &result.report {
            Some(r) => println!(
                "{verdict} {name}  fuel {}/{}  peak memory {:.1} MiB  wall {} µs  {}",
                r.fuel_used,
                r.fuel_budget,
                r.peak_memory_bytes as f64 / 1_048_576.0,
                r.wall_time_us,
                result.description
            ),
            None => println!("{verdict} {name}  {}", result.description),
        }
        if let Some(report) = &result.report {
            for line in &report.logs {
                println!("    log {:?}: {}", line.level, line.message);
            }
            if report.logs_truncated {
                println!("    (log truncated at the log limit)");
            }
        }
        match &result.failure {
            None => passed += 1,
            Some(failure) => {
                failed += 1;
                for line in failure.lines() {
                    println!("    {line}");
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(failed == 0)
}
