//! `weft workflow validate` semantics: every problem reported with its line and field.

use weft_workflow::{Catalog, Diagnostic, validate};

fn catalog() -> Catalog {
    let mut c = Catalog::default();
    c.add("router", "0.1.0".parse().unwrap(), vec!["effect.assign".into(), "effect.tag".into()]);
    c.add("router", "0.2.3".parse().unwrap(), vec!["effect.assign".into(), "effect.tag".into()]);
    c.add("triage", "0.1.0".parse().unwrap(), vec!["effect.tag".into()]);
    c
}

fn problems(source: &str) -> Vec<Diagnostic> {
    validate(source, &catalog()).expect_err("invalid")
}

const GOOD: &str = "\
name: inbound-ticket
trigger:
  webhook: inbound
timeout: 30s
steps:
  - id: triage
    plugin: triage@^0.1
  - id: route
    plugin: router@^0.2
    when: steps.triage.outputs.intent != 'spam' && ticket.customer.tier != 'free'
    retry: {max_attempts: 3, backoff: 50ms}
    compensate: unroute
compensations:
  - id: unroute
    plugin: router@0.1.0
";

// The newest published version inside each range is pinned.
#[test]
fn a_valid_workflow_resolves_ranges_to_the_newest_match() {
    let resolved = validate(GOOD, &catalog()).expect("valid");
    assert_eq!(resolved.pins["route"], ("router".to_owned(), "0.2.3".parse().unwrap()));
    assert_eq!(resolved.pins["unroute"].1.to_string(), "0.1.0");
    assert_eq!(resolved.order, ["triage", "route"]);
    assert_eq!(resolved.definition.steps[1].retry.max_attempts, 3);
}

#[test]
fn invalid_yaml_names_the_line() {
    let p = problems("name: x\nsteps:\n  - id: a\n   plugin: [\n");
    assert_eq!(p.len(), 1);
    assert!(p[0].message.starts_with("invalid YAML"), "{p:?}");
    assert!(p[0].line >= 3);
}

#[test]
fn an_unknown_key_names_field_and_line() {
    let p = problems(&GOOD.replace("    retry: {max_attempts: 3, backoff: 50ms}", "    retries: 3"));
    assert_eq!(p[0].field, "steps[1].retries", "{p:?}");
    assert!(p[0].message.contains("unknown field `retries`"), "{p:?}");
    assert_eq!(p[0].line, 11);
}

#[test]
fn unknown_plugins_and_unsatisfiable_ranges_are_named() {
    let source = GOOD.replace("triage@^0.1", "triaj@^0.1").replace("router@^0.2", "router@^1.0");
    let p = problems(&source);
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!((p[0].line, p[0].field.as_str()), (7, "steps[0].plugin"));
    assert!(p[0].message.contains("plugin `triaj` is not published"), "{p:?}");
    assert!(p[0].message.contains("router, triage"), "{p:?}");
    assert_eq!((p[1].line, p[1].field.as_str()), (9, "steps[1].plugin"));
    assert!(p[1].message.contains("no published version of `router` matches `^1.0`; published: 0.1.0, 0.2.3"), "{p:?}");
}

#[test]
fn cel_that_does_not_parse_or_names_an_unknown_field_is_reported() {
    let p = problems(&GOOD.replace("ticket.customer.tier != 'free'", "ticket.customer.tier !="));
    assert_eq!((p[0].line, p[0].field.as_str()), (10, "steps[1].when"));
    assert!(p[0].message.contains("does not parse"), "{p:?}");
    let p = problems(&GOOD.replace("ticket.customer.tier", "ticket.customer.teir"));
    assert!(p[0].message.contains("`ticket.customer` has no field `teir`"), "{p:?}");
}

#[test]
fn cycles_and_unreachable_steps_are_reported() {
    let source = "\
name: loop
trigger: {webhook: loop}
steps:
  - id: a
    plugin: triage@^0.1
  - id: b
    plugin: triage@^0.1
    next: a
  - id: c
    plugin: triage@^0.1
";
    let p = problems(source);
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!((p[0].line, p[0].field.as_str()), (8, "steps[1].next"));
    assert!(p[0].message.contains("makes a cycle (a → b → a)"), "{p:?}");
    assert_eq!((p[1].line, p[1].field.as_str()), (9, "steps[2].id"));
    assert!(p[1].message.contains("step `c` is unreachable"), "{p:?}");
}

#[test]
fn several_problems_come_back_together_in_line_order() {
    let source = GOOD
        .replace("name: inbound-ticket", "name: Inbound Ticket")
        .replace("compensate: unroute", "compensate: unrout")
        .replace("  - id: route", "  - id: triage");
    let p = problems(&source);
    let lines: Vec<usize> = p.iter().map(|d| d.line).collect();
    assert_eq!(lines, [1, 8, 12, 14], "{p:?}");
    assert!(p[3].message.contains("unreachable"), "{p:?}");
    assert_eq!(p[0].render("wf.yaml"), format!("wf.yaml:1: name: {}", p[0].message));
}

#[test]
fn grants_beyond_the_manifest_are_refused() {
    let p =
        problems(&GOOD.replace("    plugin: triage@^0.1\n", "    plugin: triage@^0.1\n    grants: [effect.credit]\n"));
    assert_eq!(p[0].field, "steps[0].grants[0]");
    assert!(p[0].message.contains("does not declare `effect.credit`"), "{p:?}");
}
