//! From the text a person typed to a tantivy query.
//!
//! The syntax is tantivy's (`word`, `"a phrase"`, `title:word`, `body:"…"`, `+must`, `-not`,
//! `AND`/`OR`, parentheses, `word^2`), parsed strictly: a syntax error is a 422 that quotes the
//! parser's complaint and says how to fix it, rather than a lenient parse that silently searches
//! for something else than what was typed (an unclosed quote would otherwise turn a phrase into
//! loose words, and `title:` into nothing). The issue asks for exactly that: a clear error.
//!
//! The query is built here rather than by tantivy's `QueryParser` because of Chinese: the parser
//! turns every literal that analyzes to several tokens into a phrase, and Chinese has no spaces,
//! so `如何申请退款` would only match that exact sequence. Here an unquoted literal is a bag of
//! words ranked by BM25 (the way `refund policy` already is), and only quoted text is a phrase.

use std::collections::BTreeSet;

use tantivy::Term;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::query_grammar::{self, Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use super::analyzer;
use super::schema::Fields;
use crate::KbError;

/// Longer search text is almost certainly pasted by mistake; it would also cost the most to run.
pub const MAX_QUERY_CHARS: usize = 500;
/// A title match weighs this much more than a body match.
pub const TITLE_BOOST: f32 = 3.0;

const SYNTAX_HELP: &str = "close every quote and parenthesis, put a word after `title:` or `body:`, put words on \
                           both sides of AND and OR, or leave out the special characters + - : ( ) \" ^ ~ * [ ] { }";

pub fn invalid_syntax(text: &str, detail: &str) -> KbError {
    KbError::Invalid(format!("the search text {text:?} is not a valid query ({detail}); {SYNTAX_HELP}"))
}

/// Parses `text` into a query over titles (boosted) and bodies. Errors are `KbError::Invalid`.
pub fn parse(text: &str, fields: Fields) -> Result<Box<dyn Query>, KbError> {
    if text.trim().is_empty() {
        return Err(KbError::Invalid("the search text is empty; send q=<the words to look for>".into()));
    }
    let chars = text.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(KbError::Invalid(format!(
            "the search text is {chars} characters long; shorten it to at most {MAX_QUERY_CHARS}"
        )));
    }
    // The lenient grammar reports what is wrong and where; any complaint refuses the query.
    let (ast, errors) = query_grammar::parse_query_lenient(text);
    if let Some(first) = errors.first() {
        return Err(invalid_syntax(text, &format!("{} at character {}", first.message, first.pos)));
    }
    // The strict grammar rejects some inputs the lenient one repairs silently.
    if query_grammar::parse_query(text).is_err() {
        return Err(invalid_syntax(text, "it cannot be parsed"));
    }
    let mut builder = Builder { fields, index: analyzer::index_analyzer(), phrase: analyzer::phrase_analyzer() };
    match builder.build(ast)? {
        Some(Built { query, positive: true }) => Ok(query),
        Some(Built { positive: false, .. }) => Err(KbError::Invalid(format!(
            "the search text {text:?} only excludes words; add at least one word to look for"
        ))),
        None => Err(KbError::Invalid(format!(
            "the search text {text:?} has no words to search for (punctuation and symbols are ignored); type at \
             least one word or number"
        ))),
    }
}

struct Built {
    query: Box<dyn Query>,
    /// Whether the query can match anything (a clause of only `-word`s cannot).
    positive: bool,
}

struct Builder {
    fields: Fields,
    index: TextAnalyzer,
    phrase: TextAnalyzer,
}

impl Builder {
    /// `None` when nothing searchable is left (only punctuation).
    fn build(&mut self, ast: UserInputAst) -> Result<Option<Built>, KbError> {
        match ast {
            UserInputAst::Clause(children) => {
                let mut clauses = Vec::new();
                let mut positive = false;
                for (occur, child) in children {
                    let occur = occur.unwrap_or(Occur::Should);
                    if let Some(built) = self.build(child)? {
                        positive |= occur != Occur::MustNot && built.positive;
                        clauses.push((occur, built.query));
                    }
                }
                Ok(match clauses.len() {
                    0 => None,
                    1 if clauses[0].0 != Occur::MustNot => clauses.pop().map(|(_, query)| Built { query, positive }),
                    _ => Some(Built { query: Box::new(BooleanQuery::new(clauses)), positive }),
                })
            }
            UserInputAst::Boost(inner, boost) => Ok(self.build(*inner)?.map(|b| Built {
                query: Box::new(BoostQuery::new(b.query, boost.into_inner() as f32)),
                positive: b.positive,
            })),
            UserInputAst::Leaf(leaf) => match *leaf {
                UserInputLeaf::Literal(literal) => Ok(self.literal(literal)),
                UserInputLeaf::All => Ok(Some(Built { query: Box::new(AllQuery), positive: true })),
                UserInputLeaf::Range { .. }
                | UserInputLeaf::Set { .. }
                | UserInputLeaf::Exists { .. }
                | UserInputLeaf::Regex { .. } => Err(KbError::Invalid(
                    "range, set, exists and regex searches are not supported; search for words, \"quoted phrases\", \
                     title:word, body:word or tag:name"
                        .into(),
                )),
            },
        }
    }

    fn literal(&mut self, literal: UserInputLiteral) -> Option<Built> {
        let title = (self.fields.title, TITLE_BOOST);
        let body = (self.fields.body, 1.0);
        let (targets, text) = match literal.field_name.as_deref() {
            None => (vec![title, body], literal.phrase),
            Some("title") => (vec![title], literal.phrase),
            Some("body") => (vec![body], literal.phrase),
            Some("tag" | "tags") => {
                let term = Term::from_field_text(self.fields.tags, &literal.phrase);
                return Some(Built { query: Box::new(TermQuery::new(term, IndexRecordOption::Basic)), positive: true });
            }
            // `ERR:1234` or `https://…` is text someone pasted, not a field: search for all of it.
            Some(other) => (vec![title, body], format!("{other}:{}", literal.phrase)),
        };
        let quoted = literal.delimiter != Delimiter::None;
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, boost) in targets {
            let query = if quoted {
                phrase_query(field, analyzer::terms(&mut self.phrase, &text), literal.slop)
            } else {
                words_query(field, analyzer::terms(&mut self.index, &text))
            };
            if let Some(query) = query {
                let query: Box<dyn Query> = if boost == 1.0 { query } else { Box::new(BoostQuery::new(query, boost)) };
                alternatives.push((Occur::Should, query));
            }
        }
        match alternatives.len() {
            0 => None,
            1 => alternatives.pop().map(|(_, query)| Built { query, positive: true }),
            _ => Some(Built { query: Box::new(BooleanQuery::new(alternatives)), positive: true }),
        }
    }
}

/// Any of the words, ranked by how many match and how rare they are.
fn words_query(field: Field, terms: Vec<(usize, String)>) -> Option<Box<dyn Query>> {
    let words: BTreeSet<String> = terms.into_iter().map(|(_, t)| t).collect();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
        .iter()
        .map(|w| {
            let q: Box<dyn Query> =
                Box::new(TermQuery::new(Term::from_field_text(field, w), IndexRecordOption::WithFreqs));
            (Occur::Should, q)
        })
        .collect();
    match clauses.len() {
        0 => None,
        1 => clauses.pop().map(|(_, q)| q),
        _ => Some(Box::new(BooleanQuery::new(clauses))),
    }
}

/// The words in this order (positions as the phrase analyzer numbers them, which the index shares).
fn phrase_query(field: Field, terms: Vec<(usize, String)>, slop: u32) -> Option<Box<dyn Query>> {
    match terms.len() {
        0 => None,
        1 => terms.into_iter().next().map(|(_, t)| {
            let q: Box<dyn Query> =
                Box::new(TermQuery::new(Term::from_field_text(field, &t), IndexRecordOption::WithFreqs));
            q
        }),
        _ => {
            let first = terms[0].0;
            let terms = terms.into_iter().map(|(p, t)| (p - first, Term::from_field_text(field, &t))).collect();
            Some(Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields {
        Fields::of(&super::super::schema::schema()).unwrap_or_else(|e| panic!("schema: {e}"))
    }

    fn error(text: &str) -> String {
        match parse(text, fields()) {
            Ok(q) => panic!("{text:?} parsed as {q:?}"),
            Err(e) => e.to_string(),
        }
    }

    // Each syntax mistake the issue names is refused with the parser's complaint and the fix.
    #[test]
    fn syntax_errors_say_what_to_fix() {
        for text in ["\"refund policy", "(refund OR credit", "title:", "AND", "refund AND", "refund)"] {
            let message = error(text);
            assert!(
                message.contains("not a valid query") && message.contains("close every quote"),
                "{text}: {message}"
            );
        }
    }

    #[test]
    fn punctuation_only_has_nothing_to_search_for() {
        for text in ["???", "!!! …", "，。、", "-- ** ~~"] {
            let message = error(text);
            assert!(
                message.contains("no words to search for") || message.contains("not a valid query"),
                "{text}: {message}"
            );
        }
        assert!(error("   ").contains("empty"));
        assert!(error(&"x".repeat(MAX_QUERY_CHARS + 1)).contains("shorten it"));
    }

    #[test]
    fn exclusions_alone_are_refused() {
        assert!(error("-refund").contains("only excludes"), "{}", error("-refund"));
    }

    #[test]
    fn ordinary_queries_parse() {
        for text in [
            "refund",
            "如何申请退款",
            "refund 退款 policy",
            "\"refund policy\"",
            "title:退款 AND body:refund",
            "+refund -credit",
            "ERR:1234",
            "refund^2 (credit OR voucher)",
            "tag:billing",
            "refund, please!",
        ] {
            assert!(parse(text, fields()).is_ok(), "{text}: {}", error(text));
        }
    }
}
