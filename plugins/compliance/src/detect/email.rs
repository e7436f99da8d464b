//! Email addresses: `local@domain.tld`, ASCII, with the syntax most mail systems accept.

use super::{Hit, Kind};

fn local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn domain_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

pub fn scan(text: &[u8], hits: &mut Vec<Hit>) {
    let mut from = 0;
    while let Some(at) = text[from..].iter().position(|&b| b == b'@').map(|i| from + i) {
        from = at + 1;
        let mut start = at;
        while start > 0 && local_char(text[start - 1]) {
            start -= 1;
        }
        while start < at && matches!(text[start], b'.' | b'-' | b'+') {
            start += 1;
        }
        let mut end = at + 1;
        while end < text.len() && domain_char(text[end]) {
            end += 1;
        }
        while end > at + 1 && matches!(text[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let (local, domain) = (&text[start..at], &text[at + 1..end]);
        if valid_local(local) && valid_domain(domain) {
            hits.push(Hit { kind: Kind::Email, start, end });
            from = end;
        }
    }
}

fn valid_local(local: &[u8]) -> bool {
    !local.is_empty() && local.len() <= 64 && !local.ends_with(b".") && !local.windows(2).any(|w| w == b"..")
}

fn valid_domain(domain: &[u8]) -> bool {
    if domain.len() > 253 {
        return false;
    }
    let labels: Vec<&[u8]> = domain.split(|&b| b == b'.').collect();
    let Some(tld) = labels.last() else { return false };
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with(b"-") && !l.ends_with(b"-"))
        && tld.len() >= 2
        && tld.iter().all(u8::is_ascii_alphabetic)
}
