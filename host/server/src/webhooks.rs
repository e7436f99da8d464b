//! The Standard Webhooks scheme (<https://www.standardwebhooks.com>), used for both directions:
//! integrators sign what they send to workflow hooks, and Weft signs the events it delivers.

// Verification is wired to the inbound workflow hooks when they land; signing is used now.
#[cfg_attr(not(test), allow(dead_code))]
pub mod signature;
