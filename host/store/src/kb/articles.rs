//! Article metadata rows. Content changes arrive with an update (see `log.rs`), so the row and the
//! log never disagree about who edited last or what the content hash is.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

use super::review::{Transition, insert_transition};
use crate::entity::kb::{approval, article, update};
use crate::{Store, StoreError};

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

    /// Appends a client's update and records what it changed, in one transaction: once this
    /// returns the update survives a crash, and only then may it be acknowledged or broadcast.
    /// Appends each article's integrated updates and the row they leave behind, for many
    /// articles in one transaction: whatever the rooms queued while the previous round committed
    /// costs one commit. Each append runs in its own savepoint, so one that fails (the article
    /// was deleted, say) is undone alone and answered with its error; the others still commit.
    pub async fn kb_append_round(&self, appends: Vec<KbAppend>) -> Result<Vec<Result<(), StoreError>>, StoreError> {
        let now = crate::now();
        let txn = self.db.begin().await?;
        let mut out = Vec::with_capacity(appends.len());
        for append in appends {
            let savepoint = txn.begin().await?;
            match append_in(&savepoint, append, now).await {
                Ok(()) => {
                    savepoint.commit().await?;
                    out.push(Ok(()));
                }
                Err(err) => {
                    savepoint.rollback().await?;
                    out.push(Err(err));
                }
            }
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

/// One article's share of a round (see [`Store::kb_append_round`]).
async fn append_in<C: ConnectionTrait>(db: &C, append: KbAppend, now: DateTime<Utc>) -> Result<(), StoreError> {
    let KbAppend { article_id, updates, change } = append;
    let article_id = article_id.as_str();
    if updates.is_empty() {
        return Ok(());
    }
    // The stage decision is made inside the transaction, against the row as it is now, so a
    // concurrent approval cannot slip in between reading the stage and resetting it.
    let current = article::Entity::find_by_id(article_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("article {article_id} does not exist")))?;
    update::Entity::insert_many(updates.into_iter().map(|u| update::ActiveModel {
        article_id: Set(article_id.to_owned()),
        data: Set(u.data),
        actor: Set(u.actor),
        at: Set(now),
        ..Default::default()
    }))
    .exec(db)
    .await?;
    let mut row = article::ActiveModel {
        id: Set(article_id.to_owned()),
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
        approval::Entity::delete_many().filter(approval::Column::ArticleId.eq(article_id)).exec(db).await?;
        insert_transition(db, article_id, &transition, now).await?;
    }
    article::Entity::update(row).exec(db).await?;
    Ok(())
}
