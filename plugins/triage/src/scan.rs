//! One pass over a text, collecting the evidence the scores are computed from.
//!
//! Linear in the text: each character is looked at once, and a trie walk starts only where a
//! term could begin (an English word start, a Chinese character, a symbol such as an emoji).
//! A walk is as long as the longest lexicon entry, so 1 MiB of text costs the same per byte as
//! a one-line ticket.

use crate::intent::Intent;
use crate::lexicon::{Lexicon, Term};
use crate::trie::Trie;

/// A negator flips the first sentiment or urgency term that starts within this many units
/// (English words or Chinese characters) after it: "not very happy", "不是很满意", "并没有让我满意".
const NEGATION_WINDOW: u32 = 3;

/// Matched terms listed per intent in the reasons, and urgency terms in the output.
const MAX_LISTED: usize = 5;
const MAX_URGENCY_TERMS: usize = 10;

#[derive(Default)]
pub struct Evidence {
    /// Weighted term hits per intent, indexed like [`Intent::SCORED`].
    pub intent_weight: [f64; 6],
    /// The first distinct terms behind each intent, for the reasons.
    pub intent_terms: [Vec<u32>; 6],
    pub positive: f64,
    pub negative: f64,
    pub sentences: u64,
    pub negative_sentences: u64,
    pub urgency_hits: u32,
    /// Distinct urgency terms, in order of first appearance.
    pub urgency_terms: Vec<u32>,
    pub cjk_chars: u64,
    pub latin_words: u64,
}

/// Per-text state: negation and the sentence being read.
struct Reader<'a> {
    lexicon: &'a Lexicon,
    evidence: &'a mut Evidence,
    weight: f64,
    units: u32,
    negation_ends_at: Option<u32>,
    sentence_has_content: bool,
    sentence_negative: bool,
}

/// What the scanner does with an ASCII byte; one table lookup instead of a chain of tests,
/// because every byte of a 1 MiB ticket passes through here.
const SKIP: u8 = 0;
const WORD: u8 = 1;
const SENTENCE_END: u8 = 2;
const CLAUSE_END: u8 = 3;
const DOT: u8 = 4;
const WIDE: u8 = 5;

static BYTE_CLASS: [u8; 256] = {
    let mut class = [SKIP; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        class[byte] = if b.is_ascii_alphanumeric() {
            WORD
        } else if b >= 0x80 {
            WIDE
        } else {
            match b {
                b'\n' | b'!' | b'?' | b';' => SENTENCE_END,
                b',' | b':' | b'(' | b')' => CLAUSE_END,
                b'.' => DOT,
                _ => SKIP,
            }
        };
        byte += 1;
    }
    class
};

/// Adds the evidence in `text`; `weight` scales its intent votes (the subject counts more).
pub fn scan(lexicon: &Lexicon, text: &str, weight: f64, evidence: &mut Evidence) {
    let mut reader = Reader {
        lexicon,
        evidence,
        weight,
        units: 0,
        negation_ends_at: None,
        sentence_has_content: false,
        sentence_negative: false,
    };
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut at = 0;
    while at < len {
        match BYTE_CLASS[usize::from(bytes[at])] {
            SKIP => at += 1,
            WORD => {
                reader.units += 1;
                reader.sentence_has_content = true;
                if bytes[at].is_ascii_alphabetic() {
                    reader.evidence.latin_words += 1;
                }
                // Only a word start may begin an English term; a prefix term ("refund*") may
                // end inside the word, whose rest is then skipped.
                if reader.lexicon.trie.may_start_word(bytes, at) {
                    at = reader.match_at(bytes, at).unwrap_or(at);
                }
                while at < len && BYTE_CLASS[usize::from(bytes[at])] == WORD {
                    at += 1;
                }
            }
            SENTENCE_END => {
                reader.end_sentence();
                at += 1;
            }
            CLAUSE_END => {
                reader.negation_ends_at = None;
                at += 1;
            }
            DOT => {
                // A full stop, not the dot in "v2.3" or "a.s.a.p".
                if bytes.get(at + 1).is_none_or(u8::is_ascii_whitespace) {
                    reader.end_sentence();
                }
                at += 1;
            }
            _ => at = reader.wide_char(bytes, at),
        }
    }
    reader.end_sentence();
}

impl Reader<'_> {
    /// A non-ASCII character at byte `at`; returns the byte after what it consumed.
    #[inline(always)]
    fn wide_char(&mut self, bytes: &[u8], at: usize) -> usize {
        let (code, len) = decode(bytes, at);
        if is_cjk(code) {
            // The common case in Chinese text: run through ideographs that start no entry in
            // a tight loop, and walk the trie only where one may start.
            self.sentence_has_content = true;
            let trie = &self.lexicon.trie;
            let mut at = at;
            let mut code = code;
            let mut chars = 0;
            loop {
                chars += 1;
                if trie.may_start(code) {
                    self.evidence.cjk_chars += chars;
                    self.units += chars as u32;
                    return self.match_at(bytes, at).unwrap_or(at + 3);
                }
                at += 3;
                // Only a three-byte sequence in the ideograph block continues the run.
                if !bytes.get(at).is_some_and(|&lead| (0xE4..=0xE9).contains(&lead)) {
                    break;
                }
                code = decode(bytes, at).0;
            }
            self.evidence.cjk_chars += chars;
            self.units += chars as u32;
            return at;
        }
        match code {
            // 。！？；…
            0x3002 | 0xFF01 | 0xFF1F | 0xFF1B | 0x2026 => self.end_sentence(),
            // ，、：（）
            0xFF0C | 0x3001 | 0xFF1A | 0xFF08 | 0xFF09 => self.negation_ends_at = None,
            code if is_space(code) || is_variation_or_joiner(code) => {}
            _ => {
                // Emoji and other symbols: a unit of their own, and possibly a term.
                self.sentence_has_content = true;
                self.units += 1;
                if let Some(end) = self.match_at(bytes, at) {
                    return end;
                }
            }
        }
        at + len
    }

    /// Applies the longest term starting at byte `start` (whose first unit is already counted)
    /// and returns the byte after it.
    #[inline(always)]
    fn match_at(&mut self, text: &[u8], start: usize) -> Option<usize> {
        let (id, end) = longest_term(self.lexicon, text, start, decode(text, start))?;
        let term = &self.lexicon.terms[id as usize];
        let first_unit = self.units;
        self.units += term.units - 1;
        self.apply(id, term, first_unit);
        Some(end)
    }

    fn apply(&mut self, id: u32, term: &Term, first_unit: u32) {
        if term.negator {
            self.negation_ends_at = Some(self.units + NEGATION_WINDOW);
            return;
        }
        if let Some(index) = term.intent.and_then(Intent::index) {
            self.evidence.intent_weight[index] += self.weight;
            let listed = &mut self.evidence.intent_terms[index];
            if listed.len() < MAX_LISTED && !listed.contains(&id) {
                listed.push(id);
            }
        }
        if term.polarity == 0.0 && !term.urgency {
            return;
        }
        // Negation applies to the next sentiment or urgency term only, and only within reach.
        let negated = self.negation_ends_at.take().is_some_and(|end| first_unit <= end);
        if term.polarity > 0.0 {
            if negated {
                // "not happy", "不太满意": as negative as the word was positive.
                self.evidence.negative += term.polarity;
                self.sentence_negative |= term.emotion;
            } else {
                self.evidence.positive += term.polarity;
            }
        } else if term.polarity < 0.0 {
            if negated {
                // "not bad" is faint praise, not praise.
                self.evidence.positive += -term.polarity * 0.5;
            } else {
                self.evidence.negative += -term.polarity;
                self.sentence_negative |= term.emotion;
            }
        }
        if term.urgency && !negated {
            self.evidence.urgency_hits += 1;
            let listed = &mut self.evidence.urgency_terms;
            if listed.len() < MAX_URGENCY_TERMS && !listed.contains(&id) {
                listed.push(id);
            }
        }
    }

    fn end_sentence(&mut self) {
        if self.sentence_has_content {
            self.evidence.sentences += 1;
            if self.sentence_negative {
                self.evidence.negative_sentences += 1;
            }
        }
        self.sentence_has_content = false;
        self.sentence_negative = false;
        self.negation_ends_at = None;
    }
}

/// The longest entry that matches at byte `start`, with the byte after it. Text is compared
/// lowercased, with any run of whitespace standing for one space and ’ for '.
#[inline(always)]
fn longest_term(lexicon: &Lexicon, text: &[u8], start: usize, first: (u32, usize)) -> Option<(u32, usize)> {
    let trie = &lexicon.trie;
    let mut node = Trie::root();
    let mut best = None;
    let mut at = start;
    let mut next_char = first;
    loop {
        let (code, len) = next_char;
        let key = normalize(code);
        let Some(next) = trie.step(node, key) else { break };
        node = next;
        at += len;
        if key == u32::from(b' ') {
            // Any run of whitespace matches the one space in an entry; entries never end in one.
            loop {
                if at >= text.len() {
                    return best;
                }
                next_char = decode(text, at);
                if !is_space(next_char.0) {
                    break;
                }
                at += next_char.1;
            }
            continue;
        }
        if let Some(id) = trie.term(node) {
            let term = &lexicon.terms[id as usize];
            let at_boundary =
                !term.needs_boundary || term.prefix || !text.get(at).is_some_and(|next| next.is_ascii_alphanumeric());
            if at_boundary {
                best = Some((id, at));
            }
        }
        if at >= text.len() {
            return best;
        }
        next_char = decode(text, at);
    }
    best
}

/// The character code at byte `at` of valid UTF-8, and its length in bytes. By hand rather than
/// `str::chars`, which `opt-level = "s"` leaves as a call per character.
#[inline(always)]
fn decode(text: &[u8], at: usize) -> (u32, usize) {
    let lead = u32::from(text[at]);
    let next = |i: usize| u32::from(text[at + i]) & 0x3F;
    if lead < 0x80 {
        (lead, 1)
    } else if lead < 0xE0 {
        (((lead & 0x1F) << 6) | next(1), 2)
    } else if lead < 0xF0 {
        (((lead & 0x0F) << 12) | (next(1) << 6) | next(2), 3)
    } else {
        (((lead & 0x07) << 18) | (next(1) << 12) | (next(2) << 6) | next(3), 4)
    }
}

/// The trie's alphabet: ASCII lowercase, whitespace as one space, curly apostrophes as '.
#[inline(always)]
fn normalize(code: u32) -> u32 {
    match code {
        // Chinese, emoji and most symbols: as they are, after one comparison.
        0x3001.. => code,
        0x41..=0x5A => code + 0x20,
        0x2018 | 0x2019 => u32::from(b'\''),
        code if is_space(code) => u32::from(b' '),
        code => code,
    }
}

#[inline(always)]
fn is_space(code: u32) -> bool {
    matches!(code, 0x09..=0x0D | 0x20 | 0x85 | 0xA0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000)
}

/// CJK ideographs (the unified block and extension A, plus compatibility ideographs).
#[inline(always)]
fn is_cjk(code: u32) -> bool {
    matches!(code, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF)
}

/// Emoji modifiers that decorate the previous symbol: variation selectors, zero-width joiner,
/// skin tones. They neither start a term nor count as a unit.
fn is_variation_or_joiner(code: u32) -> bool {
    matches!(code, 0xFE00..=0xFE0F | 0x200D | 0x1F3FB..=0x1F3FF)
}
