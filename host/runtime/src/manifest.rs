//! The plugin manifest (`weft.toml`), embedded in the component as the `weft-manifest` section.
//!
//! Plain serde types with `deny_unknown_fields`, so a typo is an error rather than a silently
//! ignored key; every field's doc comment doubles as its documentation.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::capability::Capability;
use crate::limits::LimitSettings;

/// Name of the custom section that carries the manifest inside a component.
pub const MANIFEST_SECTION: &str = "weft-manifest";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Manifest {
    /// Lowercase letters, digits and dashes, 1 to 64 characters.
    pub name: String,
    /// Semantic version; `name@version` is immutable once published.
    pub version: semver::Version,
    /// One line an operator reads in the plugin list.
    #[serde(default)]
    pub description: String,
    /// What the plugin may ask to use; operators grant a subset per deployment.
    #[serde(default)]
    pub capabilities: BTreeSet<Capability>,
    /// Limits the plugin needs; a deployment's own limits take precedence.
    #[serde(default)]
    pub limits: LimitSettings,
    /// JSON Schema the deployment's configuration must satisfy.
    #[serde(default)]
    pub config_schema: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("weft.toml is not valid: {0}")]
    Syntax(String),
    #[error("weft.toml: plugin name `{0}` must be 1-64 lowercase letters, digits or dashes")]
    Name(String),
    #[error("weft.toml: `config-schema` is not a valid JSON Schema: {0}")]
    Schema(String),
}

impl Manifest {
    pub fn parse(text: &str) -> Result<Self, ManifestError> {
        let manifest: Manifest = toml::from_str(text).map_err(|err| ManifestError::Syntax(err.to_string()))?;
        let name_ok = !manifest.name.is_empty()
            && manifest.name.len() <= 64
            && manifest.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !name_ok {
            return Err(ManifestError::Name(manifest.name));
        }
        if let Some(schema) = &manifest.config_schema {
            jsonschema::validator_for(schema).map_err(|err| ManifestError::Schema(err.to_string()))?;
        }
        Ok(manifest)
    }

    /// `name@version`, the immutable identity of a published plugin.
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// Validates a deployment configuration against `config-schema`, naming every failing path.
    pub fn check_config(&self, config: &serde_json::Value) -> Result<(), Vec<String>> {
        let Some(schema) = &self.config_schema else { return Ok(()) };
        let validator = jsonschema::validator_for(schema).map_err(|err| vec![err.to_string()])?;
        let errors: Vec<String> = validator
            .iter_errors(config)
            .map(|err| {
                let path = err.instance_path().to_string();
                format!("{}: {err}", if path.is_empty() { "/" } else { &path })
            })
            .collect();
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A typo in a key is an error, not a silently ignored setting.
    #[test]
    fn unknown_keys_are_rejected() {
        let err = Manifest::parse("name = \"a\"\nversion = \"1.0.0\"\ncapabilites = []\n").unwrap_err();
        assert!(err.to_string().contains("capabilites"), "{err}");
    }

    // Capabilities are checked by name when the manifest is read.
    #[test]
    fn unknown_capability_is_rejected() {
        let err = Manifest::parse("name = \"a\"\nversion = \"1.0.0\"\ncapabilities = [\"fs\"]\n").unwrap_err();
        assert!(err.to_string().contains("unknown capability `fs`"), "{err}");
    }

    // The config schema is enforced and names the failing path.
    #[test]
    fn config_is_checked_against_schema() {
        let manifest = Manifest::parse(
            "name = \"router\"\nversion = \"1.2.0\"\n[config-schema]\ntype = \"object\"\nrequired = [\"queues\"]\n\
             [config-schema.properties.queues]\ntype = \"object\"\n",
        )
        .unwrap();
        assert!(manifest.check_config(&serde_json::json!({"queues": {}})).is_ok());
        let errors = manifest.check_config(&serde_json::json!({"queues": 3})).unwrap_err();
        assert!(errors[0].starts_with("/queues"), "{errors:?}");
    }
}
