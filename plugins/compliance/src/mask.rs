//! Masked previews: enough of a value for an agent to confirm it with the customer ("the card
//! ending 1111"), never enough to use it.

use crate::detect::{Hit, Kind};

/// The preview of `value`, a finding of `kind`: emails keep the first character and the domain;
/// IBANs the country; every other kind keeps its last four digits, and separators stay.
pub fn preview(kind: Kind, value: &str) -> String {
    if kind == Kind::Email {
        let (local, domain) = value.split_once('@').unwrap_or((value, ""));
        let first = local.chars().next().map(String::from).unwrap_or_default();
        return format!("{first}***@{domain}");
    }
    let keep_head = if kind == Kind::Iban { 2 } else { 0 };
    let total = value.bytes().filter(u8::is_ascii_alphanumeric).count();
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if !c.is_ascii_alphanumeric() {
                return c;
            }
            seen += 1;
            if seen <= keep_head || seen > total.saturating_sub(4) { c } else { '*' }
        })
        .collect()
}

/// `text` with every hit replaced by its preview; `hits` in order and without overlaps.
pub fn mask(text: &str, hits: &[Hit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for hit in hits {
        out.push_str(&text[at..hit.start]);
        out.push_str(&preview(hit.kind, &text[hit.start..hit.end]));
        at = hit.end;
    }
    out.push_str(&text[at..]);
    out
}
