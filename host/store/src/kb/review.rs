//! Review state: approvals bound to content hashes, and the record of every stage change.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

use crate::entity::kb::{approval, article, transition};
use crate::{Store, StoreError};

/// A stage change as the caller decides it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub from: String,
    pub to: String,
    pub actor: String,
    pub note: String,
}

pub(crate) async fn insert_transition<C: ConnectionTrait>(
    db: &C,
    article_id: &str,
    t: &Transition,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    transition::Entity::insert(transition::ActiveModel {
        article_id: Set(article_id.to_owned()),
        from_stage: Set(t.from.clone()),
        to_stage: Set(t.to.clone()),
        actor: Set(t.actor.clone()),
        note: Set(t.note.clone()),
        at: Set(at),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

impl Store {
    /// Moves the article, records why, and drops approvals when `clear_approvals` (a new review
    /// round). `expected_hash` guards against an edit that landed since the caller looked: the
    /// change is refused with a conflict if the content hash moved.
    pub async fn kb_transition(
        &self,
        article_id: &str,
        t: &Transition,
        expected_hash: &str,
        clear_approvals: bool,
    ) -> Result<(), StoreError> {
        let now = crate::now();
        let txn = self.db.begin().await?;
        let current = article::Entity::find_by_id(article_id.to_owned())
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("article {article_id} does not exist")))?;
        if current.content_hash != expected_hash || current.stage != t.from {
            return Err(StoreError::Conflict(format!(
                "article {article_id} changed while this request was in flight (now at stage {} with content \
                 hash {}); reload it and try again",
                current.stage, current.content_hash
            )));
        }
        if clear_approvals {
            approval::Entity::delete_many().filter(approval::Column::ArticleId.eq(article_id)).exec(&txn).await?;
        }
        article::Entity::update(article::ActiveModel {
            id: Set(article_id.to_owned()),
            stage: Set(t.to.clone()),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        insert_transition(&txn, article_id, t, now).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Records an approval of `content_hash` at `stage`. Refused with a conflict when the article
    /// has moved on (another stage, or content edited since the reviewer looked), and when the
    /// same user already approved at this stage.
    pub async fn kb_add_approval(
        &self,
        article_id: &str,
        stage: &str,
        username: &str,
        content_hash: &str,
    ) -> Result<approval::Model, StoreError> {
        let txn = self.db.begin().await?;
        let current = article::Entity::find_by_id(article_id.to_owned())
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("article {article_id} does not exist")))?;
        if current.content_hash != content_hash || current.stage != stage {
            return Err(StoreError::Conflict(format!(
                "article {article_id} is now at stage {} with content hash {}; reload it and review the current content",
                current.stage, current.content_hash
            )));
        }
        let result = approval::Entity::insert(approval::ActiveModel {
            article_id: Set(article_id.to_owned()),
            stage: Set(stage.to_owned()),
            username: Set(username.to_owned()),
            content_hash: Set(content_hash.to_owned()),
            at: Set(crate::now()),
            ..Default::default()
        })
        .exec_with_returning(&txn)
        .await;
        match result {
            Ok(model) => {
                txn.commit().await?;
                Ok(model)
            }
            Err(err) if crate::error::is_unique_violation(&err) => Err(StoreError::Conflict(format!(
                "{username} has already approved article {article_id} at stage {stage}; another reviewer must approve"
            ))),
            Err(err) => Err(err.into()),
        }
    }

    pub async fn kb_approvals(&self, article_id: &str) -> Result<Vec<approval::Model>, StoreError> {
        Ok(approval::Entity::find()
            .filter(approval::Column::ArticleId.eq(article_id))
            .order_by_asc(approval::Column::Id)
            .all(&self.db)
            .await?)
    }

    pub async fn kb_transitions(&self, article_id: &str) -> Result<Vec<transition::Model>, StoreError> {
        Ok(transition::Entity::find()
            .filter(transition::Column::ArticleId.eq(article_id))
            .order_by_asc(transition::Column::Id)
            .all(&self.db)
            .await?)
    }
}
