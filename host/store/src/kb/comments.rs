//! Review comments. Anchors are opaque here: base64 Yjs relative positions the clients resolve.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::kb::comment;
use crate::{Store, StoreError};

pub struct NewComment {
    pub article_id: String,
    pub author: String,
    pub body: String,
    pub anchor: Option<(String, String)>,
    pub quote: Option<String>,
    pub parent: Option<i64>,
}

impl Store {
    pub async fn kb_add_comment(&self, new: NewComment) -> Result<comment::Model, StoreError> {
        crate::validate::label("comment", &new.body, 20_000)?;
        let (start, end) = new.anchor.map(|(s, e)| (Some(s), Some(e))).unwrap_or((None, None));
        Ok(comment::Entity::insert(comment::ActiveModel {
            article_id: Set(new.article_id),
            author: Set(new.author),
            body: Set(new.body),
            anchor_start: Set(start),
            anchor_end: Set(end),
            quote: Set(new.quote),
            parent: Set(new.parent),
            resolved: Set(false),
            created_at: Set(crate::now()),
            ..Default::default()
        })
        .exec_with_returning(&self.db)
        .await?)
    }

    pub async fn kb_comments(&self, article_id: &str) -> Result<Vec<comment::Model>, StoreError> {
        Ok(comment::Entity::find()
            .filter(comment::Column::ArticleId.eq(article_id))
            .order_by_asc(comment::Column::Id)
            .all(&self.db)
            .await?)
    }

    pub async fn kb_comment(&self, id: i64) -> Result<Option<comment::Model>, StoreError> {
        Ok(comment::Entity::find_by_id(id).one(&self.db).await?)
    }

    pub async fn kb_resolve_comment(&self, id: i64) -> Result<(), StoreError> {
        comment::Entity::update(comment::ActiveModel { id: Set(id), resolved: Set(true), ..Default::default() })
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
