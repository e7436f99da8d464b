//! One writer for every room's update log. Appends that arrive, from any article, while the
//! previous round commits are committed together in the next one ([`Store::kb_append_round`]):
//! on SQLite's single writer, five hundred articles typed into at once cost one commit per round
//! instead of one per keystroke, each waiting its turn behind the others.

use tokio::sync::{mpsc, oneshot};
use weft_store::kb::KbAppend;
use weft_store::{Store, StoreError};

/// Appends waiting for the writer before senders wait too (backpressure on the rooms).
const QUEUE: usize = 4096;
/// Most appends committed in one round, so one round's transaction stays short.
const MAX_ROUND: usize = 512;

struct Pending {
    append: KbAppend,
    done: oneshot::Sender<Result<(), StoreError>>,
}

#[derive(Clone)]
pub(crate) struct LogWriter {
    tx: mpsc::Sender<Pending>,
}

impl LogWriter {
    /// Starts the writer task; it ends when the last handle is dropped.
    pub(crate) fn spawn(store: Store) -> LogWriter {
        let (tx, mut rx) = mpsc::channel::<Pending>(QUEUE);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut round = vec![first];
                while round.len() < MAX_ROUND {
                    match rx.try_recv() {
                        Ok(next) => round.push(next),
                        Err(_) => break,
                    }
                }
                let (appends, answers): (Vec<_>, Vec<_>) = round.into_iter().map(|p| (p.append, p.done)).unzip();
                let size = appends.len();
                match store.kb_append_round(appends).await {
                    Ok(results) => {
                        for (done, result) in answers.into_iter().zip(results) {
                            let _ = done.send(result);
                        }
                    }
                    Err(err) => {
                        tracing::error!(error = %err, appends = size, "an update-log round failed to commit");
                        for done in answers {
                            let _ =
                                done.send(Err(StoreError::Internal(format!("the update log did not commit: {err}"))));
                        }
                    }
                }
            }
        });
        LogWriter { tx }
    }

    /// Appends and waits until the round holding it has committed.
    pub(crate) async fn append(&self, append: KbAppend) -> Result<(), StoreError> {
        let (done, answer) = oneshot::channel();
        let stopped = || StoreError::Internal("the update-log writer has stopped; restart the server".into());
        self.tx.send(Pending { append, done }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}
