//! The ticket JSON Schema (`docs/schemas/ticket.schema.json`): served to integrators at
//! `GET /v1/schemas/ticket.json` and checked against every webhook body, so a 422 names every
//! failing path at once instead of one per round trip.

use std::sync::OnceLock;

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::error::ApiError;

pub const SOURCE: &str = include_str!("../../../../docs/schemas/ticket.schema.json");

fn validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(SOURCE).ok()?;
            jsonschema::validator_for(&schema).ok()
        })
        .as_ref()
}

/// `/customer/tier` → `customer.tier`; `/conversation/0/author` → `conversation[0].author`: the
/// spelling the rest of the API uses for fields.
fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.chars().all(|c| c.is_ascii_digit()) && !segment.is_empty() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

/// Every way `ticket` breaks the schema, as one 422 `invalid-ticket`.
pub fn check(ticket: &Value) -> Result<(), ApiError> {
    // The schema is compiled into the binary and tested; if it ever failed to compile, the
    // serde model behind it still refuses bad tickets, so nothing unchecked gets through.
    let Some(validator) = validator() else { return Ok(()) };
    let errors: Vec<Value> = validator
        .iter_errors(ticket)
        .map(|e| {
            let pointer = e.instance_path().to_string();
            json!({"path": if pointer.is_empty() { "/".to_owned() } else { pointer.clone() },
                   "field": dotted(&pointer), "message": e.to_string()})
        })
        .collect();
    let Some(first) = errors.first() else { return Ok(()) };
    let listed: Vec<String> = errors
        .iter()
        .map(|e| format!("`{}`: {}", e["path"].as_str().unwrap_or("/"), e["message"].as_str().unwrap_or("")))
        .collect();
    Err(ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-ticket",
        format!(
            "the ticket has {} problem(s): {}; nothing was started. The schema is at /v1/schemas/ticket.json",
            errors.len(),
            listed.join("; ")
        ),
    )
    .details(json!({ "field": first["field"], "errors": errors })))
}

/// `GET /v1/schemas/ticket.json`: public, like any API description.
#[utoipa::path(
    get,
    path = "/v1/schemas/ticket.json",
    tag = "workflows",
    security(()),
    responses((status = 200, description = "The JSON Schema (2020-12) every inbound ticket is checked against", content_type = "application/schema+json", body = serde_json::Value)),
)]
pub async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/schema+json")], SOURCE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_compiles() {
        assert!(validator().is_some(), "docs/schemas/ticket.schema.json must be a valid JSON Schema");
    }

    #[test]
    fn pointers_read_like_fields() {
        assert_eq!(dotted("/customer/tier"), "customer.tier");
        assert_eq!(dotted("/conversation/0/author"), "conversation[0].author");
        assert_eq!(dotted(""), "");
    }

    #[test]
    fn every_failing_path_is_named() {
        let ticket = json!({"id": "T-1", "channel": "fax", "priority": "whenever", "customer": {"id": "C", "tier": 3},
                            "conversation": [{"author": "robot", "body": "hi"}], "surprise": true});
        let err = check(&ticket).expect_err("invalid");
        assert_eq!(err.code, "invalid-ticket");
        let fields: Vec<&str> =
            err.details["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
        for field in ["channel", "priority", "customer.tier", "conversation[0].author", ""] {
            assert!(fields.contains(&field), "{field} missing from {fields:?}");
        }
    }

    /// Every ticket the plugins' fixtures use is a ticket the schema accepts: the schema must
    /// never refuse what the model takes.
    #[test]
    fn fixture_tickets_pass() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins");
        let mut checked = 0;
        for dir in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            for file in std::fs::read_dir(dir.path().join("fixtures")).into_iter().flatten().flatten() {
                let Ok(text) = std::fs::read_to_string(file.path()) else { continue };
                let Ok(fixture) = serde_json::from_str::<Value>(&text) else { continue };
                let Some(ticket) = fixture.pointer("/input/ticket") else { continue };
                if serde_json::from_value::<weft_runtime::model::Ticket>(ticket.clone()).is_err() {
                    continue; // hostile fixtures the model refuses too
                }
                assert!(
                    check(ticket).is_ok(),
                    "{}: {:?}",
                    file.path().display(),
                    check(ticket).err().map(|e| e.message)
                );
                checked += 1;
            }
        }
        assert!(checked > 20, "only {checked} fixture tickets found under {}", root.display());
    }
}
