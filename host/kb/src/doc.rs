//! One article as a yrs document: `title` and `body` texts and a `meta` map (with `tags`), the
//! layout the browser editor uses. Positions count UTF-16 units like Yjs in the browser, or
//! Chinese text and emoji would corrupt offsets.

use sha2::{Digest, Sha256};
use weft_store::kb::StoredDoc;
use yrs::types::ToJson;
use yrs::updates::decoder::Decode;
use yrs::{
    Any, Array, ArrayPrelim, Doc, GetString, Map, OffsetKind, Options, ReadTxn, StateVector, Text, Transact,
    TransactionMut, Update, WriteTxn,
};

use crate::KbError;

/// A new, empty article document. History is kept (`skip_gc`) so old states stay rebuildable
/// while an article is under review.
pub fn new_doc() -> Doc {
    Doc::with_options(Options { offset_kind: OffsetKind::Utf16, skip_gc: true, ..Options::default() })
}

/// The readable content of a document.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Content {
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
}

impl Content {
    /// Hex SHA-256 over title, body and tags, length-prefixed so no two contents collide by
    /// moving text between fields. Approvals bind to this.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        for part in [&self.title, &self.body] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        for tag in &self.tags {
            h.update((tag.len() as u64).to_le_bytes());
            h.update(tag.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

pub fn read_content(doc: &Doc) -> Content {
    let title = doc.get_or_insert_text("title");
    let body = doc.get_or_insert_text("body");
    let meta = doc.get_or_insert_map("meta");
    let txn = doc.transact();
    let tags = match meta.get(&txn, "tags").map(|v| v.to_json(&txn)) {
        Some(Any::Array(items)) => {
            items.iter().filter_map(|t| if let Any::String(s) = t { Some(s.to_string()) } else { None }).collect()
        }
        _ => Vec::new(),
    };
    Content { title: title.get_string(&txn), body: body.get_string(&txn), tags }
}

/// Replaces the whole content (creating an article, restoring a version) inside `txn`, as one
/// change that collaborators see like any other edit.
pub fn write_content_txn(txn: &mut TransactionMut<'_>, content: &Content) {
    let title = txn.get_or_insert_text("title");
    let body = txn.get_or_insert_text("body");
    let meta = txn.get_or_insert_map("meta");
    let len = title.len(txn);
    title.remove_range(txn, 0, len);
    title.insert(txn, 0, &content.title);
    let len = body.len(txn);
    body.remove_range(txn, 0, len);
    body.insert(txn, 0, &content.body);
    let array = meta.insert(txn, "tags", ArrayPrelim::default());
    for tag in &content.tags {
        array.push_back(txn, Any::from(tag.as_str()));
    }
}

/// Rebuilds a document from its snapshot and log. Any undecodable entry fails the whole load:
/// a half-loaded document must never be served, let alone written back over the real one.
pub fn load(article_id: &str, stored: &StoredDoc) -> Result<Doc, KbError> {
    let doc = new_doc();
    {
        let mut txn = doc.transact_mut();
        let corrupt = |what: String| KbError::Corrupt { article: article_id.to_owned(), what };
        if let Some(state) = &stored.snapshot {
            let update = Update::decode_v1(state).map_err(|e| corrupt(format!("snapshot: {e}")))?;
            txn.apply_update(update).map_err(|e| corrupt(format!("snapshot: {e}")))?;
        }
        for (id, data) in &stored.updates {
            let update = Update::decode_v1(data).map_err(|e| corrupt(format!("log entry {id}: {e}")))?;
            txn.apply_update(update).map_err(|e| corrupt(format!("log entry {id}: {e}")))?;
        }
    }
    Ok(doc)
}

/// The whole document as one update: what a snapshot stores.
pub fn encode_state(doc: &Doc) -> Vec<u8> {
    doc.transact().encode_state_as_update_v1(&StateVector::default())
}
