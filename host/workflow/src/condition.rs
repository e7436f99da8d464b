//! `when` conditions in CEL over the ticket and earlier steps' results.
//!
//! Variables: `ticket` (the JSON model in docs/conventions.md) and `steps.<id>` with `outcome`,
//! `outputs`, `reasons` and `skipped`. Field names are checked when the workflow is validated, so a
//! typo (`ticket.custmer.tier`) is an error at deploy time rather than a silently false condition.

use std::collections::{BTreeMap, HashSet};

use cel::common::ast::{EntryExpr, Expr};
use cel::{Context, Program, Value};

/// What a field path may contain below a node.
enum Shape {
    Leaf,
    /// Free-form JSON (`fields`, `outputs`): any path below is accepted.
    Open,
    Object(&'static [(&'static str, Shape)]),
}

const CONSENT: Shape =
    Shape::Object(&[("service", Shape::Leaf), ("marketing", Shape::Leaf), ("analytics", Shape::Leaf)]);
const CUSTOMER: Shape = Shape::Object(&[
    ("id", Shape::Leaf),
    ("name", Shape::Leaf),
    ("email", Shape::Leaf),
    ("phone", Shape::Leaf),
    ("tier", Shape::Leaf),
    ("language", Shape::Leaf),
    ("consent", CONSENT),
    ("lifetime_value_cents", Shape::Leaf),
    ("fields", Shape::Open),
]);
const TICKET: Shape = Shape::Object(&[
    ("id", Shape::Leaf),
    ("channel", Shape::Leaf),
    ("subject", Shape::Leaf),
    ("body", Shape::Leaf),
    ("language", Shape::Leaf),
    ("priority", Shape::Leaf),
    ("tags", Shape::Leaf),
    ("customer", CUSTOMER),
    ("created_at", Shape::Leaf),
    // Messages are reached through macros (`exists`), whose bodies are not field-checked.
    ("conversation", Shape::Leaf),
    ("incident", Shape::Leaf),
    ("fields", Shape::Open),
]);
const STEP: Shape = Shape::Object(&[
    ("outcome", Shape::Leaf),
    ("outputs", Shape::Open),
    ("reasons", Shape::Leaf),
    ("skipped", Shape::Leaf),
]);

#[derive(Debug)]
pub struct Condition {
    pub source: String,
    program: Program,
}

impl Condition {
    /// Parses `source` and checks every field path against the ticket model and `earlier` steps.
    pub fn compile(source: &str, earlier: &[&str]) -> Result<Condition, String> {
        let program = Program::compile(source).map_err(|e| {
            let text = e.to_string().replace("<input>:", "");
            format!("the CEL expression does not parse: {}", text.lines().next().unwrap_or_default().trim())
        })?;
        let mut problems = Vec::new();
        check(&program.expression().expr, &mut HashSet::new(), earlier, &mut problems);
        if let Some(first) = problems.into_iter().next() {
            return Err(first);
        }
        Ok(Condition { source: source.to_owned(), program })
    }

    /// True when the step should run. A condition that errors (e.g. a missing extension field) or
    /// returns a non-boolean is an error the run records, not a silent skip.
    pub fn evaluate(
        &self,
        ticket: &serde_json::Value,
        steps: &BTreeMap<String, serde_json::Value>,
    ) -> Result<bool, String> {
        let mut context = Context::default();
        context.add_variable("ticket", ticket.clone()).map_err(|e| format!("could not bind `ticket`: {e}"))?;
        context.add_variable("steps", steps.clone()).map_err(|e| format!("could not bind `steps`: {e}"))?;
        match self.program.execute(&context) {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!("`{}` returned {other:?}, not a boolean", self.source)),
            Err(e) => Err(format!("`{}` failed: {e}", self.source)),
        }
    }
}

/// Collects a select chain `a.b.c` as ["a", "b", "c"]; None when it is rooted in something else.
fn path(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Ident(name) => Some(vec![name.clone()]),
        Expr::Select(select) => {
            let mut p = path(&select.operand.expr)?;
            p.push(select.field.clone());
            Some(p)
        }
        _ => None,
    }
}

fn check(expr: &Expr, bound: &mut HashSet<String>, earlier: &[&str], problems: &mut Vec<String>) {
    if let Some(p) = path(expr) {
        if let Err(problem) = check_path(&p, bound, earlier) {
            problems.push(problem);
        }
        return;
    }
    match expr {
        Expr::Select(select) => check(&select.operand.expr, bound, earlier, problems),
        Expr::Call(call) => {
            if let Some(target) = &call.target {
                check(&target.expr, bound, earlier, problems);
            }
            for arg in &call.args {
                check(&arg.expr, bound, earlier, problems);
            }
        }
        Expr::List(list) => list.elements.iter().for_each(|e| check(&e.expr, bound, earlier, problems)),
        Expr::Map(map) => {
            for entry in &map.entries {
                if let EntryExpr::MapEntry(e) = &entry.expr {
                    check(&e.key.expr, bound, earlier, problems);
                    check(&e.value.expr, bound, earlier, problems);
                }
            }
        }
        Expr::Comprehension(c) => {
            check(&c.iter_range.expr, bound, earlier, problems);
            let mut inner = bound.clone();
            inner.insert(c.iter_var.clone());
            inner.extend(c.iter_var2.clone());
            inner.insert(c.accu_var.clone());
            for e in [&c.accu_init, &c.loop_cond, &c.loop_step, &c.result] {
                check(&e.expr, &mut inner, earlier, problems);
            }
        }
        _ => {}
    }
}

fn check_path(p: &[String], bound: &HashSet<String>, earlier: &[&str]) -> Result<(), String> {
    let Some(root) = p.first() else { return Ok(()) };
    if bound.contains(root) {
        return Ok(());
    }
    match root.as_str() {
        "ticket" => walk(&TICKET, &p[1..], "ticket"),
        "steps" => {
            let Some(step) = p.get(1) else { return Ok(()) };
            if !earlier.contains(&step.as_str()) {
                return Err(format!(
                    "`steps.{step}` is not a step that runs before this one; earlier steps: {}",
                    if earlier.is_empty() { "none".to_owned() } else { earlier.join(", ") }
                ));
            }
            walk(&STEP, &p[2..], &format!("steps.{step}"))
        }
        other => Err(format!("unknown variable `{other}`; conditions can use `ticket` and `steps.<id>`")),
    }
}

fn walk(shape: &Shape, rest: &[String], at: &str) -> Result<(), String> {
    let Some(field) = rest.first() else { return Ok(()) };
    match shape {
        Shape::Open => Ok(()),
        Shape::Leaf => Err(format!("`{at}` has no field `{field}`")),
        Shape::Object(fields) => match fields.iter().find(|(name, _)| name == field) {
            Some((_, inner)) => walk(inner, &rest[1..], &format!("{at}.{field}")),
            None => {
                let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
                Err(format!("`{at}` has no field `{field}`; it has {}", names.join(", ")))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conditions_see_the_ticket_and_earlier_steps() {
        let c =
            Condition::compile("ticket.customer.tier == 'vip' && steps.triage.outputs.intent == 'refund'", &["triage"])
                .expect("compiles");
        let ticket = json!({"customer": {"tier": "vip"}});
        let mut steps = BTreeMap::new();
        steps.insert("triage".to_owned(), json!({"outcome": "proceed", "outputs": {"intent": "refund"}}));
        assert_eq!(c.evaluate(&ticket, &steps), Ok(true));
        steps.insert("triage".to_owned(), json!({"outcome": "proceed", "outputs": {"intent": "billing"}}));
        assert_eq!(c.evaluate(&ticket, &steps), Ok(false));
    }

    #[test]
    fn macros_bind_their_own_variables() {
        let c = Condition::compile("ticket.tags.exists(t, t == 'vip')", &[]).expect("compiles");
        assert_eq!(c.evaluate(&json!({"tags": ["vip"]}), &BTreeMap::new()), Ok(true));
    }

    #[test]
    fn a_misspelled_field_is_named() {
        let err = Condition::compile("ticket.custmer.tier == 'vip'", &[]).expect_err("unknown field");
        assert!(err.contains("`ticket` has no field `custmer`"), "{err}");
        let err = Condition::compile("steps.route.outputs.queue == 'x'", &["triage"]).expect_err("later step");
        assert!(err.contains("`steps.route` is not a step that runs before this one"), "{err}");
        let err = Condition::compile("tiket.id == '1'", &[]).expect_err("unknown variable");
        assert!(err.contains("unknown variable `tiket`"), "{err}");
    }

    #[test]
    fn a_syntax_error_is_reported() {
        let err = Condition::compile("ticket.priority == ", &[]).expect_err("does not parse");
        assert!(err.starts_with("the CEL expression does not parse"), "{err}");
    }

    #[test]
    fn a_non_boolean_result_is_an_error() {
        let c = Condition::compile("ticket.priority", &[]).expect("compiles");
        assert!(c.evaluate(&json!({"priority": "high"}), &BTreeMap::new()).unwrap_err().contains("not a boolean"));
    }
}
