//! The index schema: one document per article, holding its latest published version.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::analyzer;

#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Exact id: deleted by term on re-publish, read back as a fast field to compare with the store.
    pub article_id: Field,
    pub version: Field,
    /// Exact space id, filtered on.
    pub space: Field,
    /// Exact tags (several values), filtered on.
    pub tags: Field,
    pub title: Field,
    pub body: Field,
}

impl Fields {
    pub fn of(schema: &Schema) -> tantivy::Result<Fields> {
        Ok(Fields {
            article_id: schema.get_field("article_id")?,
            version: schema.get_field("version")?,
            space: schema.get_field("space")?,
            tags: schema.get_field("tags")?,
            title: schema.get_field("title")?,
            body: schema.get_field("body")?,
        })
    }
}

/// The schema an index must have to be used as is; any other is rebuilt.
pub fn schema() -> Schema {
    // Positions make quoted phrases work; stored so hits carry title and snippet without the store.
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer::INDEX)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let mut b = Schema::builder();
    b.add_text_field("article_id", STRING | STORED | FAST);
    b.add_u64_field("version", INDEXED | STORED | FAST);
    b.add_text_field("space", STRING | STORED);
    b.add_text_field("tags", STRING | STORED);
    b.add_text_field("title", text.clone());
    b.add_text_field("body", text);
    b.build()
}
