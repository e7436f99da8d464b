//! PII detectors over one text. Each detector validates what it finds (a checksum, a number
//! plan, a syntax); a number that only looks like PII is not a finding.

mod email;
mod iban;
mod numbers;

use serde::{Deserialize, Serialize};

/// What a finding is; the rule id is `pii.<kind>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Mainland China resident ID: 18 characters, GB 11643 check character, a real birth date.
    CnId,
    /// Mainland China mobile number: 1[3-9] and 11 digits, optionally +86.
    CnMobile,
    /// Payment card: 13–19 digits, a known issuer prefix, Luhn.
    BankCard,
    Email,
    /// IBAN: a country's registered length and ISO 13616 mod-97.
    Iban,
    /// US SSN written AAA-GG-SSSS, outside the never-issued ranges.
    UsSsn,
    /// `+` country code and subscriber number, 7–15 digits in all (E.164).
    IntlPhone,
}

impl Kind {
    pub const ALL: [Kind; 7] =
        [Kind::CnId, Kind::CnMobile, Kind::BankCard, Kind::Email, Kind::Iban, Kind::UsSsn, Kind::IntlPhone];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CnId => "cn_id",
            Kind::CnMobile => "cn_mobile",
            Kind::BankCard => "bank_card",
            Kind::Email => "email",
            Kind::Iban => "iban",
            Kind::UsSsn => "us_ssn",
            Kind::IntlPhone => "intl_phone",
        }
    }
}

/// One detected value: `text[start..end]`, UTF-8 byte offsets on character boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// Every PII value of the enabled kinds in `text`, in order and without overlaps. Emails and
/// IBANs go first, so the digits inside them are not read again as phone or card numbers.
pub fn scan(text: &str, enabled: &[Kind]) -> Vec<Hit> {
    let bytes = text.as_bytes();
    let mut hits = Vec::new();
    // Spans taken before the number detectors run: valid emails and IBANs, and IBAN-shaped
    // strings that fail mod-97 (the digits of a mistyped IBAN are not a card number).
    let mut taken = Vec::new();
    if enabled.contains(&Kind::Email) {
        email::scan(bytes, &mut hits);
    }
    let mut ibans = Vec::new();
    iban::scan(bytes, &mut ibans, &mut taken);
    if enabled.contains(&Kind::Iban) {
        hits.extend(ibans);
    } else {
        taken.extend(ibans);
    }
    taken.extend_from_slice(&hits);
    taken.sort_by_key(|h| h.start);
    let mut numeric = Vec::new();
    numbers::scan(bytes, &mut numeric);
    hits.extend(numeric.into_iter().filter(|h| enabled.contains(&h.kind) && !overlaps(&taken, h)));
    hits.sort_by_key(|h| h.start);
    hits
}

/// True when `hit` overlaps a span of `sorted` (sorted by start). Emails and IBANs do not overlap
/// among themselves, so the few spans starting last before `hit` ends are the only candidates.
fn overlaps(sorted: &[Hit], hit: &Hit) -> bool {
    sorted[..sorted.partition_point(|h| h.start < hit.end)].iter().rev().take(4).any(|h| h.end > hit.start)
}

/// True when `b` could continue a word or an identifier, so a match must not touch it.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True when the value starting at `start` stands apart on its left: not glued to a word
/// (`ORD13812345678`) nor to one through a joiner (`SN-13812345678`).
fn free_left(text: &[u8], start: usize) -> bool {
    match start.checked_sub(1).map(|i| text[i]) {
        None => true,
        Some(b) if is_word(b) => false,
        Some(b'-' | b'.' | b'/') => start < 2 || !is_word(text[start - 2]),
        Some(_) => true,
    }
}

/// The right-hand counterpart of [`free_left`] for a value ending at `end`.
fn free_right(text: &[u8], end: usize) -> bool {
    match text.get(end) {
        None => true,
        Some(&b) if is_word(b) => false,
        Some(b'-' | b'/') => text.get(end + 1).is_none_or(|&b| !is_word(b)),
        Some(b'.') => text.get(end + 1).is_none_or(|&b| !b.is_ascii_digit()),
        Some(_) => true,
    }
}
