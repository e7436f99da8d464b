//! The compiled-artifact cache: compiled code on disk, keyed by the artifact digest and the
//! engine's compatibility hash, so a restart does not recompile and an upgrade does not load
//! stale code.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

use crate::error::PluginError;

pub(crate) struct CompileCache {
    dir: Option<PathBuf>,
    engine_hash: String,
}

/// Where a component's compiled code came from, reported so operators can see the cache work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompileSource {
    Compiled,
    DiskCache,
}

impl CompileCache {
    pub(crate) fn new(engine: &Engine, dir: Option<PathBuf>) -> Self {
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Self { dir, engine_hash: format!("{:016x}", hasher.finish()) }
    }

    fn path(&self, digest: &str) -> Option<PathBuf> {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        self.dir.as_ref().map(|dir| dir.join(format!("{hex}-{}.cwasm", self.engine_hash)))
    }

    pub(crate) fn load_or_compile(
        &self,
        engine: &Engine,
        digest: &str,
        bytes: &[u8],
    ) -> Result<(Component, CompileSource), PluginError> {
        if let Some(path) = self.path(digest)
            && path.exists()
        {
            // SAFETY: files in the cache directory are written only by `store` below, from code
            // this engine compiled; wasmtime still checks the header and engine compatibility.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok((component, CompileSource::DiskCache)),
                Err(err) => {
                    tracing::warn!(path = %path.display(), error = %err, "discarding unusable compiled artifact")
                }
            }
        }
        let component = Component::new(engine, bytes).map_err(|err| {
            PluginError::invalid_component(format!(
                "the component does not compile: {err:#}; rebuild it with `weft plugin build`"
            ))
        })?;
        if let Some(path) = self.path(digest) {
            self.store(&component, &path);
        }
        Ok((component, CompileSource::Compiled))
    }

    /// Best effort: a cache that cannot be written only costs a recompile on the next start.
    fn store(&self, component: &Component, path: &Path) {
        let result = component.serialize().map_err(|e| e.to_string()).and_then(|bytes| {
            let tmp = path.with_extension(format!("tmp{}", std::process::id()));
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            }
            std::fs::write(&tmp, bytes).map_err(|e| e.to_string())?;
            std::fs::rename(&tmp, path).map_err(|e| e.to_string())
        });
        if let Err(error) = result {
            tracing::warn!(path = %path.display(), %error, "could not write the compiled-artifact cache");
        }
    }
}
