//! The update log and snapshots. Loading reads the snapshot and every later update; compaction
//! replaces a prefix of the log with a snapshot the caller built by applying it into a document
//! (never by merging update blobs, which is quadratic).

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::entity::kb::{snapshot, update};
use crate::{Store, StoreError};

/// Everything needed to rebuild an article's document.
#[derive(Clone, Debug, Default)]
pub struct StoredDoc {
    /// The latest snapshot's state, if any.
    pub snapshot: Option<Vec<u8>>,
    /// The log id the snapshot covers (0 without one).
    pub snapshot_upto: i64,
    /// Updates after the snapshot, oldest first, with their log ids.
    pub updates: Vec<(i64, Vec<u8>)>,
}

impl Store {
    pub async fn kb_load_doc(&self, article_id: &str) -> Result<StoredDoc, StoreError> {
        // One read transaction, so a compaction committing in between cannot hide updates that it
        // folded into a snapshot we did not read.
        let txn = self.db.begin().await?;
        let snap = snapshot::Entity::find_by_id(article_id.to_owned()).one(&txn).await?;
        let upto = snap.as_ref().map(|s| s.upto_id).unwrap_or(0);
        let updates = update::Entity::find()
            .filter(update::Column::ArticleId.eq(article_id))
            .filter(update::Column::Id.gt(upto))
            .order_by_asc(update::Column::Id)
            .all(&txn)
            .await?;
        txn.commit().await?;
        Ok(StoredDoc {
            snapshot: snap.map(|s| s.state),
            snapshot_upto: upto,
            updates: updates.into_iter().map(|u| (u.id, u.data)).collect(),
        })
    }

    /// Stores `state` as the snapshot covering the log up to `upto_id` and deletes those entries.
    pub async fn kb_write_snapshot(&self, article_id: &str, upto_id: i64, state: Vec<u8>) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        snapshot::Entity::insert(snapshot::ActiveModel {
            article_id: Set(article_id.to_owned()),
            upto_id: Set(upto_id),
            state: Set(state),
            at: Set(crate::now()),
        })
        .on_conflict(
            OnConflict::column(snapshot::Column::ArticleId)
                .update_columns([snapshot::Column::UptoId, snapshot::Column::State, snapshot::Column::At])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        update::Entity::delete_many()
            .filter(update::Column::ArticleId.eq(article_id))
            .filter(update::Column::Id.lte(upto_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Articles with at least `min_updates` log entries not yet folded into a snapshot.
    pub async fn kb_compaction_candidates(&self, min_updates: u64) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String, i64)> = update::Entity::find()
            .select_only()
            .column(update::Column::ArticleId)
            .column_as(update::Column::Id.count(), "n")
            .group_by(update::Column::ArticleId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().filter(|(_, n)| *n as u64 >= min_updates).map(|(id, _)| id).collect())
    }

    /// How many log entries an article has beyond its snapshot (for tests and metrics).
    pub async fn kb_log_len(&self, article_id: &str) -> Result<u64, StoreError> {
        Ok(update::Entity::find().filter(update::Column::ArticleId.eq(article_id)).count(&self.db).await?)
    }
}
