//! The Standard Webhooks scheme (<https://www.standardwebhooks.com>), used for both directions:
//! integrators sign what they send to workflow hooks, and Weft signs the events it delivers.

// Inbound verification and rate limits are wired to the workflow hooks (`api/webhooks.rs`).
#[allow(dead_code)]
pub mod inbound;
#[allow(dead_code)]
pub mod rate_limit;
pub mod signature;
