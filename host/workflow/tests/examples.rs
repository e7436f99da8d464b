//! The example definitions in `workflows/` stay valid against the plugins this repository ships.

use weft_workflow::{Catalog, validate};

#[test]
fn every_example_workflow_validates() {
    let mut catalog = Catalog::default();
    let v = "0.1.0".parse().expect("version");
    catalog.add("router", v, vec!["effect.assign".into(), "effect.tag".into()]);
    catalog.add("triage", "0.1.0".parse().expect("version"), vec!["effect.tag".into()]);
    catalog.add(
        "compliance",
        "0.1.0".parse().expect("version"),
        vec!["effect.redact".into(), "effect.tag".into(), "effect.set-field".into()],
    );
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
