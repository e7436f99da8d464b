//! Article metadata rows. Content changes arrive with an update (see `log.rs`), so the row and the
//! log never disagree about who edited last or what the content hash is.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

use super::review::{Transition, insert_transition};
use crate::entity::kb::{approval, article, update};
use crate::{Store, StoreError};

/// Log rows per insert statement.
const INSERT_CHUNK: usize = 2_000;

/// A new article with the update that creates its initial content.
pub struct NewArticle {
    pub id: String,
    pub space: String,
    pub title: String,
    pub tags: Vec<String>,
    pub author: String,
    pub content_hash: String,
    pub verification_expires_at: Option<DateTime<Utc>>,
    /// The Yjs update holding the initial title, body and tags.
    pub initial_update: Vec<u8>,
}

/// One integrated Yjs update for the article's log, with who made it.
#[derive(Clone, Debug)]
pub struct LoggedUpdate {
    pub data: Vec<u8>,
    pub actor: String,
}

/// One article's updates for the log, with the row they leave behind.
#[derive(Clone, Debug)]
pub struct KbAppend {
    pub article_id: String,
    pub updates: Vec<LoggedUpdate>,
    pub change: ArticleChange,
}

/// What an accepted update changed about the article row.
#[derive(Clone, Debug)]
pub struct ArticleChange {
    pub title: String,
    pub tags: Vec<String>,
    pub content_hash: String,
    pub editor: String,
    /// Where an edit sends an article that is under review or approved: approvals bind to the
    /// content they saw, so a changed hash starts review again here. A published article goes
    /// back to `draft` instead.
    pub first_review_stage: String,
}

impl Store {
    pub async fn kb_create_article(&self, new: NewArticle) -> Result<article::Model, StoreError> {
        let now = crate::now();
        let model = article::Model {
            id: new.id.clone(),
            space: new.space,
            title: new.title,
            tags: serde_json::json!(new.tags),
            stage: "draft".to_owned(),
            author: new.author.clone(),
            last_editor: new.author.clone(),
            content_hash: new.content_hash,
            published_version: None,
            verification_expires_at: new.verification_expires_at,
            flagged: false,
            flag_reason: None,
            created_at: now,
            updated_at: now,
        };
        let txn = self.db.begin().await?;
        article::Entity::insert(article::ActiveModel::from(model.clone())).exec_without_returning(&txn).await?;
        update::Entity::insert(update::ActiveModel {
            article_id: Set(new.id),
            data: Set(new.initial_update),
            actor: Set(new.author),
            at: Set(now),
            ..Default::default()
        })
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        Ok(model)
    }

    pub async fn kb_article(&self, id: &str) -> Result<Option<article::Model>, StoreError> {
        Ok(article::Entity::find_by_id(id.to_owned()).one(&self.db).await?)
    }

    pub async fn kb_articles(&self, space: &str) -> Result<Vec<article::Model>, StoreError> {
        Ok(article::Entity::find()
            .filter(article::Column::Space.eq(space))
            .order_by_desc(article::Column::UpdatedAt)
            .all(&self.db)
            .await?)
    }

    /// Appends each article's integrated updates and records what they changed, for many
    /// articles in one transaction: whatever the rooms queued while the previous round committed
    /// costs one commit. Once this returns the updates survive a crash, and only then may they be
    /// acknowledged or broadcast. The statements are batched too (one read of every row, one
    /// insert of every update, an update per row): SQLite statements are the round's cost.
    ///
    /// An append for an article that no longer exists is answered `NotFound` and writes nothing;
    /// a database error fails the whole round.
    pub async fn kb_append_round(&self, appends: Vec<KbAppend>) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        let now = crate::now();
        let txn = self.db.begin().await?;
        let ids: Vec<&str> = appends.iter().map(|a| a.article_id.as_str()).collect();
        // The stage decisions are made inside the transaction, against the rows as they are now,
        // so a concurrent approval cannot slip in between reading a stage and resetting it.
        let mut rows: HashMap<String, article::Model> = article::Entity::find()
            .filter(article::Column::Id.is_in(ids))
            .all(&txn)
            .await?
            .into_iter()
            .map(|row| (row.id.clone(), row))
            .collect();
        let mut out = Vec::with_capacity(appends.len());
        let mut logged = Vec::new();
        for KbAppend { article_id, updates, change } in appends {
            let Some(current) = rows.get_mut(&article_id) else {
                out.push(Err(StoreError::NotFound(format!("article {article_id} does not exist"))));
                continue;
            };
            if updates.is_empty() {
                out.push(Ok(()));
                continue;
            }
            logged.extend(updates.into_iter().map(|u| update::ActiveModel {
                article_id: Set(article_id.clone()),
                data: Set(u.data),
                actor: Set(u.actor),
                at: Set(now),
                ..Default::default()
            }));
            record_change(&txn, current, change, now).await?;
            out.push(Ok(()));
        }
        // Four values a row; SQLite takes at most 32,766 bound values per statement.
        let mut logged = logged.into_iter().peekable();
        while logged.peek().is_some() {
            update::Entity::insert_many(logged.by_ref().take(INSERT_CHUNK)).exec(&txn).await?;
        }
        txn.commit().await?;
        Ok(out)
    }

    /// Flags an article for review (`Some(reason)`) or clears the flag (`None`). The moment an
    /// article becomes flagged, `article.flagged` is queued for subscribers in the same
    /// transaction; re-flagging an already flagged article (a new reason) sends nothing more.
    pub async fn kb_set_flag(&self, article_id: &str, reason: Option<String>) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        let current = article::Entity::find_by_id(article_id.to_owned())
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("article {article_id} does not exist")))?;
        article::Entity::update(article::ActiveModel {
            id: Set(article_id.to_owned()),
            flagged: Set(reason.is_some()),
            flag_reason: Set(reason.clone()),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        if let Some(reason) = reason
            && !current.flagged
        {
            let event = serde_json::json!({
                "article_id": article_id,
                "space": current.space,
                "title": current.title,
                "published_version": current.published_version,
                "reason": reason,
                "flagged_at": crate::now(),
            });
            self.enqueue_event_in(&txn, "article.flagged", &event).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    pub async fn kb_set_verification_expiry(
        &self,
        article_id: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        article::Entity::update(article::ActiveModel {
            id: Set(article_id.to_owned()),
            verification_expires_at: Set(at),
            ..Default::default()
        })
        .exec(&self.db)
        .await?;
        Ok(())
    }
}

/// Writes what an append changed about its article's row (`current`, kept up to date for a later
/// append to the same article in the round): title, tags, hash, editor, and, when the content
/// changed under review or after publishing, the stage it goes back to.
async fn record_change<C: ConnectionTrait>(
    db: &C,
    current: &mut article::Model,
    change: ArticleChange,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut row = article::ActiveModel {
        id: Set(current.id.clone()),
        title: Set(change.title),
        tags: Set(serde_json::json!(change.tags)),
        content_hash: Set(change.content_hash.clone()),
        last_editor: Set(change.editor.clone()),
        updated_at: Set(now),
        ..Default::default()
    };
    if current.content_hash != change.content_hash && current.stage != "draft" {
        let (to, note) = if current.stage == "published" {
            ("draft".to_owned(), "edited after publishing: a new draft".to_owned())
        } else {
            (
                change.first_review_stage.clone(),
                "edited during review: approvals bound to the old content no longer count".to_owned(),
            )
        };
        let transition = Transition { from: current.stage.clone(), to, actor: change.editor.clone(), note };
        row.stage = Set(transition.to.clone());
        approval::Entity::delete_many().filter(approval::Column::ArticleId.eq(current.id.as_str())).exec(db).await?;
        insert_transition(db, &current.id, &transition, now).await?;
        current.stage = transition.to;
    }
    current.content_hash = change.content_hash;
    article::Entity::update(row).exec(db).await?;
    Ok(())
}
