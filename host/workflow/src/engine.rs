//! The durable executor's front door: start runs, resume them after a restart, wait for one to
//! finish, cancel one. Each run is driven by its own tokio task (`drive.rs`); all state lives in
//! the store, so any task can be lost to a crash and picked up again.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use weft_runtime::model::Ticket;
use weft_runtime::{Deployment, HostServices, Runtime};
use weft_store::{NewRun, RunRecord, Store, WorkflowVersion};

use crate::definition::{Catalog, Resolved, validate};
use crate::error::EngineError;
use crate::state::RunState;

/// Shadows run beside live work: a few at a time is enough to keep up with steady traffic without
/// starving the runs they shadow of cores.
const SHADOW_SLOTS: usize = 4;

/// A deployed workflow version, parsed once, with its steps bound lazily.
pub(crate) struct Loaded {
    pub version: WorkflowVersion,
    pub resolved: Resolved,
    /// By `(step, plugin@version)`: a step under a canary or shadow has two.
    pub deployments: tokio::sync::Mutex<HashMap<(String, String), Arc<Deployment>>>,
}

pub(crate) struct Inner {
    pub store: Store,
    pub runtime: Arc<Runtime>,
    pub services: Arc<dyn HostServices>,
    workflows: Mutex<HashMap<(String, i64), Arc<Loaded>>>,
    watchers: Mutex<HashMap<String, watch::Sender<bool>>>,
    driving: Mutex<HashSet<String>>,
    /// Wakes a run waiting on an approval when a vote arrives.
    pub wakers: Mutex<crate::approval::Wakers>,
    ids: AtomicU64,
    id_salt: u64,
    /// Active canaries and shadows, by workflow and step.
    pub(crate) rollouts: crate::rollout::Rollouts,
    /// Shadow executions in flight at once; more wait their turn off the runs' path.
    pub(crate) shadow_slots: tokio::sync::Semaphore,
}

/// Cheap to clone; every clone drives the same runs.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

impl Engine {
    pub fn new(store: Store, runtime: Arc<Runtime>, services: Arc<dyn HostServices>) -> Self {
        Engine {
            inner: Arc::new(Inner {
                store,
                runtime,
                services,
                workflows: Mutex::default(),
                watchers: Mutex::default(),
                driving: Mutex::default(),
                wakers: Mutex::default(),
                ids: AtomicU64::new(0),
                id_salt: RandomState::new().hash_one(std::process::id()),
                rollouts: Default::default(),
                shadow_slots: tokio::sync::Semaphore::new(SHADOW_SLOTS),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Starts a run of `workflow` for `ticket`, or returns the run already started with the same
    /// idempotency key (`false`).
    pub async fn start(
        &self,
        workflow: &WorkflowVersion,
        ticket: &Ticket,
        idempotency_key: Option<String>,
        started_by: &str,
    ) -> Result<(RunRecord, bool), EngineError> {
        let loaded = self.load(&workflow.name, workflow.version).await?;
        let first = loaded.resolved.order.first().cloned().unwrap_or_default();
        let now = chrono::Utc::now().timestamp_millis();
        let deadline_ms =
            loaded.resolved.definition.timeout.map(|t| now + i64::try_from(t.as_millis()).unwrap_or(i64::MAX / 2));
        let ticket_json = serde_json::to_value(ticket).map_err(|e| EngineError::Corrupt(format!("ticket: {e}")))?;
        let timers = crate::sla::timers_for(&loaded.resolved, now);
        let (run, created) = self
            .inner
            .store
            .create_run(NewRun {
                id: self.new_run_id(now),
                workflow: workflow.name.clone(),
                version: workflow.version,
                ticket_id: ticket.id.clone(),
                ticket: ticket_json,
                idempotency_key,
                state: RunState { started_by: Some(started_by.to_owned()), ..RunState::starting_at(&first) }.to_json(),
                deadline_ms,
                timers,
            })
            .await?;
        if created {
            tracing::info!(run = %run.id, workflow = %run.workflow, version = run.version, ticket = %run.ticket_id, "run started");
            self.spawn(run.id.clone());
        }
        Ok((run, created))
    }

    /// Picks up every run a previous process left unfinished, and applies effects it had decided
    /// but not yet applied. Call once at start-up.
    pub async fn resume(&self) -> Result<usize, EngineError> {
        self.refresh_rollouts().await?;
        let runs = self.inner.store.active_runs().await?;
        for run in &runs {
            self.spawn(run.id.clone());
        }
        // Effects of runs that were cancelled between deciding and applying them.
        loop {
            let pending = self.inner.store.pending_outbox(None, 500).await?;
            if pending.is_empty() {
                break;
            }
            for entry in pending {
                self.inner.store.apply_outbox(&entry.key).await?;
            }
        }
        if !runs.is_empty() {
            tracing::info!(runs = runs.len(), "resumed unfinished runs");
        }
        self.start_timer_loop();
        Ok(runs.len())
    }

    /// Waits up to `timeout` for the run to finish and returns it as it then is.
    pub async fn wait(&self, run_id: &str, timeout: Duration) -> Result<Option<RunRecord>, EngineError> {
        let mut rx = self.subscribe(run_id);
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let run = self.inner.store.get_run(run_id).await?;
            match &run {
                Some(r) if !r.status.is_finished() => {}
                _ => {
                    self.forget_watcher(run_id);
                    return Ok(run);
                }
            }
            if *rx.borrow_and_update() {
                continue;
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => continue,
                // Timed out, or the sender went away: answer with what is stored now.
                _ => {
                    return Ok(self.inner.store.get_run(run_id).await?);
                }
            }
        }
    }

    /// Cancels a run and wakes anyone waiting on it.
    pub async fn cancel(&self, run_id: &str, by: &str) -> Result<RunRecord, EngineError> {
        let run = self.inner.store.cancel_run(run_id, by).await?;
        tracing::info!(run = %run_id, by, "run cancelled");
        self.notify_finished(run_id);
        // A run waiting on an approval notices the cancellation at once.
        if let Some(waker) = self.inner.wakers.lock().unwrap_or_else(|p| p.into_inner()).get(run_id) {
            waker.notify_one();
        }
        Ok(run)
    }

    fn subscribe(&self, run_id: &str) -> watch::Receiver<bool> {
        let mut watchers = self.inner.watchers.lock().unwrap_or_else(|p| p.into_inner());
        watchers.entry(run_id.to_owned()).or_insert_with(|| watch::channel(false).0).subscribe()
    }

    fn forget_watcher(&self, run_id: &str) {
        let mut watchers = self.inner.watchers.lock().unwrap_or_else(|p| p.into_inner());
        if watchers.get(run_id).is_some_and(|tx| tx.receiver_count() <= 1) {
            watchers.remove(run_id);
        }
    }

    pub(crate) fn notify_finished(&self, run_id: &str) {
        let tx = self.inner.watchers.lock().unwrap_or_else(|p| p.into_inner()).remove(run_id);
        if let Some(tx) = tx {
            let _ = tx.send(true);
        }
    }

    /// Drives `run_id` on its own task unless one already does.
    pub(crate) fn spawn(&self, run_id: String) {
        {
            let mut driving = self.inner.driving.lock().unwrap_or_else(|p| p.into_inner());
            if !driving.insert(run_id.clone()) {
                return;
            }
        }
        let engine = self.clone();
        tokio::spawn(async move {
            if let Err(error) = engine.drive(&run_id).await {
                tracing::error!(run = %run_id, %error, error.type = "run_drive_failed", "run stopped on an engine error; it resumes on restart");
            }
            engine.inner.driving.lock().unwrap_or_else(|p| p.into_inner()).remove(&run_id);
            engine.notify_finished(&run_id);
        });
    }

    fn new_run_id(&self, now_ms: i64) -> String {
        let n = self.inner.ids.fetch_add(1, Ordering::Relaxed);
        let salt = RandomState::new().hash_one((self.inner.id_salt, n));
        format!("run-{now_ms:012x}-{:08x}", salt as u32)
    }

    /// The workflow version, parsed and resolved against exactly the plugin versions it pinned.
    pub(crate) async fn load(&self, name: &str, version: i64) -> Result<Arc<Loaded>, EngineError> {
        let key = (name.to_owned(), version);
        if let Some(loaded) = self.inner.workflows.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(loaded.clone());
        }
        let stored = self
            .inner
            .store
            .get_workflow_version(name, Some(version))
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("workflow {name} version {version} does not exist")))?;
        let pins: std::collections::BTreeMap<String, String> = serde_json::from_value(stored.pins.clone())
            .map_err(|e| EngineError::Corrupt(format!("workflow {name} v{version}: pins are unreadable ({e})")))?;
        let mut catalog = Catalog::default();
        for pin in pins.values() {
            let Some((plugin, v)) = pin.split_once('@') else { continue };
            let record = self.inner.store.get_plugin(plugin, v).await?;
            let caps = record
                .and_then(|r| r.manifest.get("capabilities").and_then(|c| serde_json::from_value(c.clone()).ok()))
                .unwrap_or_default();
            if let Ok(v) = semver::Version::parse(v)
                && !catalog.plugins.get(plugin).is_some_and(|e| e.iter().any(|e| e.version == v))
            {
                catalog.add(plugin, v, caps);
            }
        }
        let resolved = validate(&stored.source, &catalog).map_err(|problems| {
            let text: Vec<String> = problems.iter().map(|d| d.render(&format!("{name}@v{version}"))).collect();
            EngineError::Corrupt(format!("stored workflow no longer validates: {}", text.join("; ")))
        })?;
        let loaded = Arc::new(Loaded { version: stored, resolved, deployments: Default::default() });
        self.inner.workflows.lock().unwrap_or_else(|p| p.into_inner()).insert(key, loaded.clone());
        Ok(loaded)
    }

    /// Binds every step of a resolved definition, so a config that does not match a plugin's
    /// schema fails the deploy instead of the first run.
    pub async fn check_bindings(&self, resolved: &Resolved) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        let steps = resolved.definition.steps.iter().map(|s| ("steps", s));
        let all = steps
            .chain(resolved.definition.compensations.iter().map(|s| ("compensations", s)))
            .chain(resolved.definition.escalations.iter().map(|s| ("escalations", s)));
        let mut index = HashMap::<&str, usize>::new();
        for (section, step) in all {
            let i = index.entry(section).or_insert(0);
            let field = format!("{section}[{i}]");
            *i += 1;
            let Some((plugin, version)) = resolved.pins.get(&step.id) else { continue };
            if let Err(e) = crate::bind::bind(
                &self.inner.store,
                &self.inner.runtime,
                &resolved.definition.name,
                step,
                plugin,
                version,
            )
            .await
            {
                problems.push((field, e.to_string()));
            }
        }
        problems
    }
}
