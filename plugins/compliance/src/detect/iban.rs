//! IBANs: country code, two check digits and the account, electronic (`DE89370400440532013000`)
//! or in print groups of four (`DE89 3704 0044 0532 0130 00`), any letter case.

use super::{Hit, Kind, free_left, free_right};
use crate::checksum::{iban_length, iban_mod97};

/// Pushes valid IBANs to `hits`, and to `shaped` the spans that have an IBAN's shape but fail
/// its check: their digits are a mistyped IBAN, not a card or a phone number.
pub fn scan(text: &[u8], hits: &mut Vec<Hit>, shaped: &mut Vec<Hit>) {
    let mut i = 0;
    while i + 4 <= text.len() {
        // An IBAN's third byte is a digit, and digits are rare in prose: skip to the next one.
        match text[i + 2..text.len() - 1].iter().position(u8::is_ascii_digit) {
            Some(skip) => i += skip,
            None => break,
        }
        match iban_at(text, i) {
            Some((end, valid)) => {
                let hit = Hit { kind: Kind::Iban, start: i, end };
                if valid {
                    hits.push(hit)
                } else {
                    shaped.push(hit)
                }
                i = end;
            }
            None => i += 1,
        }
    }
}

fn iban_at(text: &[u8], start: usize) -> Option<(usize, bool)> {
    let head = &text[start..start + 4];
    let shape = head[0].is_ascii_alphabetic()
        && head[1].is_ascii_alphabetic()
        && head[2].is_ascii_digit()
        && head[3].is_ascii_digit();
    if !shape || !free_left(text, start) {
        return None;
    }
    let country = [head[0].to_ascii_uppercase(), head[1].to_ascii_uppercase()];
    let len = iban_length(&country)?;
    let mut compact = Vec::with_capacity(len);
    let mut end = start;
    while compact.len() < len {
        let b = *text.get(end)?;
        if b.is_ascii_alphanumeric() {
            compact.push(b.to_ascii_uppercase());
            end += 1;
        } else if b == b' ' && end > start && text.get(end + 1).is_some_and(u8::is_ascii_alphanumeric) {
            end += 1;
        } else {
            return None;
        }
    }
    free_right(text, end).then(|| (end, iban_mod97(&compact)))
}
