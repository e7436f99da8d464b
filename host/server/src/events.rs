//! Outbound events: the dispatcher that drains the store's delivery outbox to subscribers'
//! endpoints, signed with the Standard Webhooks scheme, and the settings that shape its retries.

mod backoff;
mod dispatcher;
mod settings;

pub use dispatcher::Dispatcher;
pub use settings::OutboundArgs;
