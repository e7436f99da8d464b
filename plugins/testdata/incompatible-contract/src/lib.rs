//! A plugin built for `weft:plugin@1.0.0`, a major version the host does not support. It uses
//! wit-bindgen directly against its own copy of that contract (`wit/`), as a plugin built with a
//! future SDK would.

wit_bindgen::generate!({
    path: "wit",
    world: "step",
});

#[allow(dead_code)] // natively nothing is exported, so nothing names it
struct Step;

impl exports::weft::plugin::decider::Guest for Step {
    fn decide(input: String) -> Result<String, String> {
        Ok(input)
    }
}

// Natively (`cargo test`/`clippy` of the workspace) the export glue is left out: its symbol
// names (`weft:plugin/decider@1.0.0#decide`) are not valid in a native linker version script.
#[cfg(target_arch = "wasm32")]
export!(Step);

// Carries a manifest like any SDK-built plugin, so the host's refusal is about the contract
// version and not about a missing manifest.
#[cfg(target_arch = "wasm32")]
#[unsafe(link_section = "weft-manifest")]
#[used]
static WEFT_MANIFEST: [u8; include_bytes!("../weft.toml").len()] = *include_bytes!("../weft.toml");
