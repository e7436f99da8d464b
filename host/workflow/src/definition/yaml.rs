//! YAML to JSON with a line for every node, so a validation error can name the line of the field
//! it is about (serde_yaml keeps no positions once it has built a value).

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use yaml_rust2::Event;
use yaml_rust2::parser::{MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// The document as JSON plus the 1-based line where each field path starts (`steps[1].plugin`).
#[derive(Debug, Default)]
pub struct Marked {
    pub value: Value,
    pub lines: HashMap<String, usize>,
}

impl Marked {
    /// The line of `path`, or of its nearest ancestor that has one (a missing field is reported
    /// at the object that lacks it).
    pub fn line_of(&self, path: &str) -> usize {
        let mut path = path;
        loop {
            if let Some(line) = self.lines.get(path) {
                return *line;
            }
            match path.rfind(['.', '[']) {
                Some(cut) => path = &path[..cut],
                None => return self.lines.get("").copied().unwrap_or(1),
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct YamlError {
    pub line: usize,
    pub message: String,
}

enum Frame {
    Seq(Vec<Value>, String),
    /// Entries so far, the path of the map, and the key waiting for its value.
    Map(Map<String, Value>, String, Option<String>),
}

struct Builder {
    stack: Vec<Frame>,
    root: Option<Value>,
    lines: HashMap<String, usize>,
    error: Option<YamlError>,
    documents: usize,
}

impl Builder {
    /// The path of the node that comes next, given where we are.
    fn next_path(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(Frame::Seq(items, path)) => format!("{path}[{}]", items.len()),
            Some(Frame::Map(_, path, Some(key))) => join(path, key),
            // A key itself: report it at its map.
            Some(Frame::Map(_, path, None)) => path.clone(),
        }
    }

    fn push_value(&mut self, value: Value, line: usize) {
        let path = self.next_path();
        match self.stack.last_mut() {
            None => {
                self.lines.entry(path).or_insert(line);
                self.root = Some(value);
            }
            Some(Frame::Seq(items, _)) => {
                self.lines.entry(path).or_insert(line);
                items.push(value);
            }
            Some(Frame::Map(map, map_path, key)) => match key.take() {
                Some(key) => {
                    self.lines.entry(path).or_insert(line);
                    map.insert(key, value);
                }
                None => {
                    let k = match value {
                        Value::String(k) => k,
                        Value::Null => "null".into(),
                        other => other.to_string(),
                    };
                    if map.contains_key(&k) && self.error.is_none() {
                        self.error = Some(YamlError { line, message: format!("the key `{k}` appears twice") });
                    }
                    // A field is reported at its key's line, even when its value starts below.
                    let field = join(map_path, &k);
                    self.lines.insert(field, line);
                    *key = Some(k);
                }
            },
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line();
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 && self.error.is_none() {
                    self.error = Some(YamlError {
                        line,
                        message: "the file holds more than one YAML document; put one workflow per file".into(),
                    });
                }
            }
            Event::Alias(_) => {
                if self.error.is_none() {
                    self.error = Some(YamlError {
                        line,
                        message: "YAML aliases (*name) are not supported in workflow files; write the value out".into(),
                    });
                }
                self.push_value(Value::Null, line);
            }
            Event::Scalar(text, style, _, tag) => {
                let value = scalar(text, style, tag.as_ref());
                self.push_value(value, line);
            }
            Event::SequenceStart(..) => {
                let path = self.next_path();
                self.lines.entry(path.clone()).or_insert(line);
                self.stack.push(Frame::Seq(Vec::new(), path));
            }
            Event::MappingStart(..) => {
                let path = self.next_path();
                self.lines.entry(path.clone()).or_insert(line);
                self.stack.push(Frame::Map(Map::new(), path, None));
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq(items, path)) = self.stack.pop() {
                    let at = self.lines.get(&path).copied().unwrap_or(line);
                    self.push_value(Value::Array(items), at);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map(map, path, _)) = self.stack.pop() {
                    let at = self.lines.get(&path).copied().unwrap_or(line);
                    self.push_value(Value::Object(map), at);
                }
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

/// YAML 1.2 core schema for plain scalars; quoted scalars are always strings.
fn scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    if style != TScalarStyle::Plain || tag.is_some_and(|t| t.suffix == "str") {
        return Value::String(text);
    }
    match text.as_str() {
        "~" | "null" | "Null" | "NULL" | "" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let digits = text.replace('_', "");
    if let Ok(i) = digits.parse::<i64>() {
        return Value::Number(i.into());
    }
    if digits.chars().any(|c| c.is_ascii_digit())
        && let Ok(f) = digits.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text)
}

/// Parses one YAML document into JSON with line numbers.
pub fn parse(source: &str) -> Result<Marked, YamlError> {
    let mut builder = Builder { stack: Vec::new(), root: None, lines: HashMap::new(), error: None, documents: 0 };
    let mut parser = Parser::new_from_str(source);
    parser.load(&mut builder, true).map_err(|e| YamlError {
        line: e.marker().line(),
        message: format!("invalid YAML: {} (column {})", e.info(), e.marker().col() + 1),
    })?;
    if let Some(error) = builder.error {
        return Err(error);
    }
    Ok(Marked { value: builder.root.unwrap_or(Value::Null), lines: builder.lines })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_its_line() {
        let m = parse("name: a\nsteps:\n  - id: x\n    plugin: r@1\n  - id: y\n    retry: {max_attempts: 3}\n")
            .expect("parses");
        assert_eq!(m.value["steps"][1]["retry"]["max_attempts"], 3);
        assert_eq!(m.lines["name"], 1);
        assert_eq!(m.lines["steps[0].plugin"], 4);
        assert_eq!(m.lines["steps[1].id"], 5);
        assert_eq!(m.line_of("steps[1].retry.backoff"), 6);
        assert_eq!(m.line_of("steps[1].nope"), 5);
        let m = parse("step:\n  config:\n    queues: {}\n").expect("parses");
        assert_eq!(m.lines["step.config"], 2, "a block value is reported at its key");
    }

    #[test]
    fn plain_scalars_follow_the_core_schema_and_quoted_ones_stay_strings() {
        let m = parse("a: 1\nb: '1'\nc: true\nd: ~\ne: 1.5\nf: 2s\n").expect("parses");
        assert_eq!(m.value, serde_json::json!({"a": 1, "b": "1", "c": true, "d": null, "e": 1.5, "f": "2s"}));
    }

    #[test]
    fn broken_yaml_reports_its_line() {
        let err = parse("name: a\nsteps:\n  - id: x\n   plugin: [\n").expect_err("invalid");
        assert!(err.line >= 3, "{err}");
        assert!(err.message.starts_with("invalid YAML"), "{err}");
    }

    #[test]
    fn duplicate_keys_are_an_error() {
        let err = parse("name: a\nname: b\n").expect_err("duplicate");
        assert_eq!(err.line, 2);
        assert!(err.message.contains("`name` appears twice"));
    }
}
