//! Changing the index: replace an article's document with a newer version, drop articles, and
//! make the change searchable at once (commit, then reload the reader instead of waiting for a
//! polling interval). Blocking; every change goes through the one writer.

use std::collections::HashMap;

use tantivy::{TantivyDocument, Term};

use super::{ArticleDoc, SearchIndex, unavailable};
use crate::KbError;

impl SearchIndex {
    /// Article id → version as the index holds them, read from the fast fields (no stored text).
    pub(super) fn read_indexed(&self) -> Result<HashMap<String, u64>, KbError> {
        let searcher = self.reader.searcher();
        let mut out = HashMap::new();
        let mut id = String::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let versions = fast.u64("version").map_err(|e| unavailable("reading versions", e))?;
            let Some(ids) = fast.str("article_id").map_err(|e| unavailable("reading article ids", e))? else {
                continue;
            };
            for doc in segment.doc_ids_alive() {
                let (Some(ord), Some(version)) = (ids.ords().first(doc), versions.first(doc)) else { continue };
                id.clear();
                if ids.ord_to_str(ord, &mut id).map_err(|e| unavailable("reading an article id", e))? {
                    out.insert(id.clone(), version);
                }
            }
        }
        Ok(out)
    }

    /// The version the index holds for each article.
    pub fn indexed_versions(&self) -> Result<HashMap<String, u64>, KbError> {
        Ok(self.lock()?.indexed.clone())
    }

    /// Indexes `docs`, each replacing its article's document, and removes `remove`, in one commit.
    /// With `only_newer`, a doc whose version is not newer than the one held is skipped (a late
    /// publish notification must not undo a later one); without, the docs are taken as the truth
    /// (reconciling with the store). Returns how many articles changed.
    pub fn apply(&self, docs: Vec<ArticleDoc>, remove: &[String], only_newer: bool) -> Result<usize, KbError> {
        let mut state = self.lock()?;
        let mut changed = Vec::new();
        for doc in docs {
            let held = state.indexed.get(&doc.article_id).copied();
            if held == Some(doc.version) || (only_newer && held.is_some_and(|h| h > doc.version)) {
                continue;
            }
            state.writer.delete_term(Term::from_field_text(self.fields.article_id, &doc.article_id));
            state.writer.add_document(self.document(&doc)).map_err(|e| unavailable("adding a document", e))?;
            changed.push((doc.article_id, Some(doc.version)));
        }
        for id in remove {
            if state.indexed.contains_key(id) {
                state.writer.delete_term(Term::from_field_text(self.fields.article_id, id));
                changed.push((id.clone(), None));
            }
        }
        if changed.is_empty() {
            return Ok(0);
        }
        if let Err(err) = state.writer.commit() {
            // Forget the uncommitted changes so the next attempt starts from the last good commit.
            let _ = state.writer.rollback();
            return Err(unavailable("committing", err));
        }
        self.reader.reload().map_err(|e| unavailable("reloading the reader", e))?;
        for (id, version) in &changed {
            match version {
                Some(v) => state.indexed.insert(id.clone(), *v),
                None => state.indexed.remove(id),
            };
        }
        Ok(changed.len())
    }

    /// Indexes one newly published version.
    pub fn upsert(&self, doc: ArticleDoc) -> Result<usize, KbError> {
        self.apply(vec![doc], &[], true)
    }

    fn document(&self, doc: &ArticleDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.article_id, &doc.article_id);
        d.add_u64(f.version, doc.version);
        d.add_text(f.space, &doc.space);
        for tag in &doc.tags {
            d.add_text(f.tags, tag);
        }
        d.add_text(f.title, &doc.title);
        d.add_text(f.body, &doc.body);
        d
    }
}
