//! Published versions: immutable, numbered from 1 per article.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use sea_orm::sea_query::Expr;

use super::review::{Transition, insert_transition};

use crate::entity::kb::{approval, article, version};
use crate::{Store, StoreError};

pub struct NewVersion {
    pub article_id: String,
    pub space: String,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub content_hash: String,
    pub published_by: String,
    pub transition: Transition,
}

impl Store {
    /// Writes the next version, moves the article to `published` and consumes its approvals (they
    /// are copied into the version), all at once. Refused if the content or stage moved meanwhile.
    pub async fn kb_publish(&self, new: NewVersion) -> Result<version::Model, StoreError> {
        let now = crate::now();
        let txn = self.db.begin().await?;
        let current = article::Entity::find_by_id(new.article_id.clone())
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("article {} does not exist", new.article_id)))?;
        if current.content_hash != new.content_hash || current.stage != new.transition.from {
            return Err(StoreError::Conflict(format!(
                "article {} changed while publishing (stage {}, content hash {}); reload it and try again",
                new.article_id, current.stage, current.content_hash
            )));
        }
        let approvals = approval::Entity::find()
            .filter(approval::Column::ArticleId.eq(new.article_id.as_str()))
            .order_by_asc(approval::Column::Id)
            .all(&txn)
            .await?;
        let approvals_json: Vec<serde_json::Value> = approvals
            .iter()
            .map(|a| serde_json::json!({"stage": a.stage, "user": a.username, "at": a.at, "content_hash": a.content_hash}))
            .collect();
        let last = version::Entity::find()
            .filter(version::Column::ArticleId.eq(new.article_id.as_str()))
            .order_by_desc(version::Column::Version)
            .one(&txn)
            .await?;
        let number = last.map(|v| v.version + 1).unwrap_or(1);
        let model = version::Model {
            article_id: new.article_id.clone(),
            version: number,
            space: new.space,
            title: new.title,
            body: new.body,
            tags: serde_json::json!(new.tags),
            content_hash: new.content_hash,
            published_by: new.published_by,
            published_at: now,
            approvals: serde_json::Value::Array(approvals_json),
        };
        version::Entity::insert(version::ActiveModel::from(model.clone())).exec_without_returning(&txn).await?;
        approval::Entity::delete_many()
            .filter(approval::Column::ArticleId.eq(new.article_id.as_str()))
            .exec(&txn)
            .await?;
        article::Entity::update(article::ActiveModel {
            id: Set(new.article_id.clone()),
            stage: Set(new.transition.to.clone()),
            published_version: Set(Some(number)),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        insert_transition(&txn, &new.article_id, &new.transition, now).await?;
        // In the same transaction: subscribers hear of exactly the versions that were committed.
        let event = serde_json::json!({
            "article_id": model.article_id,
            "version": model.version,
            "space": model.space,
            "title": model.title,
            "tags": model.tags,
            "content_hash": model.content_hash,
            "published_by": model.published_by,
            "published_at": model.published_at,
        });
        self.enqueue_event_in(&txn, "article.published", &event).await?;
        txn.commit().await?;
        Ok(model)
    }

    pub async fn kb_versions(&self, article_id: &str) -> Result<Vec<version::Model>, StoreError> {
        Ok(version::Entity::find()
            .filter(version::Column::ArticleId.eq(article_id))
            .order_by_asc(version::Column::Version)
            .all(&self.db)
            .await?)
    }

    pub async fn kb_version(&self, article_id: &str, number: i32) -> Result<Option<version::Model>, StoreError> {
        Ok(version::Entity::find_by_id((article_id.to_owned(), number)).one(&self.db).await?)
    }

    /// (article id, latest published version) of every published article: what the search index
    /// must hold, cheap enough to compare on every start.
    pub async fn kb_published_heads(&self) -> Result<Vec<(String, i32)>, StoreError> {
        // Only the two columns compared: titles, tags and the rest of each row stay in the database.
        let published: Vec<(String, Option<i32>)> = article::Entity::find()
            .select_only()
            .columns([article::Column::Id, article::Column::PublishedVersion])
            .filter(article::Column::PublishedVersion.is_not_null())
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(published.into_iter().filter_map(|(id, v)| v.map(|v| (id, v))).collect())
    }

    /// The given versions, fetched in one query (missing ones are left out). Keep `wanted` to a few
    /// hundred: it becomes one `(article_id, version)` condition each.
    pub async fn kb_versions_in(&self, wanted: &[(String, i32)]) -> Result<Vec<version::Model>, StoreError> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        // Exactly the wanted versions as one flat row-value `IN`, not every version of each
        // article (with its body) to be filtered here, and not an OR chain that SQLite would
        // nest one level deep per pair (its expression-depth limit is 1000).
        let pairs = Expr::tuple([Expr::col(version::Column::ArticleId), Expr::col(version::Column::Version)])
            .in_tuples(wanted.iter().map(|(id, v)| (id.clone(), *v)));
        Ok(version::Entity::find().filter(pairs).all(&self.db).await?)
    }

    /// The newest version of every article, for rebuilding the search index.
    pub async fn kb_latest_versions(&self) -> Result<Vec<version::Model>, StoreError> {
        let published =
            article::Entity::find().filter(article::Column::PublishedVersion.is_not_null()).all(&self.db).await?;
        let mut out = Vec::with_capacity(published.len());
        for a in published {
            if let Some(n) = a.published_version
                && let Some(v) = self.kb_version(&a.id, n).await?
            {
                out.push(v);
            }
        }
        Ok(out)
    }
}
