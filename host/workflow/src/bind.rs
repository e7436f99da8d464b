//! Binds a workflow step to its pinned plugin version: load the component from the registry,
//! deploy it with the step's grants, config and limits. Cached per workflow version and step,
//! since both are immutable.

use std::sync::Arc;

use weft_runtime::{Capability, Deployment, DeploymentSpec, LimitSettings, Runtime};
use weft_store::Store;

use crate::definition::StepDef;
use crate::error::EngineError;

pub async fn bind(
    store: &Store,
    runtime: &Arc<Runtime>,
    workflow: &str,
    step: &StepDef,
    plugin: &str,
    version: &semver::Version,
) -> Result<Deployment, EngineError> {
    let id = format!("{plugin}@{version}");
    let record = store.get_plugin(plugin, &version.to_string()).await?.ok_or_else(|| {
        EngineError::Binding(format!("plugin {id} is pinned by workflow `{workflow}` but is not in the registry"))
    })?;
    let bytes = store.plugin_component(&record.digest).await?.ok_or_else(|| {
        EngineError::Binding(format!("the component of {id} ({}) is missing from the store", record.digest))
    })?;
    let rt = runtime.clone();
    let loaded = tokio::task::spawn_blocking(move || rt.load(&bytes, None))
        .await
        .map_err(|e| EngineError::Binding(format!("loading {id} panicked: {e}")))?
        .map_err(|e| EngineError::Binding(format!("{id} cannot be loaded: {e}")))?;
    let grants: Vec<Capability> = match &step.grants {
        Some(grants) => grants
            .iter()
            .map(|g| g.parse::<Capability>().map_err(|e| EngineError::Binding(format!("step `{}`: {e}", step.id))))
            .collect::<Result<_, _>>()?,
        // Deploying a workflow is an operator's act: by default the operator grants what the
        // plugin declares, and narrows it with `grants:` where needed.
        None => loaded.manifest.capabilities.iter().copied().collect(),
    };
    let limits: LimitSettings = serde_json::from_value(step.limits.clone())
        .map_err(|e| EngineError::Binding(format!("step `{}`: limits are invalid: {e}", step.id)))?;
    let spec = DeploymentSpec { name: format!("{workflow}.{}", step.id), grants, config: step.config.clone(), limits };
    runtime.deploy(loaded, &spec).map_err(|e| EngineError::Binding(format!("step `{}`: {e}", step.id)))
}
