//! Running a query: filters by space and tag, top hits by score, and a snippet of each body with
//! the matched words highlighted.

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{TantivyDocument, Term};

use super::{SearchIndex, query, unavailable};
use crate::KbError;

/// Snippet length in bytes (tantivy counts bytes: about 80 Chinese or 240 Latin characters).
const SNIPPET_BYTES: usize = 240;
/// Without a highlighted body match (a title-only hit), the snippet is the body's opening.
const OPENING_CHARS: usize = 120;

#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    pub text: String,
    /// Only this space.
    pub space: Option<String>,
    /// Only articles carrying every one of these tags.
    pub tags: Vec<String>,
    pub limit: usize,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub article_id: String,
    pub version: u64,
    pub space: String,
    pub title: String,
    /// Body excerpt, HTML-escaped, with the matched words in `<b>`…`</b>` and no other markup.
    pub snippet_html: String,
    /// The same excerpt as plain text (what plugins get).
    #[serde(skip)]
    pub snippet_text: String,
    pub tags: Vec<String>,
    pub score: f32,
}

/// A filter contributes no score: a space or tag match must not reorder the results.
fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

fn snippets(snippet: &Snippet, body: &str) -> (String, String) {
    if snippet.highlighted().is_empty() {
        let opening: String = body.chars().take(OPENING_CHARS).collect();
        (escape_html(&opening), opening)
    } else {
        // tantivy escapes the text between highlights with htmlescape's minimal encoding (& < > ").
        (snippet.to_html(), snippet.fragment().to_owned())
    }
}

/// Like `SnippetGenerator::create`, but re-tokenizing bodies with the phrase analyzer (jieba
/// default mode): the index analyzer's overlapping search-mode tokens make tantivy's fragment
/// arithmetic underflow and panic (found by the 100k benchmark).
fn snippet_generator(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    field: tantivy::schema::Field,
) -> Result<SnippetGenerator, KbError> {
    let mut terms = std::collections::BTreeMap::new();
    let mut wanted = Vec::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field
            && let Some(text) = term.value().as_str()
        {
            wanted.push((term.clone(), text.to_owned()));
        }
    });
    for (term, text) in wanted {
        let doc_freq = searcher.doc_freq(&term).map_err(|e| unavailable("snippets", e))?;
        if doc_freq > 0 {
            terms.insert(text, 1.0 / (1.0 + doc_freq as f32));
        }
    }
    Ok(SnippetGenerator::new(terms, super::analyzer::phrase_analyzer(), field, SNIPPET_BYTES))
}

fn text_of(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned()
}

impl SearchIndex {
    /// The best `request.limit` hits readable in `spaces` (`None`: every space). Blocking.
    pub fn search(&self, request: &SearchRequest, spaces: Option<&[String]>) -> Result<Vec<Hit>, KbError> {
        let f = self.fields;
        let text_query = query::parse(&request.text, f)?;
        if spaces.is_some_and(<[String]>::is_empty) || request.limit == 0 {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query.box_clone())];
        if let Some(spaces) = spaces {
            let terms = spaces.iter().map(|s| Term::from_field_text(f.space, s));
            clauses.push(filter(Box::new(TermSetQuery::new(terms))));
        }
        if let Some(space) = &request.space {
            let term = Term::from_field_text(f.space, space);
            clauses.push(filter(Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
        }
        for tag in &request.tags {
            let term = Term::from_field_text(f.tags, tag);
            clauses.push(filter(Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
        }
        let full = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&full, &TopDocs::with_limit(request.limit).order_by_score())
            .map_err(|e| unavailable("searching", e))?;
        let generator = snippet_generator(&searcher, &*text_query, f.body)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(|e| unavailable("reading a hit", e))?;
            let body = text_of(&doc, f.body);
            let (snippet_html, snippet_text) = snippets(&generator.snippet(&body), &body);
            hits.push(Hit {
                article_id: text_of(&doc, f.article_id),
                version: doc.get_first(f.version).and_then(|v| v.as_u64()).unwrap_or_default(),
                space: text_of(&doc, f.space),
                title: text_of(&doc, f.title),
                snippet_html,
                snippet_text,
                tags: doc.get_all(f.tags).filter_map(|v| v.as_str().map(str::to_owned)).collect(),
                score,
            });
        }
        Ok(hits)
    }
}
