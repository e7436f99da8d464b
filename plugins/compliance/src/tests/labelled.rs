//! The labelled set: `testdata/templates.txt` (sentences written by hand) filled by a small
//! generator whose IDs, cards and IBANs carry checksums it computes, written to
//! `testdata/labelled.jsonl`; then every detector's precision, recall and F1 over it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::json;

use crate::checksum::{gb11643_check, iban_length, iban_mod97, luhn};
use crate::detect::{self, Kind};

const TEMPLATES: &str = include_str!("../../testdata/templates.txt");
const LABELLED: &str = "testdata/labelled.jsonl";

/// SplitMix64: a fixed seed gives the same set on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

fn cn_id(rng: &mut Rng, valid_date: bool) -> String {
    let province = rng.pick(&["11", "31", "44", "51", "33", "42", "61", "21", "37", "50", "65"]);
    let year = 1950 + rng.below(56);
    let month = if valid_date { 1 + rng.below(12) } else { 13 + rng.below(6) };
    let day = 1 + rng.below(28);
    let first17 = format!("{province}{}{year}{month:02}{day:02}{}", rng.digits(4), rng.digits(3));
    let check = gb11643_check(first17.as_bytes());
    format!("{first17}{}", char::from(check))
}

fn cn_id_bad(rng: &mut Rng) -> String {
    let mut id = cn_id(rng, true).into_bytes();
    let right = id[17];
    id[17] =
        *b"0123456789X".iter().cycle().skip_while(|&&c| c != right).nth(1 + rng.below(9) as usize).unwrap_or(&b'0');
    String::from_utf8(id).unwrap_or_default()
}

fn luhn_digit(body: &str) -> char {
    (b'0'..=b'9').map(char::from).find(|d| luhn(format!("{body}{d}").as_bytes())).unwrap_or('0')
}

fn card_number(rng: &mut Rng, prefix: &str, len: usize) -> String {
    let body = format!("{prefix}{}", rng.digits(len - prefix.len() - 1));
    let check = luhn_digit(&body);
    format!("{body}{check}")
}

fn card(rng: &mut Rng) -> String {
    let prefix = rng.pick(&["4", "51", "53", "55", "2221", "6222", "6217", "6228", "6011", "35"]);
    card_number(rng, prefix, 16)
}

fn card_bad(rng: &mut Rng) -> String {
    let good = card(rng);
    let (body, check) = good.split_at(15);
    let wrong = (check.as_bytes()[0] - b'0' + 1 + rng.below(9) as u8) % 10;
    format!("{body}{wrong}")
}

fn grouped(number: &str, sizes: &[usize], sep: &str) -> String {
    let mut out = Vec::new();
    let mut at = 0;
    for &size in sizes {
        out.push(&number[at..(at + size).min(number.len())]);
        at += size;
    }
    if at < number.len() {
        out.push(&number[at..]);
    }
    out.join(sep)
}

fn fours(number: &str, sep: &str) -> String {
    grouped(number, &vec![4; number.len() / 4], sep).trim_end_matches(sep).to_owned()
}

fn iban(rng: &mut Rng) -> String {
    let country = rng.pick(&["DE", "GB", "FR", "NL", "ES", "IT", "CH", "BE", "AT", "IE"]);
    let len = iban_length(country.as_bytes()).unwrap_or(22);
    let bban = match country {
        "GB" | "IE" => format!("{}{}", rng.pick(&["NWBK", "BARC", "HSBC", "AIBK"]), rng.digits(len - 8)),
        "NL" => format!("{}{}", rng.pick(&["ABNA", "INGB", "RABO"]), rng.digits(len - 8)),
        "IT" => format!("X{}", rng.digits(len - 5)),
        _ => rng.digits(len - 4),
    };
    let zeroed = format!("{country}00{bban}");
    let check = (0..100).find(|c| iban_mod97(format!("{country}{c:02}{bban}").as_bytes())).unwrap_or(0);
    debug_assert!(!iban_mod97(zeroed.as_bytes()) || check == 0);
    format!("{country}{check:02}{bban}")
}

fn iban_bad(rng: &mut Rng) -> String {
    let good = iban(rng);
    let check: u32 = good[2..4].parse().unwrap_or(0);
    format!("{}{:02}{}", &good[..2], (check + 1 + rng.below(90) as u32) % 100, &good[4..])
}

fn ssn(rng: &mut Rng) -> String {
    let area = loop {
        let a = 1 + rng.below(899);
        if a != 666 {
            break a;
        }
    };
    format!("{area:03}-{:02}-{:04}", 1 + rng.below(99), 1 + rng.below(9999))
}

fn ssn_bad(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => format!("000-{:02}-{:04}", 1 + rng.below(99), 1 + rng.below(9999)),
        1 => format!("666-{:02}-{:04}", 1 + rng.below(99), 1 + rng.below(9999)),
        2 => format!("9{}-{:02}-{:04}", rng.digits(2), 1 + rng.below(99), 1 + rng.below(9999)),
        3 => format!("{:03}-00-{:04}", 1 + rng.below(665), 1 + rng.below(9999)),
        _ => format!("{:03}-{:02}-0000", 1 + rng.below(665), 1 + rng.below(99)),
    }
}

fn cn_mobile(rng: &mut Rng) -> String {
    format!("1{}{}", rng.pick(&["3", "5", "7", "8", "9"]), rng.digits(9))
}

fn mobile_bad(rng: &mut Rng) -> String {
    format!("1{}{}", rng.pick(&["0", "1", "2"]), rng.digits(9))
}

fn intl_phone(rng: &mut Rng) -> String {
    let pattern = rng.pick(&[
        "+44 20 #### ####",
        "+1 ###-555-####",
        "+49 30 #######",
        "+81 3-####-####",
        "+33 6 ## ## ## ##",
        "+65 #### ####",
        "+852 #### ####",
        "+61 4## ### ###",
        "+91 9#### #####",
        "+7 495 ###-##-##",
        "+82 10-####-####",
        "+886 9## ### ###",
        "+86 10 #### ####",
        "+34 612 34 ## ##",
    ]);
    pattern.chars().map(|c| if c == '#' { char::from(b'0' + 1 + rng.below(9) as u8) } else { c }).collect()
}

fn email(rng: &mut Rng) -> String {
    let local = rng.pick(&[
        "zhang.wei",
        "lina_88",
        "j.smith",
        "maria.garcia",
        "wang.fang2020",
        "orders",
        "li-lei",
        "chen+orders",
        "xiaoming.liu",
        "a.kumar",
        "emma_w",
        "service.cn",
    ]);
    let domain = rng.pick(&[
        "163.com",
        "qq.com",
        "gmail.com",
        "outlook.com",
        "example.co.uk",
        "company.cn",
        "126.com",
        "sina.com.cn",
        "yahoo.co.jp",
        "weft-demo.com",
        "mail.example.de",
    ]);
    format!("{local}@{domain}")
}

/// Order, waybill and payment references: long digit strings that are none of the kinds.
fn order(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("2023{:02}{:02}{}", 1 + rng.below(12), 1 + rng.below(28), rng.digits(7)),
        1 => format!("{}{}", 2 + rng.below(8), rng.digits(11)),
        2 => format!("23{:02}{:02}-{}", 1 + rng.below(12), 1 + rng.below(28), rng.digits(15)),
        _ => format!("{}{}", rng.pick(&["1", "3"]), rng.digits(18)),
    }
}

/// What one placeholder becomes, and the kind it is expected as (`None` for near-misses).
fn fill(name: &str, rng: &mut Rng) -> (String, Option<Kind>) {
    let pii = |value: String, kind| (value, Some(kind));
    match name {
        "cn_id" => pii(cn_id(rng, true), Kind::CnId),
        "cn_id_bad" => (cn_id_bad(rng), None),
        "cn_id_baddate" => (cn_id(rng, false), None),
        "cn_mobile" => pii(cn_mobile(rng), Kind::CnMobile),
        "cn_mobile_dash" => pii(grouped(&cn_mobile(rng), &[3, 4, 4], "-"), Kind::CnMobile),
        "cn_mobile_space" => pii(grouped(&cn_mobile(rng), &[3, 4, 4], " "), Kind::CnMobile),
        "cn_mobile_86" => pii(format!("+86 {}", grouped(&cn_mobile(rng), &[3, 4, 4], " ")), Kind::CnMobile),
        "cn_mobile_prefixed" => {
            let prefix = rng.pick(&["+86 ", "+86-", "+86", "0086 ", "86-", "86 "]);
            let number = cn_mobile(rng);
            let number = if rng.below(2) == 0 { number } else { grouped(&number, &[3, 4, 4], " ") };
            pii(format!("{prefix}{number}"), Kind::CnMobile)
        }
        "mobile_bad" => (mobile_bad(rng), None),
        "card" => pii(card(rng), Kind::BankCard),
        "card_spaced" => pii(fours(&card(rng), " "), Kind::BankCard),
        "card_dashed" => pii(fours(&card(rng), "-"), Kind::BankCard),
        "card_bad" => (fours(&card_bad(rng), if rng.below(2) == 0 { " " } else { "" }), None),
        "card_last4" => (rng.digits(4), None),
        "amex" => {
            let prefix = rng.pick(&["34", "37"]);
            pii(grouped(&card_number(rng, prefix, 15), &[4, 6, 5], " "), Kind::BankCard)
        }
        "unionpay19" => pii(card_number(rng, "62", 19), Kind::BankCard),
        "iban" => pii(iban(rng), Kind::Iban),
        "iban_spaced" => pii(fours(&iban(rng), " "), Kind::Iban),
        "iban_bad" => (fours(&iban_bad(rng), " "), None),
        "ssn" => pii(ssn(rng), Kind::UsSsn),
        "ssn_bad" => (ssn_bad(rng), None),
        "intl_phone" => pii(intl_phone(rng), Kind::IntlPhone),
        "email" => pii(email(rng), Kind::Email),
        "qq_email" => pii(format!("{}{}@qq.com", 1 + rng.below(9), rng.digits(8)), Kind::Email),
        "order" => (order(rng), None),
        other => panic!("unknown placeholder {{{other}}} in templates.txt"),
    }
}

fn kind_named(name: &str) -> Kind {
    Kind::ALL.into_iter().find(|k| k.as_str() == name).unwrap_or_else(|| panic!("unknown kind {name}"))
}

/// The labelled set as JSON lines: `{"text": ..., "pii": [{"kind": ..., "value": ...}]}`.
fn generate() -> String {
    let mut rng = Rng(0x5EED_C0DE);
    let mut out = String::new();
    for line in TEMPLATES.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let mut text = String::new();
        let mut pii = Vec::new();
        let mut rest = line;
        while let Some(open) = rest.find(['{', '[']) {
            let (literal, after) = rest.split_at(open);
            text.push_str(literal);
            if let Some(inner) = after.strip_prefix("[[").and_then(|a| a.split_once("]]")) {
                let (kind, value) = inner.0.split_once(':').unwrap_or(("", inner.0));
                pii.push(json!({"kind": kind_named(kind).as_str(), "value": value}));
                text.push_str(value);
                rest = inner.1;
            } else if let Some(inner) = after.strip_prefix('{').and_then(|a| a.split_once('}')) {
                let (value, kind) = fill(inner.0, &mut rng);
                if let Some(kind) = kind {
                    pii.push(json!({"kind": kind.as_str(), "value": value}));
                }
                text.push_str(&value);
                rest = inner.1;
            } else {
                text.push_str(&after[..1]);
                rest = &after[1..];
            }
        }
        text.push_str(rest);
        let _ = writeln!(out, "{}", json!({"text": text, "pii": pii}));
    }
    out
}

#[derive(Default)]
struct Score {
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Score {
    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 { 1.0 } else { f64::from(a) / f64::from(b) }
}

// The committed set is exactly what the generator writes: no value in it was typed by hand.
// `WEFT_REGENERATE=1` rewrites it after the templates change.
#[test]
fn the_labelled_set_is_what_the_generator_writes() {
    let generated = generate();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(LABELLED);
    if std::env::var_os("WEFT_REGENERATE").is_some() {
        std::fs::write(&path, &generated).expect("write labelled.jsonl");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == generated, "{LABELLED} is stale: run WEFT_REGENERATE=1 cargo test -p compliance labelled");
    assert!(generated.lines().count() >= 300, "the labelled set needs at least 300 examples");
}

// Every detector finds what the set labels and little else: precision and recall of each are
// printed as a table (recorded in the README) and must stay above 0.9.
#[test]
fn labelled_set_precision_and_recall() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(LABELLED);
    let set = std::fs::read_to_string(path).expect("read labelled.jsonl");
    let mut scores: BTreeMap<Kind, Score> = Kind::ALL.into_iter().map(|k| (k, Score::default())).collect();
    let mut mistakes = Vec::new();
    let mut examples = 0;
    for line in set.lines() {
        examples += 1;
        let example: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let text = example["text"].as_str().unwrap_or_default();
        let mut expected: Vec<(Kind, String)> = example["pii"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (kind_named(p["kind"].as_str().unwrap_or_default()), p["value"].as_str().unwrap_or_default().to_owned())
            })
            .collect();
        for hit in detect::scan(text, &Kind::ALL) {
            let found = (hit.kind, text[hit.start..hit.end].to_owned());
            if let Some(i) = expected.iter().position(|e| *e == found) {
                expected.swap_remove(i);
                scores.entry(hit.kind).or_default().tp += 1;
            } else {
                scores.entry(hit.kind).or_default().fp += 1;
                mistakes.push(format!("FP {} {:?} in {text:?}", hit.kind.as_str(), found.1));
            }
        }
        for (kind, value) in expected {
            scores.entry(kind).or_default().fn_ += 1;
            mistakes.push(format!("FN {} {value:?} in {text:?}", kind.as_str()));
        }
    }
    let mut table = format!(
        "{examples} examples\n\n| detector | TP | FP | FN | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|---:|\n"
    );
    let mut all = Score::default();
    for (kind, s) in &scores {
        let _ = writeln!(
            table,
            "| {} | {} | {} | {} | {:.3} | {:.3} | {:.3} |",
            kind.as_str(),
            s.tp,
            s.fp,
            s.fn_,
            s.precision(),
            s.recall(),
            s.f1()
        );
        all.tp += s.tp;
        all.fp += s.fp;
        all.fn_ += s.fn_;
    }
    let _ = writeln!(
        table,
        "| **all** | {} | {} | {} | {:.3} | {:.3} | {:.3} |",
        all.tp,
        all.fp,
        all.fn_,
        all.precision(),
        all.recall(),
        all.f1()
    );
    println!("{table}");
    for mistake in &mistakes {
        println!("{mistake}");
    }
    for (kind, s) in &scores {
        assert!(s.tp > 0, "{} has no positive example in the set", kind.as_str());
        assert!(s.precision() >= 0.9 && s.recall() >= 0.9, "{} below the 0.9 floor:\n{table}", kind.as_str());
    }
}
