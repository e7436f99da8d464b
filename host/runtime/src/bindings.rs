//! Host-side bindings generated from `wit/` (the `weft:plugin` package, world `step`).

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "step",
    imports: {
        // Reads that go to the database or the search index may wait; everything else is
        // answered from the invocation's own state and stays synchronous (cheaper to call).
        "weft:plugin/host.kv-get": async,
        "weft:plugin/host.kb-search": async,
        "weft:plugin/host.agent-directory": async,
        "weft:plugin/host.credit-history": async,
    },
    exports: { default: async },
});

pub use exports::weft::plugin::decider as wit_decider;
pub use weft::plugin::effects as wit_effects;
pub use weft::plugin::host as wit_host;
pub use weft::plugin::types as wit_types;

/// The WIT package and version this host implements; plugins must target a semver-compatible one.
pub const CONTRACT_PACKAGE: &str = "weft:plugin";
pub const CONTRACT_VERSION: &str = "0.1.0";
