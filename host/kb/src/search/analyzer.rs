//! The text analyzer for titles and bodies: jieba segments Chinese (and passes Latin words through
//! whole), then whitespace and punctuation tokens are dropped, Latin text is lowercased and
//! English words are stemmed, so `退款Refunds` and `refund 退款` meet on the same terms.
//!
//! Two registrations share one pipeline and differ only in segmentation:
//! - [`INDEX`] (jieba search mode) also emits the dictionary words inside long words
//!   (`中华人民共和国` → `中华`, `人民`, `共和国`, … and the whole word), so a query for a part
//!   finds the whole. Used to index and for unquoted query words.
//! - [`PHRASE`] (jieba default mode) emits only the non-overlapping words, one per position, which
//!   is what a quoted phrase query needs; every word it emits is also one search mode emits at
//!   the same position, so phrases line up with the index.

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy_jieba::JiebaTokenizer;

/// The analyzer of the indexed text fields. The name is part of the schema: bump the version
/// whenever the pipeline changes, so existing indexes no longer match and are rebuilt.
pub const INDEX: &str = "weft_mixed_v1";
/// The query-time analyzer for quoted phrases (see the module comment).
pub const PHRASE: &str = "weft_mixed_phrase_v1";

/// Tokens longer than this (base64 blobs, minified code) are noise, not words.
const MAX_TOKEN_BYTES: usize = 64;

fn pipeline(search_mode: bool) -> TextAnalyzer {
    TextAnalyzer::builder(JiebaTokenizer::with_search_mode(search_mode))
        .filter(WordsOnly)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

pub fn index_analyzer() -> TextAnalyzer {
    pipeline(true)
}

pub fn phrase_analyzer() -> TextAnalyzer {
    pipeline(false)
}

/// Registers both analyzers on an index (they are not persisted with it).
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(INDEX, index_analyzer());
    index.tokenizers().register(PHRASE, phrase_analyzer());
}

/// The terms `text` is indexed under, in order (for tests and for building queries).
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let token = stream.token();
        out.push((token.position, token.text.clone()));
    }
    out
}

/// Drops tokens without a letter or digit: jieba emits every space and punctuation mark as a token
/// of its own, and those must neither be indexed nor count as something to search for.
#[derive(Clone)]
pub struct WordsOnly;

impl TokenFilter for WordsOnly {
    type Tokenizer<T: Tokenizer> = WordsOnlyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordsOnlyTokenizer<T> {
        WordsOnlyTokenizer(tokenizer)
    }
}

#[derive(Clone)]
pub struct WordsOnlyTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for WordsOnlyTokenizer<T> {
    type TokenStream<'a> = WordsOnlyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordsOnlyStream(self.0.token_stream(text))
    }
}

pub struct WordsOnlyStream<S>(S);

impl<S: TokenStream> TokenStream for WordsOnlyStream<S> {
    fn advance(&mut self) -> bool {
        while self.0.advance() {
            if self.0.token().text.chars().any(char::is_alphanumeric) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        terms(analyzer, text).into_iter().map(|(_, t)| t).collect()
    }

    // Chinese is segmented into dictionary words, not single characters or one long run.
    #[test]
    fn chinese_is_segmented_into_words() {
        assert_eq!(words(&mut phrase_analyzer(), "我们如何申请退款"), ["我们", "如何", "申请", "退款"]);
    }

    // Search mode also indexes the words inside a long word, so a query for a part finds it.
    #[test]
    fn search_mode_adds_the_words_inside_long_words() {
        let all = words(&mut index_analyzer(), "中华人民共和国");
        for part in ["中华", "人民", "共和国", "中华人民共和国"] {
            assert!(all.iter().any(|w| w == part), "{part} missing from {all:?}");
        }
    }

    // Mixed text: Latin words stay whole, are lowercased and stemmed; spaces and punctuation vanish.
    #[test]
    fn mixed_text_lowercases_stems_and_drops_punctuation() {
        assert_eq!(
            words(&mut index_analyzer(), "Refunds（退款）are PROCESSED, 在5天内!"),
            ["refund", "退款", "are", "process", "在", "5", "天内"]
        );
    }

    // The same word in a title and in a query meets on one term whatever its case or inflection.
    #[test]
    fn english_inflections_meet_on_one_term() {
        assert_eq!(words(&mut index_analyzer(), "Refunding"), words(&mut index_analyzer(), "refunds"));
    }

    // Punctuation alone has nothing to search for.
    #[test]
    fn punctuation_only_has_no_terms() {
        assert!(words(&mut index_analyzer(), "?!… ，。《》 --- ***").is_empty());
    }

    // Phrase positions: every default-mode word is also emitted by search mode at the same position.
    #[test]
    fn phrase_words_line_up_with_index_positions() {
        let text = "如何在中华人民共和国申请退款 refund policy";
        let index = terms(&mut index_analyzer(), text);
        for word in terms(&mut phrase_analyzer(), text) {
            assert!(index.contains(&word), "{word:?} not indexed at that position: {index:?}");
        }
    }
}
