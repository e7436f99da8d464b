//! Validation: YAML, shape, names, plugin references against the registry, CEL conditions and the
//! step graph (cycles, unreachable steps). Collects every problem instead of stopping at the first.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Definition, Diagnostic, StepDef, yaml};
use crate::condition::Condition;

/// One published plugin version, as the registry lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub version: semver::Version,
    /// What the manifest declares (`effect.assign`, `kv`, …).
    pub capabilities: Vec<String>,
}

/// The published plugins a definition is checked and resolved against.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub plugins: BTreeMap<String, Vec<CatalogEntry>>,
}

impl Catalog {
    pub fn add(&mut self, name: &str, version: semver::Version, capabilities: Vec<String>) {
        self.plugins.entry(name.to_owned()).or_default().push(CatalogEntry { version, capabilities });
    }

    /// The newest published version matching `range`.
    fn resolve(&self, name: &str, range: &semver::VersionReq) -> Option<&CatalogEntry> {
        self.plugins.get(name)?.iter().filter(|e| range.matches(&e.version)).max_by(|a, b| a.version.cmp(&b.version))
    }
}

/// A valid definition with its plugin ranges resolved to exact versions and its conditions compiled.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub definition: Definition,
    /// Step id (steps and compensations) → `(plugin, exact version)`.
    pub pins: BTreeMap<String, (String, semver::Version)>,
    pub conditions: HashMap<String, Arc<Condition>>,
    /// Step ids in the order a run visits them when no step is skipped.
    pub order: Vec<String>,
}

impl Resolved {
    pub fn step(&self, id: &str) -> Option<&StepDef> {
        let d = &self.definition;
        d.steps.iter().chain(&d.compensations).chain(&d.escalations).find(|s| s.id == id)
    }
}

struct Checker<'a> {
    marked: &'a yaml::Marked,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn report(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        self.problems.push(Diagnostic { line: self.marked.line_of(&field), field, message: message.into() });
    }
}

fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Validates `source` against `catalog`. `Err` holds every problem found, in line order.
pub fn validate(source: &str, catalog: &Catalog) -> Result<Resolved, Vec<Diagnostic>> {
    let marked =
        yaml::parse(source).map_err(|e| vec![Diagnostic { line: e.line, field: String::new(), message: e.message }])?;
    let definition: Definition = serde_path_to_error::deserialize(&marked.value).map_err(|e| {
        let field = e.path().to_string();
        let field = if field == "." { String::new() } else { field };
        vec![Diagnostic { line: marked.line_of(&field), field, message: e.into_inner().to_string() }]
    })?;
    let mut c = Checker { marked: &marked, problems: Vec::new() };

    if !is_slug(&definition.name) {
        c.report(
            "name",
            format!("`{}` is not a valid name; use 1-64 lowercase letters, digits and -", definition.name),
        );
    }
    if !is_slug(&definition.trigger.webhook) {
        c.report(
            "trigger.webhook",
            format!(
                "`{}` is not a valid webhook path; use 1-64 lowercase letters, digits and -",
                definition.trigger.webhook
            ),
        );
    }
    if definition.steps.is_empty() {
        c.report("steps", "a workflow needs at least one step");
    }

    let mut seen = HashSet::new();
    let all = definition
        .steps
        .iter()
        .map(|s| ("steps", s))
        .chain(definition.compensations.iter().map(|s| ("compensations", s)))
        .chain(definition.escalations.iter().map(|s| ("escalations", s)));
    let mut section_index: HashMap<&str, usize> = HashMap::new();
    let mut pins = BTreeMap::new();
    let mut indexes: HashMap<&str, usize> = HashMap::new();
    for (section, step) in all {
        let counter = section_index.entry(section).or_insert(0);
        let at = *counter;
        *counter += 1;
        let base = format!("{section}[{at}]");
        if !is_slug(&step.id) {
            c.report(
                format!("{base}.id"),
                format!("`{}` is not a valid step id; use lowercase letters, digits and -", step.id),
            );
        } else if step.id == "end" {
            c.report(format!("{base}.id"), "`end` is reserved (it is what `next: end` means); rename the step");
        } else if !seen.insert(step.id.clone()) {
            c.report(format!("{base}.id"), format!("the step id `{}` is used twice; step ids must be unique", step.id));
        }
        if section == "steps" {
            indexes.insert(&step.id, at);
        }
        match (&step.approval, step.plugin.is_empty()) {
            (Some(_), false) => c.report(
                format!("{base}.approval"),
                "a step is either a plugin or an approval, not both; remove `plugin` or `approval`",
            ),
            (Some(approval), true) => {
                if section != "steps" {
                    c.report(
                        format!("{base}.approval"),
                        format!("a step under `{section}` must be a plugin step, not an approval"),
                    );
                }
                check_approval(&mut c, &base, approval);
            }
            (None, true) => c.report(base.clone(), "the step needs `plugin: name@range` (or an `approval`)"),
            (None, false) => {
                if let Some(pin) = check_plugin(&mut c, &base, step, catalog) {
                    pins.insert(step.id.clone(), pin);
                }
            }
        }
        if !(1..=100).contains(&step.retry.max_attempts) {
            c.report(format!("{base}.retry.max_attempts"), "must be between 1 and 100");
        }
        if section != "steps" {
            for (field, set) in [
                ("when", step.when.is_some()),
                ("compensate", step.compensate.is_some()),
                ("next", step.next.is_some()),
            ] {
                if set {
                    c.report(format!("{base}.{field}"), format!("a step under `{section}` cannot have `{field}`"));
                }
            }
        }
    }

    let compensation_ids: HashSet<&str> = definition.compensations.iter().map(|s| s.id.as_str()).collect();
    let mut used_compensations = HashSet::new();
    for (i, step) in definition.steps.iter().enumerate() {
        if let Some(target) = &step.compensate {
            if compensation_ids.contains(target.as_str()) {
                used_compensations.insert(target.as_str());
            } else {
                c.report(
                    format!("steps[{i}].compensate"),
                    format!("`{target}` is not a step under `compensations`; add it there or fix the name"),
                );
            }
        }
        if let Some(next) = &step.next
            && next != "end"
            && !indexes.contains_key(next.as_str())
        {
            c.report(format!("steps[{i}].next"), format!("`{next}` is not a step id; name a step or `end`"));
        }
    }
    for (i, step) in definition.compensations.iter().enumerate() {
        if !used_compensations.contains(step.id.as_str()) {
            c.report(
                format!("compensations[{i}].id"),
                format!("compensation `{}` is unreachable: no step names it in `compensate`", step.id),
            );
        }
    }

    let escalation_ids: HashSet<&str> = definition.escalations.iter().map(|s| s.id.as_str()).collect();
    let mut used_escalation = None;
    if let Some(sla) = &definition.sla {
        if let Err(problems) = crate::calendar::Calendar::parse(&sla.calendar) {
            for (field, message) in problems {
                c.report(format!("sla.calendar.{field}"), message);
            }
        }
        if sla.warn.is_some_and(|w| w >= sla.breach) {
            c.report("sla.warn", "the warn target must come before the breach target");
        }
        if escalation_ids.contains(sla.escalate.as_str()) {
            used_escalation = Some(sla.escalate.as_str());
        } else {
            c.report(
                "sla.escalate",
                format!("`{}` is not a step under `escalations`; add it there or fix the name", sla.escalate),
            );
        }
    }
    for (i, step) in definition.escalations.iter().enumerate() {
        if used_escalation != Some(step.id.as_str()) {
            c.report(
                format!("escalations[{i}].id"),
                format!("escalation `{}` is unreachable: `sla.escalate` does not name it", step.id),
            );
        }
    }

    // Follow the chain from the first step: a repeat is a cycle, what it never visits is unreachable.
    let mut order: Vec<String> = Vec::new();
    let mut order_idx: Vec<usize> = Vec::new();
    let mut visited = HashSet::new();
    let mut current = if definition.steps.is_empty() { None } else { Some(0usize) };
    while let Some(i) = current {
        let step = &definition.steps[i];
        if !visited.insert(i) {
            break;
        }
        order.push(step.id.clone());
        order_idx.push(i);
        current = match step.next.as_deref() {
            Some("end") => None,
            Some(next) => match indexes.get(next) {
                Some(&j) if visited.contains(&j) => {
                    c.report(
                        format!("steps[{i}].next"),
                        format!(
                            "`next: {next}` makes a cycle ({} → {next}); a run must always reach the end",
                            order.join(" → ")
                        ),
                    );
                    None
                }
                Some(&j) => Some(j),
                None => None,
            },
            None => (i + 1 < definition.steps.len()).then_some(i + 1),
        };
    }
    for (i, step) in definition.steps.iter().enumerate() {
        if !visited.contains(&i) {
            c.report(
                format!("steps[{i}].id"),
                format!("step `{}` is unreachable: no path from the first step leads to it", step.id),
            );
        }
    }

    let mut conditions = HashMap::new();
    for (position, &i) in order_idx.iter().enumerate() {
        let id = &definition.steps[i].id;
        if let Some(source) = &definition.steps[i].when {
            let earlier: Vec<&str> = order[..position].iter().map(String::as_str).collect();
            match Condition::compile(source, &earlier) {
                Ok(condition) => {
                    conditions.insert(id.clone(), Arc::new(condition));
                }
                Err(message) => c.report(format!("steps[{i}].when"), message),
            }
        }
    }

    if c.problems.is_empty() {
        Ok(Resolved { definition, pins, conditions, order })
    } else {
        let mut problems = c.problems;
        problems.sort_by_key(|d| d.line);
        Err(problems)
    }
}

fn check_approval(c: &mut Checker, base: &str, approval: &super::ApprovalDef) {
    if approval.roles.is_empty() {
        c.report(format!("{base}.approval.roles"), "name at least one role whose members may approve");
    }
    for (j, role) in approval.roles.iter().enumerate() {
        if role.parse::<weft_store::Role>().is_err() {
            c.report(
                format!("{base}.approval.roles[{j}]"),
                format!("`{role}` is not a role; use admin, operator, agent, integrator, plugin-developer, kb-author, kb-reviewer or kb-publisher"),
            );
        }
    }
    if approval.quorum == 0 {
        c.report(format!("{base}.approval.quorum"), "the quorum must be at least 1");
    }
}

fn check_plugin(c: &mut Checker, base: &str, step: &StepDef, catalog: &Catalog) -> Option<(String, semver::Version)> {
    let field = format!("{base}.plugin");
    let Some((name, range)) = step.plugin_ref() else {
        c.report(field, format!("`{}` is not name@range; write e.g. `router@^0.1` or `router@0.1.0`", step.plugin));
        return None;
    };
    let req = match semver::VersionReq::parse(range) {
        Ok(req) => req,
        Err(e) => {
            c.report(field, format!("`{range}` is not a semver range ({e}); write e.g. ^1.2, ~1.2.3 or =1.2.3"));
            return None;
        }
    };
    let Some(versions) = catalog.plugins.get(name) else {
        let known: Vec<&str> = catalog.plugins.keys().map(String::as_str).collect();
        c.report(
            field,
            format!(
                "plugin `{name}` is not published; publish it (`weft plugin publish`) or pick one of: {}",
                if known.is_empty() { "(none published)".to_owned() } else { known.join(", ") }
            ),
        );
        return None;
    };
    let Some(entry) = catalog.resolve(name, &req) else {
        let mut published: Vec<String> = versions.iter().map(|e| e.version.to_string()).collect();
        published.sort();
        c.report(
            field,
            format!("no published version of `{name}` matches `{range}`; published: {}", published.join(", ")),
        );
        return None;
    };
    if let Some(grants) = &step.grants {
        for (j, grant) in grants.iter().enumerate() {
            if !entry.capabilities.contains(grant) {
                c.report(
                    format!("{base}.grants[{j}]"),
                    format!(
                        "{name}@{} does not declare `{grant}`, so it cannot be granted; it declares: {}",
                        entry.version,
                        entry.capabilities.join(", ")
                    ),
                );
            }
        }
    }
    Some((name.to_owned(), entry.version.clone()))
}
