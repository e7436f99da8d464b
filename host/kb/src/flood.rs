//! Presence limits per connection. Awareness is what saturates a server first (every cursor
//! move of every client fans out to every other), so a client that floods it is cut off with a
//! reason instead of slowing everyone else down.

use std::time::Instant;

use yrs::sync::awareness::AwarenessUpdate;

use crate::CloseReason;

/// Presence updates a client may burst before the steady rate applies.
const BURST: f64 = 200.0;
/// Steady presence updates per second (a cursor at 60 Hz with headroom).
const PER_SECOND: f64 = 100.0;
/// One client's presence state is a name, a colour and a cursor: a few hundred bytes.
const MAX_STATE_BYTES: usize = 16 * 1024;
/// One connection normally speaks for one Yjs client; a few more tolerate reconnect overlap.
const MAX_CLIENTS_PER_MESSAGE: usize = 8;

pub struct Budget {
    tokens: f64,
    last: Instant,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { tokens: BURST, last: Instant::now() }
    }
}

impl Budget {
    pub fn spend(&mut self, update: &AwarenessUpdate) -> Result<(), CloseReason> {
        if update.clients.len() > MAX_CLIENTS_PER_MESSAGE {
            return Err(CloseReason::new(
                4429,
                format!("awareness update names {} clients; at most {MAX_CLIENTS_PER_MESSAGE}", update.clients.len()),
            ));
        }
        if let Some(big) = update.clients.values().map(|e| e.json.len()).find(|n| *n > MAX_STATE_BYTES) {
            return Err(CloseReason::new(4429, format!("presence state of {big} bytes; at most {MAX_STATE_BYTES}")));
        }
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * PER_SECOND).min(BURST);
        self.last = now;
        if self.tokens < 1.0 {
            return Err(CloseReason::new(
                4429,
                format!("awareness flood: over {PER_SECOND} presence updates/s; slow down and reconnect"),
            ));
        }
        self.tokens -= 1.0;
        Ok(())
    }
}
