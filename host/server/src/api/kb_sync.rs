//! `GET /v1/kb/sync/{article}`: the y-websocket endpoint. Authentication (cookie or bearer) and
//! read access are checked before the upgrade, so a refused client gets a plain HTTP error; after
//! it, every frame goes to the article's room, and anything the room refuses closes only this
//! connection, with a close code and a reason the client can show.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use weft_kb::{Access, CloseReason, Kb, Kick, Outbox};

use super::auth::Caller;
use super::error::ApiError;
use super::extract::Path;
use super::kb::{KbState, kb_error};

/// Largest y-sync message accepted. A whole article's state fits many times over; a larger
/// message closes the connection with 1009 before it is buffered.
pub const MAX_SYNC_MESSAGE: usize = 16 * 1024 * 1024;

pub async fn upgrade(
    State(state): State<KbState>,
    caller: Caller,
    Path(article): Path<String>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let access = state.kb.check_read(&article, &caller.0).await.map_err(kb_error)?;
    Ok(ws
        .max_message_size(MAX_SYNC_MESSAGE)
        .max_frame_size(MAX_SYNC_MESSAGE)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .on_upgrade(move |socket| serve(socket, state.kb, article, access)))
}

async fn serve(mut socket: WebSocket, kb: Arc<Kb>, article: String, access: Access) {
    let (room, mut conn, outbox, greeting) = match kb.connect(&article, &access).await {
        Ok(parts) => parts,
        Err(err) => {
            tracing::warn!(article = %article, error = %err, "sync connection refused after upgrade");
            let _ = socket.send(close_message(CloseReason::new(1011, err.to_string()))).await;
            return;
        }
    };
    // Reading and writing are two tasks so that while this connection's frame waits on the room
    // (its lock, the store's commit), what the room queued for it keeps flowing out; one loop
    // doing both stalled the queue behind every own edit and dropped busy editors as lagging.
    let (sink, mut stream) = socket.split();
    let (replies, from_reader) = mpsc::channel(REPLIES);
    let ctx = WriterContext { article: article.clone(), user: conn.user.clone(), kick: conn.kick.clone() };
    let mut writer = tokio::spawn(write_loop(sink, greeting, outbox, from_reader, ctx));
    let mut ended: Option<CloseReason> = None;
    let writer_done = loop {
        tokio::select! {
            incoming = stream.next() => match incoming {
                None | Some(Ok(Message::Close(_))) => break false,
                Some(Ok(Message::Binary(frame))) => match room.handle(&mut conn, &frame).await {
                    Ok(out) => {
                        if !forward(&replies, out).await {
                            break false;
                        }
                    }
                    Err(reason) => {
                        ended = Some(reason);
                        break false;
                    }
                },
                Some(Ok(Message::Text(_))) => {
                    ended = Some(CloseReason::new(1003, "y-sync frames are binary; text frames are refused".into()));
                    break false;
                }
                Some(Ok(_)) => {}
                Some(Err(err)) => {
                    ended = Some(read_error(&err));
                    break false;
                }
            },
            // The writer stops by itself when the room closes this connection or the client
            // stops taking frames; reading on would be for nothing.
            _ = &mut writer => break true,
        }
    };
    let we_closed = writer_done || ended.is_some();
    if !writer_done {
        if let Some(reason) = ended {
            let _ = replies.send(Outgoing::Close(reason)).await;
        }
        drop(replies);
        let _ = writer.await;
    }
    if we_closed {
        linger(&mut stream).await;
    }
    kb.disconnect(room, conn).await;
}

/// How long a connection we closed waits for the client's close reply.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// After our close frame, reads (and drops) what the client still sends until its close reply.
/// Closing the socket with unread frames in it resets the TCP connection, and the client then
/// reports 1006 instead of the close code and reason it was sent.
async fn linger(stream: &mut SplitStream<WebSocket>) {
    let _ = tokio::time::timeout(CLOSE_GRACE, async {
        while let Some(Ok(message)) = stream.next().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

/// Replies queued from the reader to the writer; a reader that gets ahead waits (backpressure on
/// the client's own frames, never on other editors').
const REPLIES: usize = 64;

/// Bytes read from the socket at a time. tungstenite allocates its default (128 KiB) eagerly for
/// every connection, which made each idle editor cost ~150 KB; larger frames (up to
/// [`MAX_SYNC_MESSAGE`]) are still read whole, in more reads.
const READ_BUFFER: usize = 4 * 1024;

/// Written frames are buffered up to this before a write; a flush after each drained batch sends
/// the rest, so a burst of updates costs a few writes instead of one per frame.
const WRITE_BUFFER: usize = 16 * 1024;

enum Outgoing {
    Frame(Bytes),
    Close(CloseReason),
}

struct WriterContext {
    article: String,
    user: String,
    kick: Arc<Kick>,
}

async fn forward(replies: &mpsc::Sender<Outgoing>, out: Vec<Vec<u8>>) -> bool {
    for reply in out {
        if replies.send(Outgoing::Frame(reply.into())).await.is_err() {
            return false;
        }
    }
    true
}

/// Sends the greeting, then whatever the room or the reader queues, until the room kicks the
/// connection, the reader ends it, or the client stops taking frames.
async fn write_loop(
    mut sink: SplitSink<WebSocket, Message>,
    greeting: Vec<Vec<u8>>,
    mut outbox: Outbox,
    mut from_reader: mpsc::Receiver<Outgoing>,
    ctx: WriterContext,
) {
    for frame in greeting {
        if sink.feed(Message::Binary(frame.into())).await.is_err() {
            return;
        }
    }
    if sink.flush().await.is_err() {
        return;
    }
    let kicked = ctx.kick.wait();
    tokio::pin!(kicked);
    loop {
        let next = tokio::select! {
            frame = outbox.recv() => match frame {
                Some(frame) => Outgoing::Frame(frame),
                None => return,
            },
            out = from_reader.recv() => match out {
                Some(out) => out,
                None => return,
            },
            reason = &mut kicked => Outgoing::Close(reason),
        };
        match next {
            Outgoing::Frame(frame) => {
                if sink.feed(Message::Binary(frame)).await.is_err() {
                    return;
                }
                // Everything else the room already queued goes in the same flush.
                while let Ok(frame) = outbox.try_recv() {
                    if sink.feed(Message::Binary(frame)).await.is_err() {
                        return;
                    }
                }
                if sink.flush().await.is_err() {
                    return;
                }
            }
            Outgoing::Close(reason) => {
                tracing::info!(article = %ctx.article, user = %ctx.user, code = reason.code, reason = %reason.reason, "closing sync connection");
                let _ = sink.send(close_message(reason)).await;
                return;
            }
        }
    }
}

fn read_error(err: &axum::Error) -> CloseReason {
    let text = err.to_string();
    if text.contains("Space limit exceeded") || text.contains("too long") || text.contains("Message too big") {
        CloseReason::new(
            1009,
            format!("message larger than the {} MiB limit; send smaller updates", MAX_SYNC_MESSAGE >> 20),
        )
    } else {
        CloseReason::new(1002, format!("unreadable WebSocket frame: {text}"))
    }
}

fn close_message(reason: CloseReason) -> Message {
    // A close reason may be at most 123 bytes; cut on a character boundary.
    let mut text = reason.reason;
    while text.len() > 123 {
        text.pop();
    }
    Message::Close(Some(CloseFrame { code: reason.code, reason: text.into() }))
}
