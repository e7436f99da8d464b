//! Workflow definitions end to end: `weft workflow validate` reports every problem with file,
//! line and field against the real registry; `weft workflow deploy` makes immutable versions.

#[path = "support/workflow.rs"]
mod support;

use support::Env;

const GOOD: &str = "\
name: inbound-ticket
trigger:
  webhook: inbound
steps:
  - id: triage
    plugin: triage@^0.1
  - id: route
    plugin: router@^0.1
    when: steps.triage.outputs.intent != 'spam'
    config:
      queues: {en: support-en}
";

// One file with one of each problem the issue names: every one is reported, with its line, in
// one run of the command, and nothing is deployed.
#[tokio::test]
async fn validate_reports_every_problem_with_file_line_and_field() {
    let env = Env::start().await;
    let dir = env.dir.path();
    let bad = "\
name: broken
trigger:
  webhook: broken
steps:
  - id: triage
    plugin: triaje@^0.1
  - id: route
    plugin: router@^2
  - id: check
    plugin: compliance@^0.1
    when: ticket.custmer.tier == 'vip'
  - id: again
    plugin: triage@^0.1
    when: steps.triage.outputs.intent ==
    next: route
  - id: orphan
    plugin: triage@^0.1
";
    std::fs::write(dir.join("broken.yaml"), bad).unwrap();
    let (code, out, err) = env.cli(&["workflow", "validate", "broken.yaml"], dir);
    assert_eq!(code, 1, "{out}{err}");
    let expected = [
        "broken.yaml:6: steps[0].plugin: plugin `triaje` is not published; publish it (`weft plugin publish`) or pick one of: compliance, infinite-loop, panics, router, triage",
        "broken.yaml:8: steps[1].plugin: no published version of `router` matches `^2`; published: 0.1.0",
        "broken.yaml:11: steps[2].when: `ticket` has no field `custmer`",
        "broken.yaml:14: steps[3].when: the CEL expression does not parse",
        "broken.yaml:15: steps[3].next: `next: route` makes a cycle (triage → route → check → again → route)",
        "broken.yaml:16: steps[4].id: step `orphan` is unreachable",
    ];
    for line in expected {
        assert!(err.contains(line), "missing `{line}` in:\n{err}");
    }
    assert!(err.contains("broken.yaml: 6 problem(s)"), "{err}");

    std::fs::write(dir.join("bad-yaml.yaml"), "name: x\nsteps:\n  - id: a\n   plugin: [\n").unwrap();
    let (code, _, err) = env.cli(&["workflow", "validate", "bad-yaml.yaml"], dir);
    assert_eq!(code, 1);
    assert!(err.contains("bad-yaml.yaml:4: invalid YAML"), "{err}");

    // A config the plugin's schema refuses is caught before deploy, at the step's config line.
    std::fs::write(dir.join("config.yaml"), GOOD.replace("queues: {en: support-en}", "queue: {en: support-en}"))
        .unwrap();
    let (code, _, err) = env.cli(&["workflow", "validate", "config.yaml"], dir);
    assert_eq!(code, 1);
    assert!(err.contains("config.yaml:10: steps[1].config:"), "{err}");
    assert!(err.contains("config schema"), "{err}");

    // Deploying the broken file is refused with the same diagnostics, and nothing is stored.
    let (code, _, err) = env.cli(&["workflow", "deploy", "broken.yaml"], dir);
    assert_eq!(code, 1);
    assert!(err.contains("broken.yaml:6: steps[0].plugin"), "{err}");
    assert_eq!(env.get("/v1/workflows/broken").await.0, 404);
}

// Each deploy of a changed file is a new version with its plugins pinned; an unchanged file is
// not; older versions stay readable.
#[tokio::test]
async fn deploy_makes_immutable_versions() {
    let env = Env::start().await;
    let dir = env.dir.path();
    std::fs::write(dir.join("wf.yaml"), GOOD).unwrap();
    let (code, out, err) = env.cli(&["workflow", "validate", "wf.yaml"], dir);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("wf.yaml: valid"), "{out}");

    let (code, out, err) = env.cli(&["workflow", "deploy", "wf.yaml"], dir);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Deployed inbound-ticket@v1 on /v1/hooks/inbound"), "{out}");
    let (code, out, _) = env.cli(&["workflow", "deploy", "wf.yaml"], dir);
    assert_eq!(code, 0);
    assert!(out.contains("Unchanged: inbound-ticket@v1"), "{out}");

    std::fs::write(dir.join("wf.yaml"), GOOD.replace("support-en", "english")).unwrap();
    let (code, out, _) = env.cli(&["workflow", "deploy", "wf.yaml"], dir);
    assert_eq!(code, 0);
    assert!(out.contains("inbound-ticket@v2"), "{out}");

    let (status, v1) = env.get("/v1/workflows/inbound-ticket?version=1").await;
    assert_eq!(status, 200);
    assert!(v1["source"].as_str().unwrap().contains("support-en"));
    assert_eq!(v1["pins"]["route"], "router@0.1.0");
    let (_, latest) = env.get("/v1/workflows/inbound-ticket").await;
    assert_eq!(latest["version"], 2);

    // The file's name must match the URL; another workflow may not take the webhook path.
    let (status, body) = env.deploy("other", GOOD).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["code"], "name-mismatch");
    let (status, body) = env.deploy("other", &GOOD.replace("name: inbound-ticket", "name: other")).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["message"].as_str().unwrap().contains("already belongs to workflow `inbound-ticket`"), "{body}");

    // Deploys are audited.
    let (code, out, _) = weft_e2e::server::weft(&["audit", "list", "--data", &env.data.to_string_lossy()], dir);
    assert_eq!(code, 0);
    assert_eq!(out.matches("workflow.deploy").count(), 2, "{out}");
}
