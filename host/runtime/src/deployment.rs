//! A deployment: one plugin version with the grants, configuration and limits an operator chose.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::capability::{Capability, Grants, UndeclaredGrant};
use crate::limits::{LimitError, LimitSettings, Limits};
use crate::runtime::{LoadedPlugin, Runtime};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentSpec {
    pub name: String,
    #[serde(default)]
    pub grants: Vec<Capability>,
    #[serde(default = "empty_object")]
    pub config: serde_json::Value,
    #[serde(default)]
    pub limits: LimitSettings,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeployError {
    #[error(transparent)]
    UndeclaredGrant(#[from] UndeclaredGrant),
    #[error("deployment `{deployment}`: {source}")]
    Limit { deployment: String, source: LimitError },
    #[error(
        "deployment `{deployment}`: the configuration does not match plugin `{plugin}`'s config schema: {}",
        errors.join("; ")
    )]
    Config { deployment: String, plugin: String, errors: Vec<String> },
}

pub struct Deployment {
    pub name: String,
    pub plugin: Arc<LoadedPlugin>,
    pub limits: Limits,
    pub(crate) grants: Arc<Grants>,
    pub(crate) config: Arc<str>,
    /// Key-value state belongs to the plugin (by name), shared by its versions and deployments.
    pub(crate) kv_scope: Arc<str>,
}

impl Deployment {
    pub fn grants(&self) -> &Grants {
        &self.grants
    }
}

impl Runtime {
    /// Validates grants against the manifest, configuration against its schema and limits
    /// against the host maximum, then binds them to the plugin.
    pub fn deploy(&self, plugin: Arc<LoadedPlugin>, spec: &DeploymentSpec) -> Result<Deployment, DeployError> {
        let manifest = &plugin.manifest;
        let grants = Grants::new(&spec.name, &manifest.id(), &manifest.capabilities, spec.grants.iter().copied())?;
        let max = &self.config.max_limits;
        let limit_error = |source| DeployError::Limit { deployment: spec.name.clone(), source };
        let limits = self
            .config
            .default_limits
            .with(&manifest.limits, max)
            .and_then(|l| l.with(&spec.limits, max))
            .map_err(limit_error)?;
        manifest.check_config(&spec.config).map_err(|errors| DeployError::Config {
            deployment: spec.name.clone(),
            plugin: manifest.id(),
            errors,
        })?;
        Ok(Deployment {
            name: spec.name.clone(),
            limits,
            grants: Arc::new(grants),
            config: spec.config.to_string().into(),
            kv_scope: manifest.name.clone().into(),
            plugin,
        })
    }
}
