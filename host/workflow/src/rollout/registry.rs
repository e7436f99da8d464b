//! The engine's view of active rollouts, and the operations that change them.
//!
//! Every step execution asks "is there a rollout on this step?", so the answer comes from memory,
//! refreshed from the store whenever this process changes a rollout. (Several processes on one
//! PostgreSQL database each refresh on their own changes only: a rollback made through one node
//! reaches the others on their next refresh. Scale-out deployments should route rollout changes
//! to every node, or restart them; noted as a known limit.)

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use weft_store::{NewRollout, Rollout, RolloutMode, RolloutSummary, StickyBy};

use crate::engine::Engine;
use crate::error::EngineError;

/// An active rollout with its candidate parsed once, when the cache is filled, not per step.
pub(crate) struct Active {
    pub rollout: Rollout,
    pub plugin: String,
    pub version: semver::Version,
}

/// Active rollouts by workflow, then step: looked up by `&str` on every step execution, so the
/// lookup allocates nothing.
#[derive(Default)]
pub(crate) struct Rollouts(RwLock<HashMap<String, HashMap<String, Arc<Active>>>>);

impl Rollouts {
    pub(crate) fn get(&self, workflow: &str, step: &str) -> Option<Arc<Active>> {
        let map = self.0.read().unwrap_or_else(|p| p.into_inner());
        map.get(workflow)?.get(step).cloned()
    }

    fn replace(&self, active: Vec<Rollout>) {
        let mut map: HashMap<String, HashMap<String, Arc<Active>>> = HashMap::new();
        for rollout in active {
            // Candidates were checked when the rollout started; one that no longer parses is
            // left out (the step runs its pinned version) rather than failing every execution.
            match parse_candidate(&rollout.candidate) {
                Ok((plugin, version)) => {
                    let steps = map.entry(rollout.workflow.clone()).or_default();
                    steps.insert(rollout.step.clone(), Arc::new(Active { rollout, plugin, version }));
                }
                Err(error) => tracing::warn!(rollout = %rollout.id, %error, "rollout candidate unreadable; ignored"),
            }
        }
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = map;
    }
}

/// What an operator asks for when starting a rollout.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloutRequest {
    pub step: String,
    /// `plugin@version`, a published version of the plugin the step is pinned to.
    pub candidate: String,
    pub mode: RolloutMode,
    /// Canary share of tickets, 0–100 (ignored for shadows, which see every ticket).
    #[serde(default)]
    pub percent: u8,
    #[serde(default = "by_ticket")]
    pub sticky_by: StickyBy,
}

fn by_ticket() -> StickyBy {
    StickyBy::Ticket
}

impl Engine {
    /// Reloads active rollouts from the store.
    pub async fn refresh_rollouts(&self) -> Result<(), EngineError> {
        let active = self.inner.store.active_rollouts().await?;
        self.inner.rollouts.replace(active);
        Ok(())
    }

    /// Starts a canary or shadow of `request.candidate` on a step of the latest version of
    /// `workflow`, after checking the candidate binds with that step's config and grants.
    pub async fn start_rollout(
        &self,
        workflow: &str,
        request: RolloutRequest,
        by: &str,
    ) -> Result<Rollout, EngineError> {
        if request.mode == RolloutMode::Canary && request.percent > 100 {
            return Err(EngineError::Invalid(format!("percent must be 0..=100, not {}", request.percent)));
        }
        let latest =
            self.inner.store.get_workflow_version(workflow, None).await?.ok_or_else(|| {
                EngineError::NotFound(format!("workflow `{workflow}` does not exist; deploy it first"))
            })?;
        let loaded = self.load(workflow, latest.version).await?;
        let step = loaded.resolved.step(&request.step).cloned().ok_or_else(|| {
            let steps: Vec<&str> = loaded.resolved.pins.keys().map(String::as_str).collect();
            EngineError::Invalid(format!(
                "workflow `{workflow}` v{} has no plugin step `{}`; steps with plugins: {}",
                latest.version,
                request.step,
                steps.join(", ")
            ))
        })?;
        let Some((pinned, stable)) = loaded.resolved.pins.get(&step.id) else {
            return Err(EngineError::Invalid(format!(
                "step `{}` is an approval, not a plugin; only plugin steps can be rolled out",
                step.id
            )));
        };
        let (name, version) = parse_candidate(&request.candidate)?;
        if name != *pinned {
            return Err(EngineError::Invalid(format!(
                "step `{}` runs plugin `{pinned}`, so the candidate must be a version of `{pinned}`, not `{name}`",
                step.id
            )));
        }
        if version == *stable {
            return Err(EngineError::Invalid(format!(
                "{name}@{version} is already the step's pinned version; pick another version as the candidate"
            )));
        }
        // Binding checks the candidate exists and accepts the step's config, grants and limits,
        // so a bad candidate fails here and not in the middle of live runs.
        self.deployment_of(&loaded, &step, &name, &version).await.map_err(|e| match e {
            EngineError::Binding(message) => EngineError::Invalid(message),
            other => other,
        })?;
        let percent = if request.mode == RolloutMode::Shadow { 100 } else { request.percent };
        let rollout = self
            .inner
            .store
            .create_rollout(NewRollout {
                workflow: workflow.to_owned(),
                step: step.id.clone(),
                candidate: format!("{name}@{version}"),
                mode: request.mode,
                percent,
                sticky_by: request.sticky_by,
                created_by: by.to_owned(),
            })
            .await?;
        self.refresh_rollouts().await?;
        tracing::info!(rollout = %rollout.id, workflow, step = %rollout.step, candidate = %rollout.candidate, mode = ?rollout.mode, percent, "rollout started");
        Ok(rollout)
    }

    /// Changes a canary's share; takes effect for the next step execution.
    pub async fn set_rollout_percent(&self, id: &str, percent: u8) -> Result<Rollout, EngineError> {
        let rollout = self.inner.store.set_rollout_percent(id, percent).await?;
        self.refresh_rollouts().await?;
        tracing::info!(rollout = %id, percent, "rollout share changed");
        Ok(rollout)
    }

    /// The instant rollback: every execution of the step from now on uses the stable version.
    pub async fn roll_back(&self, id: &str, by: &str) -> Result<Rollout, EngineError> {
        let rollout = self.inner.store.end_rollout(id, by).await?;
        self.refresh_rollouts().await?;
        tracing::info!(rollout = %id, by, "rollout rolled back");
        Ok(rollout)
    }

    pub async fn rollout_summary(&self, id: &str, samples: u64) -> Result<RolloutSummary, EngineError> {
        Ok(self.inner.store.rollout_summary(id, samples).await?)
    }
}

/// `name@1.2.3` → `(name, 1.2.3)`; an exact version, since a rollout pins what it tries.
pub(crate) fn parse_candidate(text: &str) -> Result<(String, semver::Version), EngineError> {
    let (name, version) = text.split_once('@').ok_or_else(|| {
        EngineError::Invalid(format!("candidate `{text}` must be `plugin@version`, e.g. `routing@1.3.0`"))
    })?;
    let version = semver::Version::parse(version).map_err(|e| {
        EngineError::Invalid(format!("candidate `{text}`: `{version}` is not an exact version ({e}); use e.g. 1.3.0"))
    })?;
    Ok((name.to_owned(), version))
}
