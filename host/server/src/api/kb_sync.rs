//! `GET /v1/kb/sync/{article}`: the y-websocket endpoint. Authentication (cookie or bearer) and
//! read access are checked before the upgrade, so a refused client gets a plain HTTP error; after
//! it, every frame goes to the article's room, and anything the room refuses closes only this
//! connection, with a close code and a reason the client can show.

use std::sync::Arc;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use weft_kb::{Access, CloseReason, Kb};

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
        .on_upgrade(move |socket| serve(socket, state.kb, article, access)))
}

async fn serve(mut socket: WebSocket, kb: Arc<Kb>, article: String, access: Access) {
    let (room, mut conn, mut rx, greeting) = match kb.connect(&article, &access).await {
        Ok(parts) => parts,
        Err(err) => {
            tracing::warn!(article = %article, error = %err, "sync connection refused after upgrade");
            close(&mut socket, CloseReason::new(1011, err.to_string())).await;
            return;
        }
    };
    // One wait for the whole connection, not a fresh one per frame.
    let kick = conn.kick.clone();
    let kicked = kick.wait();
    tokio::pin!(kicked);
    let mut ended: Option<CloseReason> = None;
    for frame in greeting {
        if socket.send(Message::Binary(frame.into())).await.is_err() {
            kb.disconnect(room, conn).await;
            return;
        }
    }
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                None | Some(Ok(Message::Close(_))) => break,
                Some(Ok(Message::Binary(frame))) => match room.handle(&mut conn, &frame).await {
                    Ok(replies) => {
                        let mut failed = false;
                        for reply in replies {
                            failed |= socket.send(Message::Binary(reply.into())).await.is_err();
                        }
                        if failed {
                            break;
                        }
                    }
                    Err(reason) => {
                        ended = Some(reason);
                        break;
                    }
                },
                Some(Ok(Message::Text(_))) => {
                    ended = Some(CloseReason::new(1003, "y-sync frames are binary; text frames are refused".into()));
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(err)) => {
                    ended = Some(read_error(&err));
                    break;
                }
            },
            outgoing = rx.recv() => match outgoing {
                Some(frame) => {
                    if socket.send(Message::Binary(frame)).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            reason = &mut kicked => {
                ended = Some(reason);
                break;
            }
        }
    }
    if let Some(reason) = ended {
        tracing::info!(article = %article, user = %conn.user, code = reason.code, reason = %reason.reason, "closing sync connection");
        close(&mut socket, reason).await;
    }
    kb.disconnect(room, conn).await;
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

async fn close(socket: &mut WebSocket, reason: CloseReason) {
    // A close reason may be at most 123 bytes; cut on a character boundary.
    let mut text = reason.reason;
    while text.len() > 123 {
        text.pop();
    }
    let _ = socket.send(Message::Close(Some(CloseFrame { code: reason.code, reason: text.into() }))).await;
}
