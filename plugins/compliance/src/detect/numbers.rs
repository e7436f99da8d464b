//! Everything made of digit groups: resident IDs, mobile numbers, card numbers, SSNs and
//! international phone numbers. A run of digit groups joined by short separators is read once,
//! then the leftmost-longest sub-run that one of the validators accepts becomes a finding, so
//! `13812345678 13912345678` is two numbers and `订单 2023 10 01` none.

use super::{Hit, Kind, free_left, free_right};
use crate::checksum::{cn_province, gb11643_check, luhn, number, plausible_birth_date, ssn_parts_valid};

/// The longest sub-run tried, in groups: a card printed in ones would still be read.
const MAX_GROUPS: usize = 8;

/// One run of digits, `text[start..end]`; the last may end in the `X` of a resident ID.
#[derive(Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
}

pub fn scan(text: &[u8], hits: &mut Vec<Hit>) {
    let mut groups = Vec::new();
    let mut i = 0;
    while i < text.len() {
        // Skip to the next digit or `+` cheaply: most of a ticket is words.
        match text[i..].iter().position(|&b| b.is_ascii_digit() || b == b'+') {
            Some(skip) => i += skip,
            None => break,
        }
        let b = text[i];
        let plus = b == b'+' && text.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !(plus || b.is_ascii_digit()) || !free_left(text, i) {
            i += 1;
            continue;
        }
        let end = read_run(text, i + usize::from(plus), &mut groups);
        classify_run(text, i, plus, &groups, hits);
        i = end.max(i + 1);
    }
}

/// Reads digit groups from `at` joined by separators of at most two characters (`-`, space,
/// `.`, parentheses), into `groups`; returns where the run ends.
fn read_run(text: &[u8], mut at: usize, groups: &mut Vec<Group>) -> usize {
    groups.clear();
    loop {
        let start = at;
        while at < text.len() && text[at].is_ascii_digit() {
            at += 1;
        }
        if at - start == 17
            && matches!(text.get(at), Some(b'X' | b'x'))
            && !text.get(at + 1).is_some_and(|&b| super::is_word(b))
        {
            at += 1;
        }
        groups.push(Group { start, end: at });
        let sep = text[at..].iter().take(3).take_while(|&&b| matches!(b, b' ' | b'-' | b'.' | b'(' | b')')).count();
        if sep == 0 || sep > 2 || !text.get(at + sep).is_some_and(u8::is_ascii_digit) {
            return at;
        }
        at += sep;
    }
}

fn classify_run(text: &[u8], run_start: usize, plus: bool, groups: &[Group], hits: &mut Vec<Hit>) {
    let mut i = 0;
    while i < groups.len() {
        let last = groups.len().min(i + MAX_GROUPS) - 1;
        let found = (i..=last).rev().find_map(|j| {
            let start = if i == 0 { run_start } else { groups[i].start };
            let end = groups[j].end;
            if (i > 0 && !free_left(text, start)) || !free_right(text, end) {
                return None;
            }
            classify(text, plus && i == 0, &groups[i..=j]).map(|kind| (j, Hit { kind, start, end }))
        });
        match found {
            Some((j, hit)) => {
                hits.push(hit);
                i = j + 1;
            }
            None => i += 1,
        }
    }
}

/// The digit groups of one candidate, flattened.
struct Candidate<'a> {
    digits: Vec<u8>,
    lens: Vec<usize>,
    /// The separator bytes between the groups, trimmed of nothing: `" "`, `"-"`, `") "`...
    seps: Vec<&'a [u8]>,
}

impl<'a> Candidate<'a> {
    fn new(text: &'a [u8], groups: &[Group]) -> Self {
        let mut digits = Vec::with_capacity(20);
        let mut lens = Vec::with_capacity(groups.len());
        let mut seps = Vec::with_capacity(groups.len());
        for (k, g) in groups.iter().enumerate() {
            digits.extend_from_slice(&text[g.start..g.end]);
            lens.push(g.end - g.start);
            if k > 0 {
                seps.push(&text[groups[k - 1].end..g.start]);
            }
        }
        Self { digits, lens, seps }
    }

    /// All separators are one character of `allowed`, the same throughout.
    fn plain_seps(&self, allowed: &[u8]) -> bool {
        self.seps.iter().all(|s| s.len() == 1 && allowed.contains(&s[0]) && s[0] == self.seps[0][0])
    }
}

fn classify(text: &[u8], plus: bool, groups: &[Group]) -> Option<Kind> {
    // No kind is longer than 19 digits or shorter than 8: skip the rest without building anything.
    let len: usize = groups.iter().map(|g| g.end - g.start).sum();
    if !(8..=19).contains(&len) {
        return None;
    }
    let c = Candidate::new(text, groups);
    if plus {
        return if cn_mobile(&c) { Some(Kind::CnMobile) } else { intl_phone(&c).then_some(Kind::IntlPhone) };
    }
    if cn_id(&c) {
        Some(Kind::CnId)
    } else if us_ssn(&c) {
        Some(Kind::UsSsn)
    } else if cn_mobile(&c) {
        Some(Kind::CnMobile)
    } else if bank_card(&c) {
        Some(Kind::BankCard)
    } else {
        None
    }
}

/// 18 characters in one group: province, a real birth date, and the GB 11643 check character.
pub(crate) fn cn_id_valid(id: &[u8]) -> bool {
    if id.len() != 18 || !id[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    number(&id[..2]).is_some_and(cn_province)
        && plausible_birth_date(&id[6..14])
        && gb11643_check(&id[..17]) == id[17].to_ascii_uppercase()
}

fn cn_id(c: &Candidate) -> bool {
    c.lens.len() == 1 && cn_id_valid(&c.digits)
}

/// `AAA-GG-SSSS` (or with spaces): nine digits alone are too often something else.
fn us_ssn(c: &Candidate) -> bool {
    c.lens == [3, 2, 4]
        && c.plain_seps(b"- ")
        && ssn_parts_valid(
            number(&c.digits[..3]).unwrap_or(0),
            number(&c.digits[3..5]).unwrap_or(0),
            number(&c.digits[5..]).unwrap_or(0),
        )
}

/// 11 digits `1[3-9]…` in at most three groups, after an optional `86`/`0086`/`+86` prefix
/// (which may be glued to the first group: `+86138 1234 5678`).
fn cn_mobile(c: &Candidate) -> bool {
    let prefix = match c.digits.len() {
        11 => 0,
        13 if c.digits.starts_with(b"86") => 2,
        15 if c.digits.starts_with(b"0086") => 4,
        _ => return false,
    };
    let groups = c.lens.len() - usize::from(prefix > 0 && c.lens[0] == prefix);
    let digits = &c.digits[prefix..];
    digits[0] == b'1'
        && (b'3'..=b'9').contains(&digits[1])
        && groups <= 3
        && c.seps.iter().all(|s| s.len() == 1 && matches!(s[0], b' ' | b'-'))
}

/// A payment card: 13–19 digits, printed whole, in fours, or as Amex's 4-6-5; an issuer prefix
/// in use (Visa, Mastercard, Amex, UnionPay, JCB, Discover, Diners, Maestro); Luhn.
fn bank_card(c: &Candidate) -> bool {
    let n = c.digits.len();
    if !(13..=19).contains(&n) || !c.plain_seps(b" -") {
        return false;
    }
    let (body, tail) = c.lens.split_at(c.lens.len() - 1);
    let grouping = c.lens.len() == 1
        || (body.iter().all(|&l| l == 4) && (1..=4).contains(&tail[0]))
        || c.lens == [4, 6, 5]
        || c.lens == [4, 6, 4];
    // 13 digits are only ever old Visa numbers; elsewhere they are EAN-13 barcodes (690-699 in China).
    let length_ok = n != 13 || c.digits[0] == b'4';
    grouping && length_ok && issuer_prefix(&c.digits) && luhn(&c.digits)
}

fn issuer_prefix(d: &[u8]) -> bool {
    let two = number(&d[..2]).unwrap_or(0);
    let four = number(&d[..4]).unwrap_or(0);
    match d[0] {
        b'4' => true,
        b'5' => true,
        b'2' => (2221..=2720).contains(&four),
        b'3' => matches!(two, 30 | 34 | 35 | 36 | 37 | 38 | 39),
        b'6' => matches!(two, 60 | 62 | 63 | 64 | 65 | 67),
        _ => false,
    }
}

/// After `+`: a country code that does not start with 0 and 8–15 digits in all (a country code
/// and at least six digits; `+86 95588` is a bank's short code, not a subscriber).
fn intl_phone(c: &Candidate) -> bool {
    (8..=15).contains(&c.digits.len())
        && c.digits[0] != b'0'
        && !c.digits.iter().any(|&d| d == b'X' || d == b'x')
        && c.seps.iter().all(|s| s.iter().all(|&b| matches!(b, b' ' | b'-' | b'.' | b'(' | b')')))
}
