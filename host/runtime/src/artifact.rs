//! Reading a plugin artifact before compiling it: is it a component at all, what is its digest,
//! and what manifest does it carry. Each refusal says what the file is and how to get a good one.

use sha2::{Digest, Sha256};
use wasmparser::{Parser, Payload};

use crate::error::PluginError;
use crate::manifest::{MANIFEST_SECTION, Manifest};

const WASM_MAGIC: &[u8; 4] = b"\0asm";
/// Version and layer fields of a binary: core modules are version 1, layer 0; components carry
/// the component-model version with layer 1.
const CORE_MODULE_VERSION: [u8; 4] = [0x01, 0x00, 0x00, 0x00];

/// `sha256:<hex>`, the address of an artifact.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A component's bytes, checked to be a component, with its embedded manifest.
pub struct Artifact {
    pub digest: String,
    pub manifest: Manifest,
    /// The raw TOML text, kept for display.
    pub manifest_text: String,
}

/// Checks the header and walks every section (including nested core modules, where a Rust
/// plugin's custom sections end up) to find the manifest. `side_manifest` is a `weft.toml`
/// supplied beside the component, for components built without the SDK.
pub fn inspect(bytes: &[u8], side_manifest: Option<&str>) -> Result<Artifact, PluginError> {
    if bytes.len() < 8 || &bytes[..4] != WASM_MAGIC {
        let what = if bytes.is_empty() { "an empty file".to_string() } else { describe_prefix(bytes) };
        return Err(PluginError::invalid_component(format!(
            "this is not a WebAssembly component ({what}); build the plugin with `weft plugin build` \
             and publish target/wasm32-wasip2/release/<name>.wasm"
        )));
    }
    if bytes[4..8] == CORE_MODULE_VERSION {
        return Err(PluginError::invalid_component(
            "this is a core WebAssembly module, not a component; build for the wasm32-wasip2 target \
             (`weft plugin build`) or wrap it with `wasm-tools component new`",
        ));
    }

    let mut embedded: Option<String> = None;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|err| {
            PluginError::invalid_component(format!(
                "the component is truncated or corrupt ({err}); rebuild it and upload the whole file"
            ))
        })?;
        if let Payload::CustomSection(section) = payload
            && section.name() == MANIFEST_SECTION
        {
            let text = std::str::from_utf8(section.data())
                .map_err(|_| PluginError::invalid_component("the embedded weft-manifest section is not UTF-8 text"))?;
            // Linkers concatenate same-named sections; a plugin has exactly one manifest.
            if embedded.replace(text.to_string()).is_some() {
                return Err(PluginError::invalid_component(
                    "the component carries more than one weft-manifest section; export_step! must appear once",
                ));
            }
        }
    }

    let manifest_text = match (embedded, side_manifest) {
        (Some(embedded), Some(side)) if embedded.trim() != side.trim() => {
            return Err(PluginError::invalid_component(
                "the weft.toml given beside the component differs from the one embedded in it; \
                 rebuild the plugin or drop the separate manifest",
            ));
        }
        (Some(text), _) => text,
        (None, Some(text)) => text.to_string(),
        (None, None) => {
            return Err(PluginError::invalid_component(
                "the component has no weft-manifest section; build it with the weft-plugin SDK \
                 (`weft_plugin::export_step!`) or supply its weft.toml beside it",
            ));
        }
    };
    let manifest = Manifest::parse(&manifest_text).map_err(|err| PluginError::invalid_component(err.to_string()))?;
    Ok(Artifact { digest: digest(bytes), manifest, manifest_text })
}

fn describe_prefix(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(16)];
    if head.iter().all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace()) {
        format!("it starts with the text {:?}", String::from_utf8_lossy(head))
    } else {
        format!("it starts with bytes {}", hex::encode(head))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(err: PluginError) -> String {
        assert_eq!(err.kind(), "invalid-component");
        err.to_string()
    }

    // A text file is named as such.
    #[test]
    fn text_is_not_wasm() {
        let err = inspect(b"#!/bin/sh\necho hi\n", None).err().unwrap();
        assert!(message(err).contains("not a WebAssembly component"));
    }

    // The smallest valid core module is recognised as a module, not a component.
    #[test]
    fn core_module_is_named() {
        let err = inspect(b"\0asm\x01\0\0\0", None).err().unwrap();
        assert!(message(err).contains("core WebAssembly module"));
    }

    // A component header with a cut-off section is reported as truncated.
    #[test]
    fn truncated_component_is_named() {
        let err = inspect(b"\0asm\x0d\0\x01\0\x00\x10weft", None).err().unwrap();
        assert!(message(err).contains("truncated or corrupt"));
    }
}
