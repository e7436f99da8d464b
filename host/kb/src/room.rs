//! A room: the live document of one article and the connections editing it.
//!
//! Every write goes through one async lock per room: apply to the document, append what was
//! actually integrated to the store, and only after the commit broadcast it. Writes that arrive
//! while a commit is in flight are committed together in the next round (group commit). A store failure
//! evicts the room (the in-memory document may then hold an unsaved change) and every client is
//! told to reconnect; clients still hold their edits and resend them on resync, so nothing
//! acknowledged, and nothing unacknowledged, is lost.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::sync::{Notify, mpsc, oneshot};
use weft_store::kb::{ArticleChange, KbAppend, LoggedUpdate};
use yrs::sync::awareness::{AwarenessUpdate, AwarenessUpdateEntry};
use yrs::sync::{Message, SyncMessage};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{ClientID, Doc, ReadTxn, StateVector, Transact, Update, WriteTxn};

use crate::doc::{self, Content};
use crate::log_writer::LogWriter;
use crate::{CloseReason, KbError};

/// Messages queued for one client before it counts as lagging and is disconnected (it then
/// reconnects and resyncs; dropping messages silently would leave it diverged forever).
pub const OUTBOX: usize = 1024;

/// What a client is told before it is disconnected, and how.
pub struct Kick {
    reason: Mutex<Option<CloseReason>>,
    notify: Notify,
}

impl Kick {
    fn new() -> Arc<Kick> {
        Arc::new(Kick { reason: Mutex::new(None), notify: Notify::new() })
    }

    fn fire(&self, reason: CloseReason) {
        if let Ok(mut slot) = self.reason.lock()
            && slot.is_none()
        {
            *slot = Some(reason);
        }
        self.notify.notify_one();
    }

    /// Waits until the room asks this connection to close, and says why.
    pub async fn wait(&self) -> CloseReason {
        loop {
            if let Some(reason) = self.reason.lock().ok().and_then(|mut r| r.take()) {
                return reason;
            }
            self.notify.notified().await;
        }
    }
}

/// A change waiting for its group-commit round, and where its outcome goes.
struct Job {
    actor: String,
    sender: Option<u64>,
    change: Box<Change>,
    done: oneshot::Sender<Result<bool, CloseReason>>,
}

/// One change to integrate: `Ok(flag)` is handed back to its caller, `Err` refuses it.
type Change = dyn FnOnce(&mut yrs::TransactionMut<'_>) -> Result<bool, CloseReason> + Send;

struct Slot {
    tx: mpsc::Sender<Bytes>,
    kick: Arc<Kick>,
}

pub struct Room {
    pub article_id: String,
    first_stage: String,
    doc: Doc,
    log: LogWriter,
    write: tokio::sync::Mutex<()>,
    /// Changes waiting for the next group-commit round.
    queue: Mutex<Vec<Job>>,
    clients: Mutex<HashMap<u64, Slot>>,
    /// Presence by Yjs client id: (clock, JSON state), replayed to clients that join.
    awareness: Mutex<HashMap<u64, (u32, Arc<str>)>>,
    /// SyncStep2 answers by the requester's encoded state vector, valid until the next change:
    /// fifty clients opening the same article cost one encode, not fifty.
    step2_cache: Mutex<HashMap<Vec<u8>, Arc<Vec<u8>>>>,
    /// Set once the document may differ from the store; the room must then be dropped.
    broken: AtomicBool,
    /// Connections plus in-process holders (REST edits); the room is dropped at zero.
    pub(crate) holders: AtomicU64,
}

/// One connection's view of the room.
pub struct Connection {
    pub id: u64,
    pub user: String,
    pub can_write: bool,
    pub kick: Arc<Kick>,
    awareness_ids: HashSet<u64>,
    flood: crate::flood::Budget,
}

/// Frames the room queued for one connection; every receiver shares one buffer per frame.
pub type Outbox = mpsc::Receiver<Bytes>;

/// The outcome of one incoming frame: replies for the sender, or a reason to close.
pub type Handled = Result<Vec<Vec<u8>>, CloseReason>;

impl Room {
    pub(crate) fn new(article_id: String, first_stage: String, doc: Doc, log: LogWriter) -> Room {
        Room {
            article_id,
            first_stage,
            doc,
            log,
            write: tokio::sync::Mutex::new(()),
            queue: Mutex::new(Vec::new()),
            clients: Mutex::new(HashMap::new()),
            awareness: Mutex::new(HashMap::new()),
            step2_cache: Mutex::new(HashMap::new()),
            broken: AtomicBool::new(false),
            holders: AtomicU64::new(0),
        }
    }

    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::SeqCst)
    }

    pub fn content(&self) -> Content {
        doc::read_content(&self.doc)
    }

    pub fn client_count(&self) -> usize {
        self.clients.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// Registers a connection and returns it with the greeting to send first: the server's
    /// SyncStep1 (so the client sends what the server lacks) and the current presence.
    pub(crate) fn connect(&self, id: u64, user: &str, can_write: bool) -> (Connection, Outbox, Vec<Vec<u8>>) {
        let (tx, rx) = mpsc::channel(OUTBOX);
        let kick = Kick::new();
        if let Ok(mut clients) = self.clients.lock() {
            clients.insert(id, Slot { tx, kick: kick.clone() });
        }
        let sv = self.doc.transact().state_vector();
        let mut greeting = vec![Message::Sync(SyncMessage::SyncStep1(sv)).encode_v1()];
        if let Some(presence) = self.presence_message() {
            greeting.push(presence);
        }
        let conn = Connection {
            id,
            user: user.to_owned(),
            can_write,
            kick,
            awareness_ids: HashSet::new(),
            flood: crate::flood::Budget::default(),
        };
        (conn, rx, greeting)
    }

    /// Removes a connection and tells the others its cursors are gone.
    pub(crate) fn disconnect(&self, conn: &Connection) {
        if let Ok(mut clients) = self.clients.lock() {
            clients.remove(&conn.id);
        }
        let mut gone = HashMap::new();
        if let Ok(mut states) = self.awareness.lock() {
            for client in &conn.awareness_ids {
                if let Some((clock, _)) = states.remove(client) {
                    gone.insert(ClientID::new(*client), AwarenessUpdateEntry { clock: clock + 1, json: "null".into() });
                }
            }
        }
        if !gone.is_empty() {
            let message = Message::Awareness(AwarenessUpdate { clients: gone }).encode_v1();
            self.broadcast(None, message);
        }
    }

    fn presence_message(&self) -> Option<Vec<u8>> {
        let states = self.awareness.lock().ok()?;
        if states.is_empty() {
            return None;
        }
        let clients = states
            .iter()
            .map(|(id, (clock, json))| (ClientID::new(*id), AwarenessUpdateEntry { clock: *clock, json: json.clone() }))
            .collect();
        Some(Message::Awareness(AwarenessUpdate { clients }).encode_v1())
    }

    /// Handles one WebSocket binary frame (one y-sync message, as y-websocket sends them).
    pub async fn handle(&self, conn: &mut Connection, frame: &[u8]) -> Handled {
        let message = Message::decode_v1(frame).map_err(|e| CloseReason::malformed(format!("{e}")))?;
        match message {
            Message::Sync(SyncMessage::SyncStep1(sv)) => Ok(vec![self.step2_for(&sv)]),
            Message::Sync(SyncMessage::SyncStep2(update)) | Message::Sync(SyncMessage::Update(update)) => {
                self.client_update(conn, &update).await
            }
            Message::Auth(_) => Ok(Vec::new()),
            Message::AwarenessQuery => Ok(self.presence_message().into_iter().collect()),
            Message::Awareness(update) => self.client_awareness(conn, update),
            Message::Custom(tag, _) => Err(CloseReason::malformed(format!("unknown message type {tag}"))),
        }
    }

    fn step2_for(&self, sv: &StateVector) -> Vec<u8> {
        let key = sv.encode_v1();
        if let Some(hit) = self.step2_cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit.as_ref().clone();
        }
        let update = self.doc.transact().encode_state_as_update_v1(sv);
        let message = Message::Sync(SyncMessage::SyncStep2(update)).encode_v1();
        if let Ok(mut cache) = self.step2_cache.lock() {
            if cache.len() >= 64 {
                cache.clear();
            }
            cache.insert(key, Arc::new(message.clone()));
        }
        message
    }

    async fn client_update(&self, conn: &Connection, bytes: &[u8]) -> Handled {
        let update = Update::decode_v1(bytes).map_err(|e| CloseReason::malformed(format!("update: {e}")))?;
        if update.is_empty() {
            return Ok(Vec::new());
        }
        if !conn.can_write {
            // The y-websocket client shows this reason; its edit stays local and is never stored.
            let reason = format!(
                "permission denied: {} may read but not edit article {} (editing needs the kb-author role in its space)",
                conn.user, self.article_id
            );
            tracing::info!(article = %self.article_id, user = %conn.user, "read-only edit dropped");
            return Ok(vec![Message::Auth(Some(reason)).encode_v1()]);
        }
        let missing = self
            .apply(&conn.user, Some(conn.id), |txn| {
                txn.apply_update(update).map_err(|e| CloseReason::malformed(format!("update does not apply: {e}")))?;
                // An update whose dependencies the server never saw would sit in the document as
                // "pending" forever. Keep what did integrate, refuse the rest, and have the client
                // resync: y-websocket reconnects and sends its whole state, dependencies included.
                let missing = txn.has_missing_updates();
                if missing {
                    txn.prune_pending();
                }
                Ok(missing)
            })
            .await?;
        if missing {
            return Err(CloseReason::new(
                4409,
                "update references content this server does not have (missing structs); reconnect to resync".into(),
            ));
        }
        Ok(Vec::new())
    }

    /// Replaces the content on behalf of `actor` (create, restore), through the same durable path.
    pub async fn write_local(&self, actor: &str, content: &Content) -> Result<(), KbError> {
        let content = content.clone();
        self.apply(actor, None, move |txn| {
            crate::doc::write_content_txn(txn, &content);
            Ok(false)
        })
        .await
        .map(|_| ())
        .map_err(|reason| KbError::Unavailable(reason.reason))
    }

    /// Applies `change` to the document and stores what it integrated before anyone sees it.
    ///
    /// Group commit: the change is queued, and whoever holds the write lock integrates every
    /// queued change (each in its own transaction, in order), appends all of them to the store
    /// in one commit, then broadcasts them. Fifty editors typing at once cost one commit per
    /// round, not fifty, and the content is read and hashed once per round.
    async fn apply<F>(&self, actor: &str, sender: Option<u64>, change: F) -> Result<bool, CloseReason>
    where
        F: FnOnce(&mut yrs::TransactionMut<'_>) -> Result<bool, CloseReason> + Send + 'static,
    {
        let (done, mut outcome) = oneshot::channel();
        if let Ok(mut queue) = self.queue.lock() {
            queue.push(Job { actor: actor.to_owned(), sender, change: Box::new(change), done });
        }
        let _write = self.write.lock().await;
        // The writer before us may have taken this change into its round already.
        match outcome.try_recv() {
            Ok(result) => return result,
            Err(oneshot::error::TryRecvError::Closed) => return Err(CloseReason::reload()),
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        let jobs = self.queue.lock().map(|mut queue| std::mem::take(&mut *queue)).unwrap_or_default();
        self.commit_round(jobs).await;
        outcome.await.unwrap_or_else(|_| Err(CloseReason::reload()))
    }

    /// One group-commit round (see [`Room::apply`]); answers every job before returning.
    async fn commit_round(&self, jobs: Vec<Job>) {
        let mut answers = Vec::with_capacity(jobs.len());
        let mut integrated: Vec<(LoggedUpdate, Option<u64>)> = Vec::new();
        let mut failed = self.is_broken();
        for job in jobs {
            if failed {
                answers.push((job.done, Err(CloseReason::reload())));
                continue;
            }
            let mut txn = self.doc.transact_mut();
            match (job.change)(&mut txn) {
                Ok(flag) => {
                    let delta = txn.encode_update_v1();
                    drop(txn);
                    if Update::decode_v1(&delta).map(|u| !u.is_empty()).unwrap_or(true) {
                        integrated.push((LoggedUpdate { data: delta, actor: job.actor }, job.sender));
                    }
                    answers.push((job.done, Ok(flag)));
                }
                Err(reason) => {
                    // A failed integration may have changed part of the document: it is never
                    // served again (evicted below, once what did integrate is stored).
                    drop(txn);
                    failed = true;
                    answers.push((job.done, Err(reason)));
                }
            }
        }
        if let Some((last, _)) = integrated.last() {
            if let Ok(mut cache) = self.step2_cache.lock() {
                cache.clear();
            }
            let content = self.content();
            let change = ArticleChange {
                content_hash: content.hash(),
                title: content.title,
                tags: content.tags,
                editor: last.actor.clone(),
                first_review_stage: self.first_stage.clone(),
            };
            let updates = integrated.iter().map(|(update, _)| update.clone()).collect();
            let append = KbAppend { article_id: self.article_id.clone(), updates, change };
            match self.log.append(append).await {
                Ok(()) => {
                    for (update, sender) in integrated {
                        self.broadcast(sender, Message::Sync(SyncMessage::Update(update.data)).encode_v1());
                    }
                }
                Err(err) => {
                    tracing::error!(article = %self.article_id, error = %err, "could not store updates; evicting the room");
                    failed = true;
                    for (_, answer) in answers.iter_mut() {
                        if answer.is_ok() {
                            *answer = Err(CloseReason::new(
                                1011,
                                "the server could not save this edit; reconnect to resend it".into(),
                            ));
                        }
                    }
                }
            }
        }
        if failed {
            self.evict();
        }
        for (done, answer) in answers {
            let _ = done.send(answer);
        }
    }

    fn client_awareness(&self, conn: &mut Connection, update: AwarenessUpdate) -> Handled {
        conn.flood.spend(&update)?;
        if let Ok(mut states) = self.awareness.lock() {
            for (client, entry) in &update.clients {
                let id = client.get();
                if &*entry.json == "null" {
                    states.remove(&id);
                    conn.awareness_ids.remove(&id);
                } else {
                    let newer = states.get(&id).is_none_or(|(clock, _)| entry.clock >= *clock);
                    if newer {
                        states.insert(id, (entry.clock, entry.json.clone()));
                        conn.awareness_ids.insert(id);
                    }
                }
            }
        }
        self.broadcast(Some(conn.id), Message::Awareness(update).encode_v1());
        Ok(Vec::new())
    }

    /// Queues `message` for every client but `except`. A client whose queue is full is
    /// disconnected with a reason rather than silently skipped.
    fn broadcast(&self, except: Option<u64>, message: Vec<u8>) {
        let message = Bytes::from(message);
        let Ok(mut clients) = self.clients.lock() else { return };
        clients.retain(|id, slot| {
            if Some(*id) == except {
                return true;
            }
            match slot.tx.try_send(message.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(article = %self.article_id, conn = id, "client lagging; disconnecting it");
                    slot.kick.fire(CloseReason::new(
                        4008,
                        format!("you fell {OUTBOX} messages behind the other editors; reconnect to resync"),
                    ));
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
    }

    /// Marks the document unusable and asks every client to reconnect (to a freshly loaded room).
    pub(crate) fn evict(&self) {
        self.broken.store(true, Ordering::SeqCst);
        if let Ok(clients) = self.clients.lock() {
            for slot in clients.values() {
                slot.kick.fire(CloseReason::reload());
            }
        }
    }
}
