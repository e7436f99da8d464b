//! Background compaction: fold an article's log into a snapshot by applying it into a document
//! and re-encoding (linear), never by merging update blobs (quadratic). Safe alongside live
//! editing: new updates get higher log ids than the snapshot covers.

use std::time::Duration;

use weft_store::Store;

use crate::{KbError, doc};

pub(crate) fn spawn(store: Store, every: Duration, min_updates: u64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(err) = compact_all(&store, min_updates).await {
                tracing::warn!(error = %err, "compaction pass failed; retrying on the next tick");
            }
        }
    });
}

pub(crate) async fn compact_all(store: &Store, min_updates: u64) -> Result<usize, KbError> {
    let mut done = 0;
    for article in store.kb_compaction_candidates(min_updates).await? {
        match compact(store, &article).await {
            Ok(()) => done += 1,
            // A document that cannot be loaded is left exactly as it is, for a human to look at.
            Err(err) => tracing::error!(article = %article, error = %err, "article not compacted"),
        }
    }
    Ok(done)
}

pub async fn compact(store: &Store, article_id: &str) -> Result<(), KbError> {
    let stored = store.kb_load_doc(article_id).await?;
    let Some(upto) = stored.updates.last().map(|(id, _)| *id) else { return Ok(()) };
    let doc = doc::load(article_id, &stored)?;
    let state = doc::encode_state(&doc);
    store.kb_write_snapshot(article_id, upto, state).await?;
    tracing::info!(article = article_id, folded = stored.updates.len(), upto, "update log compacted");
    Ok(())
}
