//! Capabilities: what a plugin declares in its manifest and an operator grants per deployment.
//!
//! Both levels are checked, the way Zed's capability granter does it: a plugin can only be granted
//! what it declared, and at run time it can only use what was granted. A denial is a sentence that
//! names the capability and how to grant it.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! capabilities {
    ($($variant:ident = $name:literal, $doc:literal;)*) => {
        /// A named permission a plugin can ask for.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Capability {
            $(#[doc = $doc] $variant,)*
        }

        impl Capability {
            pub const ALL: &'static [Capability] = &[$(Capability::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Capability::$variant => $name,)* }
            }

            pub fn describe(self) -> &'static str {
                match self { $(Capability::$variant => $doc,)* }
            }
        }

        impl FromStr for Capability {
            type Err = UnknownCapability;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok(Capability::$variant),)*
                    other => Err(UnknownCapability(other.to_string())),
                }
            }
        }
    };
}

capabilities! {
    Kv = "kv", "Read and write the plugin's own key-value state.";
    KbRead = "kb.read", "Search published knowledge-base articles.";
    AgentsRead = "agents.read", "Read the agent and queue directory.";
    CreditsRead = "credits.read", "Read a customer's compensation history.";
    PiiRaw = "pii.raw", "See customer names, emails and phone numbers unmasked.";
    EffectAssign = "effect.assign", "Assign tickets to queues and agents.";
    EffectEscalate = "effect.escalate", "Escalate tickets.";
    EffectNotify = "effect.notify", "Send notifications.";
    EffectCredit = "effect.credit", "Issue credits and vouchers.";
    EffectRedact = "effect.redact", "Redact ticket text.";
    EffectTag = "effect.tag", "Add and remove ticket tags.";
    EffectRequestApproval = "effect.request-approval", "Pause a run for human approval.";
    EffectSetField = "effect.set-field", "Set ticket fields.";
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown capability `{name}`; known capabilities: {known}", name = .0, known = known_list())]
pub struct UnknownCapability(pub String);

fn known_list() -> String {
    Capability::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Capability {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Capability {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A refused use of a capability, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Denial {
    pub capability: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "deployment `{deployment}` cannot be granted `{capability}`: plugin `{plugin}` does not declare it; \
     add \"{capability}\" to `capabilities` in its weft.toml and publish a new version"
)]
pub struct UndeclaredGrant {
    pub deployment: String,
    pub plugin: String,
    pub capability: Capability,
}

/// What one deployment of one plugin may do.
#[derive(Debug, Clone)]
pub struct Grants {
    deployment: String,
    plugin: String,
    declared: BTreeSet<Capability>,
    granted: BTreeSet<Capability>,
}

impl Grants {
    /// Grants must be a subset of what the plugin declared.
    pub fn new(
        deployment: &str,
        plugin: &str,
        declared: &BTreeSet<Capability>,
        granted: impl IntoIterator<Item = Capability>,
    ) -> Result<Self, UndeclaredGrant> {
        let granted: BTreeSet<_> = granted.into_iter().collect();
        if let Some(&capability) = granted.difference(declared).next() {
            return Err(UndeclaredGrant { deployment: deployment.to_string(), plugin: plugin.to_string(), capability });
        }
        Ok(Self { deployment: deployment.to_string(), plugin: plugin.to_string(), declared: declared.clone(), granted })
    }

    pub fn granted(&self) -> &BTreeSet<Capability> {
        &self.granted
    }

    pub fn allows(&self, capability: Capability) -> bool {
        self.granted.contains(&capability)
    }

    pub fn check(&self, capability: Capability) -> Result<(), Denial> {
        if self.allows(capability) {
            return Ok(());
        }
        let message = if self.declared.contains(&capability) {
            format!(
                "capability `{capability}` is not granted to deployment `{}`; grant it with \
                 `weft deployment grant {} {capability}`",
                self.deployment, self.deployment
            )
        } else {
            format!(
                "capability `{capability}` is not declared by plugin `{}`; add \"{capability}\" to \
                 `capabilities` in its weft.toml, publish a new version and grant it to deployment `{}`",
                self.plugin, self.deployment
            )
        };
        Err(Denial { capability: capability.as_str().to_string(), message })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(caps: &[Capability]) -> BTreeSet<Capability> {
        caps.iter().copied().collect()
    }

    // A grant the plugin never declared is refused when the deployment is configured.
    #[test]
    fn grants_must_be_declared() {
        let err = Grants::new("d", "p@1.0.0", &declared(&[Capability::Kv]), [Capability::EffectCredit]).unwrap_err();
        assert_eq!(err.capability, Capability::EffectCredit);
        assert!(err.to_string().contains("does not declare"), "{err}");
    }

    // Declared but not granted: the denial says how to grant it.
    #[test]
    fn denial_names_the_grant_command() {
        let grants = Grants::new("inbound", "p@1.0.0", &declared(&[Capability::Kv]), []).unwrap();
        let denial = grants.check(Capability::Kv).unwrap_err();
        assert_eq!(denial.capability, "kv");
        assert!(denial.message.contains("weft deployment grant inbound kv"), "{}", denial.message);
    }

    // Not even declared: the denial says to declare it in weft.toml.
    #[test]
    fn undeclared_use_points_at_the_manifest() {
        let grants = Grants::new("inbound", "p@1.0.0", &declared(&[]), []).unwrap();
        let denial = grants.check(Capability::KbRead).unwrap_err();
        assert!(denial.message.contains("weft.toml"), "{}", denial.message);
    }

    // Unknown names are rejected with the list of valid ones.
    #[test]
    fn unknown_capability_lists_known_ones() {
        let err = "kv.write".parse::<Capability>().unwrap_err();
        assert!(err.to_string().contains("effect.assign"), "{err}");
    }
}
