//! The example definitions in `workflows/` stay valid against the plugins this repository ships.

use weft_workflow::{Catalog, validate};

#[test]
fn every_example_workflow_validates() {
    // The catalog is what the shipped plugins' manifests declare, read from their weft.toml.
    let mut catalog = Catalog::default();
    let plugins = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
    let manifests = ["compliance", "triage", "routing", "escalation", "compensation", "testdata/router"];
    for dir in manifests {
        let text = std::fs::read_to_string(plugins.join(dir).join("weft.toml")).expect("manifest readable");
        let manifest: toml::Table = text.parse().expect("manifest is TOML");
        let name = manifest["name"].as_str().expect("name");
        let version = manifest["version"].as_str().expect("version").parse().expect("semver");
        let capabilities = manifest["capabilities"]
            .as_array()
            .expect("capabilities")
            .iter()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect();
        catalog.add(name, version, capabilities);
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../workflows");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("workflows/ exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let source = std::fs::read_to_string(&path).expect("readable");
            if let Err(problems) = validate(&source, &catalog) {
                let text: Vec<String> = problems.iter().map(|d| d.render(&path.display().to_string())).collect();
                panic!("{}", text.join("\n"));
            }
            seen += 1;
        }
    }
    assert!(seen >= 2, "expected the example workflows in {}", dir.display());
}
