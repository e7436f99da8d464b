//! Support for Weft's behaviour tests: real plugins compiled for wasm32-wasip2, and the real
//! `weft` binary started on loopback with its own data directory.

pub mod kb_node;
pub mod node;
pub mod plugins;
pub mod schemathesis;
pub mod server;
