//! How two decisions of the same step differ, as field paths an operator can read:
//! `outcome`, `outputs.<key>`, `reasons`, `effects`, or `error` when one side failed.

use serde_json::Value;

/// The field paths on which `candidate` differs from `applied` (both decisions as JSON, in the
/// shape `weft_runtime::model::Decision` serialises to). Empty when they agree.
pub fn differences(applied: &Value, candidate: &Value) -> Vec<String> {
    let mut fields = Vec::new();
    if applied.get("outcome") != candidate.get("outcome") {
        fields.push("outcome".to_owned());
    }
    let empty = serde_json::Map::new();
    let outputs = |d: &Value| d.get("outputs").and_then(Value::as_object).unwrap_or(&empty).clone();
    let (a, c) = (outputs(applied), outputs(candidate));
    let mut keys: Vec<&String> = a.keys().chain(c.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        if a.get(key) != c.get(key) {
            fields.push(format!("outputs.{key}"));
        }
    }
    for field in ["reasons", "effects"] {
        if absent_as_empty(applied.get(field)) != absent_as_empty(candidate.get(field)) {
            fields.push(field.to_owned());
        }
    }
    fields
}

/// `[]` and a missing field mean the same thing in a decision.
fn absent_as_empty(value: Option<&Value>) -> Value {
    match value {
        None | Some(Value::Null) => Value::Array(Vec::new()),
        Some(v) => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn equal_decisions_have_no_differences() {
        let d = json!({"outcome": "proceed", "outputs": {"queue": "vip"}, "reasons": ["r"], "effects": []});
        assert!(differences(&d, &d).is_empty());
        assert!(differences(&json!({"outcome": "proceed"}), &json!({"outcome": "proceed", "effects": []})).is_empty());
    }

    #[test]
    fn each_differing_field_is_named_once() {
        let a = json!({"outcome": "proceed", "outputs": {"queue": "vip", "agent": "ana"}, "reasons": ["vip"]});
        let c = json!({"outcome": "block", "outputs": {"queue": "general", "level": 2}, "reasons": ["vip"],
                       "effects": [{"kind": "tag", "tag": "x"}]});
        assert_eq!(
            differences(&a, &c),
            ["outcome", "outputs.agent", "outputs.level", "outputs.queue", "effects"].map(String::from)
        );
    }
}
