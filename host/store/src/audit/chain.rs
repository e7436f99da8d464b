//! What an entry's hash commits to, and how those fields are turned into bytes.
//!
//! The encoding is versioned and unambiguous: every field is written as its length (8 bytes, big
//! endian) followed by its bytes, so no choice of actor, target or details can make two different
//! entries encode the same way. `details` is written as canonical JSON (object keys sorted, no
//! whitespace), so how a backend happens to store or reorder JSON never changes the hash.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `prev_hash` of the first entry: nothing came before it.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Names the encoding, so a future change of fields or format cannot collide with this one.
const DOMAIN: &[u8] = b"weft-audit-v1";

/// The hashed fields of one entry, borrowed from wherever they live.
pub(crate) struct Link<'a> {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub details: &'a Value,
    pub prev_hash: &'a str,
}

impl Link<'_> {
    /// Lowercase hex SHA-256 of the encoded fields.
    pub(crate) fn hash(&self) -> String {
        let seq = self.seq.to_string();
        // Microseconds are what every backend stores, so the text is the same before and after a
        // round trip through the database.
        let at = self.at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let mut details = String::new();
        write_canonical(self.details, &mut details);

        let mut hasher = Sha256::new();
        for field in [
            DOMAIN,
            seq.as_bytes(),
            at.as_bytes(),
            self.actor.as_bytes(),
            self.action.as_bytes(),
            self.target.as_bytes(),
            details.as_bytes(),
            self.prev_hash.as_bytes(),
        ] {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field);
        }
        hex::encode(hasher.finalize())
    }
}

/// JSON with object keys in byte order and no insignificant whitespace. Sorting here, rather than
/// relying on `serde_json::Map`, keeps the hash stable even if some dependency turns on serde_json's
/// `preserve_order` feature.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(item) = map.get(key) {
                    write_canonical(item, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        // Scalars have one compact form already.
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn link<'a>(actor: &'a str, target: &'a str, details: &'a Value) -> Link<'a> {
        Link { seq: 1, at: DateTime::UNIX_EPOCH, actor, action: "plugin.publish", target, details, prev_hash: GENESIS }
    }

    // Rule: the order in which a JSON object's keys were written never changes the hash.
    #[test]
    fn key_order_does_not_matter() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":{"y":[1,2],"x":null}}"#).expect("json");
        let b: Value = serde_json::from_str(r#"{"a":{"x":null,"y":[1,2]},"b":1}"#).expect("json");
        let mut text = String::new();
        write_canonical(&a, &mut text);
        assert_eq!(text, r#"{"a":{"x":null,"y":[1,2]},"b":1}"#);
        assert_eq!(link("dev", "t", &a).hash(), link("dev", "t", &b).hash());
    }

    // Rule: moving text from one field to the next gives a different hash (fields are
    // length-prefixed, not just concatenated).
    #[test]
    fn field_boundaries_are_part_of_the_hash() {
        let details = json!({});
        assert_ne!(link("ab", "c", &details).hash(), link("a", "bc", &details).hash());
    }
}
