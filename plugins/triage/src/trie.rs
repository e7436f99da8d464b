//! A character trie: the scanner walks it from each candidate position to find the longest
//! lexicon term there in one pass, so a text is scanned in time linear in its length.
//!
//! It is built fresh for every invocation (a component instance lives for one step), so both
//! building and walking are paid in every run's fuel, instruction by instruction. Hence:
//! - edges live in one open-addressing hash table keyed by (node, character), so a step costs
//!   the same few instructions whether a node has one child or forty (`不` has dozens);
//! - each slot is one `u64` and an empty slot is 0, so the table comes zeroed from the
//!   allocator instead of being filled by a loop (a 16 K-slot fill alone cost 250 K fuel);
//! - the hot functions are `#[inline(always)]`: plugins are built with `opt-level = "s"`,
//!   which otherwise leaves a call per character.

const ROOT: u32 = 0;
const NO_TERM: u32 = u32::MAX;

// Slot layout: child node (20 bits) | parent node (20 bits) | character (21 bits).
// The root is never a child, so child 0 marks an empty slot.
const CHAR_BITS: u32 = 21;
const NODE_BITS: u32 = 20;
const KEY_MASK: u64 = (1 << (CHAR_BITS + NODE_BITS)) - 1;
/// The CJK unified ideographs block, where Chinese entries start.
const CJK_FIRST: u32 = 0x4E00;
const CJK_LAST: u32 = 0x9FFF;
// 2^20 nodes: the shipped lexicon needs about 5 K and config at most 64 K (`MAX_EXTRA_TERMS`
// terms of up to 64 characters).

pub struct Trie {
    /// Term id per node, `NO_TERM` where no entry ends.
    terms: Vec<u32>,
    /// One bit per CJK ideograph that starts an entry: most characters of a Chinese text start
    /// none, and a bit test is cheaper than a hash probe.
    cjk_starts: Vec<u64>,
    /// One bit per first three characters (see [`ascii_trigram`]) of every entry that starts
    /// with an ASCII letter or digit: most English words ("the", "hello") start no entry, and
    /// this test is a tenth of the cost of walking the trie to find that out.
    ascii_starts: Vec<u64>,
    slots: Vec<u64>,
    /// log2 of the table size.
    bits: u32,
}

impl Trie {
    /// A trie for about `chars` characters of entries; the table stays at most half full.
    pub fn with_capacity(chars: usize) -> Self {
        let size = (chars * 2).next_power_of_two().max(64);
        let mut terms = Vec::with_capacity(chars + 1);
        terms.push(NO_TERM);
        Trie {
            terms,
            cjk_starts: vec![0; ((CJK_LAST - CJK_FIRST) / 64 + 1) as usize],
            ascii_starts: vec![0; TRIGRAMS / 64 + 1],
            slots: vec![0; size],
            bits: size.trailing_zeros(),
        }
    }

    pub fn root() -> u32 {
        ROOT
    }

    /// The id stored under `key`, or `id` after storing it there; `true` when it was new.
    pub fn get_or_insert(&mut self, key: &str, id: u32) -> (u32, bool) {
        if key.as_bytes().first().is_some_and(u8::is_ascii_alphanumeric) {
            let trigram = ascii_trigram(key.as_bytes(), 0);
            self.ascii_starts[trigram / 64] |= 1 << (trigram % 64);
        }
        let mut node = ROOT;
        for c in key.chars() {
            node = match self.step(node, c as u32) {
                Some(next) => next,
                None => self.add_child(node, c as u32),
            };
        }
        match self.term(node) {
            Some(existing) => (existing, false),
            None => {
                self.terms[node as usize] = id;
                (id, true)
            }
        }
    }

    /// The child of `node` along character code `c`.
    #[inline(always)]
    pub fn step(&self, node: u32, c: u32) -> Option<u32> {
        let key = pack(node, c);
        let mask = self.slots.len() - 1;
        let mut at = self.slot(key);
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return None;
            }
            if slot & KEY_MASK == key {
                return Some((slot >> (CHAR_BITS + NODE_BITS)) as u32);
            }
            at = (at + 1) & mask;
        }
    }

    /// Whether an entry may start with `code`: false only for CJK ideographs that start none.
    #[inline(always)]
    pub fn may_start(&self, code: u32) -> bool {
        if !(CJK_FIRST..=CJK_LAST).contains(&code) {
            return true;
        }
        let bit = code - CJK_FIRST;
        self.cjk_starts[(bit / 64) as usize] & (1 << (bit % 64)) != 0
    }

    /// Whether an entry may start at the ASCII word beginning at byte `at` of `text`.
    #[inline(always)]
    pub fn may_start_word(&self, text: &[u8], at: usize) -> bool {
        let trigram = ascii_trigram(text, at);
        self.ascii_starts[trigram / 64] & (1 << (trigram % 64)) != 0
    }

    #[inline(always)]
    pub fn term(&self, node: u32) -> Option<u32> {
        let term = self.terms[node as usize];
        (term != NO_TERM).then_some(term)
    }

    #[inline(always)]
    fn slot(&self, key: u64) -> usize {
        // Fibonacci hashing: one multiply, then the top bits.
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize
    }

    fn add_child(&mut self, parent: u32, c: u32) -> u32 {
        if parent == ROOT && (CJK_FIRST..=CJK_LAST).contains(&c) {
            let bit = c - CJK_FIRST;
            self.cjk_starts[(bit / 64) as usize] |= 1 << (bit % 64);
        }
        let child = self.terms.len() as u32;
        self.terms.push(NO_TERM);
        if self.terms.len() * 2 > self.slots.len() {
            self.grow();
        }
        self.place(pack(parent, c) | (u64::from(child) << (CHAR_BITS + NODE_BITS)));
        child
    }

    fn place(&mut self, slot: u64) {
        let mask = self.slots.len() - 1;
        let mut at = self.slot(slot & KEY_MASK);
        while self.slots[at] != 0 {
            at = (at + 1) & mask;
        }
        self.slots[at] = slot;
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        self.bits = size.trailing_zeros();
        for slot in old.into_iter().filter(|&slot| slot != 0) {
            self.place(slot);
        }
    }
}

/// Letters, digits, and "anything else" (end of text, space, punctuation, non-ASCII).
const TRIGRAM_SYMBOLS: usize = 37;
const TRIGRAMS: usize = TRIGRAM_SYMBOLS * TRIGRAM_SYMBOLS * TRIGRAM_SYMBOLS;

/// The first three characters at byte `at`, case-folded, as a number below [`TRIGRAMS`]. Text
/// and entries are folded the same way, so an entry's trigram is always the text's where it
/// matches (whitespace, `'`, `-` and `.` all fold to "anything else").
#[inline(always)]
fn ascii_trigram(text: &[u8], at: usize) -> usize {
    let symbol = |i: usize| match text.get(at + i) {
        Some(&b @ b'a'..=b'z') => usize::from(b - b'a'),
        Some(&b @ b'A'..=b'Z') => usize::from(b - b'A'),
        Some(&b @ b'0'..=b'9') => usize::from(b - b'0') + 26,
        _ => 36,
    };
    (symbol(0) * TRIGRAM_SYMBOLS + symbol(1)) * TRIGRAM_SYMBOLS + symbol(2)
}

#[inline(always)]
fn pack(node: u32, c: u32) -> u64 {
    (u64::from(node) << CHAR_BITS) | u64::from(c)
}
