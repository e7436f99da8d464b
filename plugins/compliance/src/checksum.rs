//! The arithmetic that separates a real identifier from a number that merely looks like one.
//! Every detector calls one of these before it reports a finding.

/// Luhn (ISO/IEC 7812) over ASCII digits: the check every payment card number carries.
pub fn luhn(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// The GB 11643-1999 check character (`0`-`9` or `X`) for the first 17 digits of a resident ID.
pub fn gb11643_check(first17: &[u8]) -> u8 {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(&d, w)| u32::from(d - b'0') * w).sum();
    CHECK[(sum % 11) as usize]
}

/// Province codes (the first two digits) that a mainland resident ID can start with.
pub fn cn_province(code: u32) -> bool {
    matches!(code, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82 | 83)
}

/// A birth date `YYYYMMDD` that a living person's ID can carry: 1900 to 2025, a real calendar day.
pub fn plausible_birth_date(ymd: &[u8]) -> bool {
    let Some(n) = number(ymd) else { return false };
    let (year, month, day) = (n / 10_000, n / 100 % 100, n % 100);
    if !(1900..=2025).contains(&year) || !(1..=12).contains(&month) || day == 0 {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    day <= days
}

/// A US Social Security number's three parts are each allowed: no area 000, 666 or 900-999,
/// no group 00, no serial 0000 (SSA's never-issued ranges).
pub fn ssn_parts_valid(area: u32, group: u32, serial: u32) -> bool {
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// ISO 13616 mod-97 over an IBAN's uppercase alphanumerics (no separators): valid when it is 1.
pub fn iban_mod97(iban: &[u8]) -> bool {
    if iban.len() < 5 {
        return false;
    }
    let (head, tail) = iban.split_at(4);
    let mut rem = 0u32;
    for &c in tail.iter().chain(head) {
        match c {
            b'0'..=b'9' => rem = (rem * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => rem = (rem * 100 + u32::from(c - b'A') + 10) % 97,
            _ => return false,
        }
    }
    rem == 1
}

/// The IBAN length for a country code, from the SWIFT IBAN registry; `None` for a country
/// without IBANs (so `US12...` is never one).
#[rustfmt::skip]
pub fn iban_length(country: &[u8]) -> Option<usize> {
    let len = match country {
        b"AD" => 24, b"AE" => 23, b"AL" => 28, b"AT" => 20, b"AZ" => 28, b"BA" => 20, b"BE" => 16,
        b"BG" => 22, b"BH" => 22, b"BR" => 29, b"BY" => 28, b"CH" => 21, b"CR" => 22, b"CY" => 28,
        b"CZ" => 24, b"DE" => 22, b"DK" => 18, b"DO" => 28, b"EE" => 20, b"EG" => 29, b"ES" => 24,
        b"FI" => 18, b"FO" => 18, b"FR" => 27, b"GB" => 22, b"GE" => 22, b"GI" => 23, b"GL" => 18,
        b"GR" => 27, b"GT" => 28, b"HR" => 21, b"HU" => 28, b"IE" => 22, b"IL" => 23, b"IQ" => 23,
        b"IS" => 26, b"IT" => 27, b"JO" => 30, b"KW" => 30, b"KZ" => 20, b"LB" => 28, b"LC" => 32,
        b"LI" => 21, b"LT" => 20, b"LU" => 20, b"LV" => 21, b"MC" => 27, b"MD" => 24, b"ME" => 22,
        b"MK" => 19, b"MR" => 27, b"MT" => 31, b"MU" => 30, b"NL" => 18, b"NO" => 15, b"PK" => 24,
        b"PL" => 28, b"PS" => 29, b"PT" => 25, b"QA" => 29, b"RO" => 24, b"RS" => 22, b"SA" => 24,
        b"SC" => 31, b"SE" => 24, b"SI" => 19, b"SK" => 24, b"SM" => 27, b"ST" => 25, b"SV" => 28,
        b"TL" => 23, b"TN" => 24, b"TR" => 26, b"UA" => 29, b"VA" => 22, b"VG" => 24, b"XK" => 20,
        _ => return None,
    };
    Some(len)
}

/// The value of a short run of ASCII digits (at most 9, so it fits).
pub fn number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0, |n, &d| n * 10 + u32::from(d - b'0')))
}
