//! Contract versioning: a plugin records the `weft:plugin` version it was built against in the
//! names of its imports and exports; the host accepts semver-compatible versions it knows.

use wasmtime::Engine;
use wasmtime::component::Component;

use crate::bindings::{CONTRACT_PACKAGE, CONTRACT_VERSION};
use crate::error::PluginError;

pub(crate) fn check(engine: &Engine, component: &Component) -> Result<semver::Version, PluginError> {
    let host = semver::Version::parse(CONTRACT_VERSION).map_err(|e| PluginError::IncompatibleContract {
        message: format!("host contract version is malformed: {e}"),
    })?;
    let ty = component.component_type();
    let prefix = format!("{CONTRACT_PACKAGE}/");
    let mut exported = None;
    let names: Vec<(String, bool)> = ty
        .exports(engine)
        .map(|(name, _)| (name.to_string(), true))
        .chain(ty.imports(engine).map(|(name, _)| (name.to_string(), false)))
        .collect();
    for (name, is_export) in &names {
        let Some(rest) = name.strip_prefix(&prefix) else { continue };
        let (interface, version) = rest.split_once('@').unwrap_or((rest, ""));
        let version = semver::Version::parse(version).map_err(|_| PluginError::IncompatibleContract {
            message: format!("`{name}` carries no valid contract version; rebuild against weft:plugin@{host}"),
        })?;
        if !compatible(&version, &host) {
            return Err(PluginError::IncompatibleContract {
                message: format!(
                    "the plugin was built for {CONTRACT_PACKAGE}@{version}, but this host implements \
                     {CONTRACT_PACKAGE}@{host}; rebuild it against weft-plugin for {host} (or run a \
                     host that supports {version})"
                ),
            });
        }
        if *is_export && interface == "decider" {
            exported = Some(version);
        }
    }
    exported.ok_or_else(|| {
        let exports: Vec<&str> = names.iter().filter(|(_, e)| *e).map(|(n, _)| n.as_str()).collect();
        PluginError::IncompatibleContract {
            message: format!(
                "the component does not export `{CONTRACT_PACKAGE}/decider`, so it is not a step \
                 plugin (it exports: {}); build it with `weft_plugin::export_step!`",
                if exports.is_empty() { "nothing".to_string() } else { exports.join(", ") }
            ),
        }
    })
}

/// Same major version (same minor for 0.x), and no newer than the host: a newer minor may call
/// functions this host does not have.
fn compatible(plugin: &semver::Version, host: &semver::Version) -> bool {
    let same_line =
        if host.major == 0 { plugin.major == 0 && plugin.minor == host.minor } else { plugin.major == host.major };
    same_line && plugin <= host
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> semver::Version {
        semver::Version::parse(s).unwrap()
    }

    // 0.x contracts are compatible within a minor version, and never newer than the host.
    #[test]
    fn compatibility_rules() {
        assert!(compatible(&v("0.1.0"), &v("0.1.0")));
        assert!(compatible(&v("0.1.0"), &v("0.1.3")));
        assert!(!compatible(&v("0.1.4"), &v("0.1.3")));
        assert!(!compatible(&v("0.2.0"), &v("0.1.0")));
        assert!(!compatible(&v("1.0.0"), &v("0.1.0")));
        assert!(compatible(&v("1.2.0"), &v("1.4.0")));
    }
}
