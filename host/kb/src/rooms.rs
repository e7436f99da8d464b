//! Opening and closing rooms. A room lives while someone holds it (a connection or a REST edit);
//! the last one out drops it, since every change is already in the store.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use weft_store::Principal;
use weft_store::kb::KbArticle;

use crate::access::Access;
use crate::room::{Connection, Outbox, Room};
use crate::{Kb, KbError, doc};

impl Kb {
    /// Opens (loading if needed) the room of `article_id` for a caller whose read access
    /// [`Kb::check_read`] established, and returns the connection with the greeting frames to
    /// send first.
    pub async fn connect(
        &self,
        article_id: &str,
        access: &Access,
    ) -> Result<(Arc<Room>, Connection, Outbox, Vec<Vec<u8>>), KbError> {
        let room = self.hold(article_id).await?;
        let id = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let (conn, rx, greeting) = room.connect(id, &access.username, access.can_edit());
        Ok((room, conn, rx, greeting))
    }

    /// Refuses early (before a WebSocket upgrade) anyone who may not read the article.
    pub async fn check_read(&self, article_id: &str, principal: &Principal) -> Result<Access, KbError> {
        Ok(self.readable(article_id, principal).await?.1)
    }

    /// The article's row and the caller's access to its space, refusing anyone who may not read it.
    pub(crate) async fn readable(
        &self,
        article_id: &str,
        principal: &Principal,
    ) -> Result<(KbArticle, Access), KbError> {
        let article = self.article_row(article_id).await?;
        let access = Access::of(&self.store, principal, &article.space).await?;
        access.require_read(&article.space)?;
        Ok((article, access))
    }

    pub async fn disconnect(&self, room: Arc<Room>, conn: Connection) {
        room.disconnect(&conn);
        self.release(room).await;
    }

    /// Takes a hold on the article's room, loading the document from the store if no room is open.
    pub async fn hold(&self, article_id: &str) -> Result<Arc<Room>, KbError> {
        let mut rooms = self.rooms.lock().await;
        if let Some(room) = rooms.get(article_id)
            && !room.is_broken()
        {
            room.holders.fetch_add(1, Ordering::SeqCst);
            return Ok(room.clone());
        }
        let article = self.article_row(article_id).await?;
        let stages = self.stages_of(&article.space).await?;
        let first = stages.first().map(|s| s.name.clone()).unwrap_or_else(|| "approved".into());
        let stored = self.store.kb_load_doc(article_id).await?;
        let doc = doc::load(article_id, &stored)?;
        let room = Arc::new(Room::new(article_id.to_owned(), first, doc, self.log.clone()));
        room.holders.fetch_add(1, Ordering::SeqCst);
        rooms.insert(article_id.to_owned(), room.clone());
        tracing::debug!(article = article_id, log = stored.updates.len(), "room opened");
        Ok(room)
    }

    pub async fn release(&self, room: Arc<Room>) {
        let mut rooms = self.rooms.lock().await;
        if room.holders.fetch_sub(1, Ordering::SeqCst) == 1
            && rooms.get(&room.article_id).is_some_and(|r| Arc::ptr_eq(r, &room))
        {
            rooms.remove(&room.article_id);
            tracing::debug!(article = %room.article_id, "room closed");
        }
    }

    /// How many documents are held in memory (for tests and metrics).
    pub async fn open_rooms(&self) -> usize {
        self.rooms.lock().await.len()
    }
}
