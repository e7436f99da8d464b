//! The roles of the product and where they apply. A grant pairs a role with a scope: `*` for
//! everywhere, or `<kind>:<name>` such as `space:billing` or `stage:expert-review`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Everything, within the grant's scope.
    Admin,
    /// Publishes plugin versions.
    PluginDeveloper,
    /// Deploys plugins, rolls out and back, configures workflows.
    Operator,
    /// Writes knowledge-base articles.
    KbAuthor,
    /// Approves articles at a review stage (usually scoped `stage:<name>`).
    KbReviewer,
    /// Publishes approved articles.
    KbPublisher,
    /// Calls workflow webhooks and the REST API from another system.
    Integrator,
    /// A customer-service agent acting on tickets and approvals.
    Agent,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::PluginDeveloper,
        Role::Operator,
        Role::KbAuthor,
        Role::KbReviewer,
        Role::KbPublisher,
        Role::Integrator,
        Role::Agent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::PluginDeveloper => "plugin-developer",
            Role::Operator => "operator",
            Role::KbAuthor => "kb-author",
            Role::KbReviewer => "kb-reviewer",
            Role::KbPublisher => "kb-publisher",
            Role::Integrator => "integrator",
            Role::Agent => "agent",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown role name; its message lists the valid ones.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {given:?}; valid roles are: {}", valid_roles())]
pub struct ParseRoleError {
    pub given: String,
}

fn valid_roles() -> String {
    Role::ALL.map(Role::as_str).join(", ")
}

impl FromStr for Role {
    type Err = ParseRoleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|role| role.as_str() == s).ok_or_else(|| ParseRoleError { given: s.to_owned() })
    }
}

impl From<ParseRoleError> for StoreError {
    fn from(err: ParseRoleError) -> Self {
        StoreError::Invalid(err.to_string())
    }
}

/// A role held within a scope.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoleGrant {
    pub role: Role,
    /// `*` (everywhere) or `<kind>:<name>`, e.g. `space:billing`.
    pub scope: String,
}

impl RoleGrant {
    pub const GLOBAL: &'static str = "*";

    /// The role everywhere.
    pub fn global(role: Role) -> RoleGrant {
        RoleGrant { role, scope: Self::GLOBAL.to_owned() }
    }

    /// The role within one scope, e.g. `RoleGrant::scoped(Role::KbReviewer, "stage:legal")`.
    pub fn scoped(role: Role, scope: impl Into<String>) -> RoleGrant {
        RoleGrant { role, scope: scope.into() }
    }

    /// Whether this grant gives `role` in `scope`. Admin implies every role; a `*` grant covers
    /// every scope.
    pub fn covers(&self, role: Role, scope: &str) -> bool {
        (self.role == role || self.role == Role::Admin) && (self.scope == Self::GLOBAL || self.scope == scope)
    }

    pub(crate) fn validate(&self) -> Result<(), StoreError> {
        if self.scope == Self::GLOBAL {
            return Ok(());
        }
        let well_formed = self.scope.split_once(':').is_some_and(|(kind, name)| {
            let word = |s: &str| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'))
            };
            word(kind) && word(name)
        });
        if well_formed && self.scope.len() <= 128 {
            Ok(())
        } else {
            Err(StoreError::Invalid(format!(
                "role scope {:?} for {} is not valid: use \"*\" for everywhere or \
                 \"<kind>:<name>\" in lowercase, e.g. \"space:billing\" or \
                 \"stage:expert-review\"",
                self.scope, self.role
            )))
        }
    }
}

impl fmt::Display for RoleGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.role, self.scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip_in_kebab_case() {
        for role in Role::ALL {
            assert_eq!(role.to_string().parse::<Role>(), Ok(role));
            assert_eq!(serde_json::to_value(role).ok(), Some(serde_json::Value::from(role.as_str())));
        }
    }

    #[test]
    fn an_unknown_role_lists_the_valid_ones() {
        let err = "reviewer".parse::<Role>().err().map(|e| e.to_string());
        let msg = err.unwrap_or_default();
        assert!(msg.contains("\"reviewer\""), "{msg}");
        assert!(msg.contains("kb-reviewer"), "{msg}");
        assert!(msg.contains("plugin-developer"), "{msg}");
    }

    #[test]
    fn scopes_are_star_or_kind_colon_name() {
        assert!(RoleGrant::global(Role::Agent).validate().is_ok());
        assert!(RoleGrant::scoped(Role::KbReviewer, "stage:expert-review").validate().is_ok());
        assert!(RoleGrant::scoped(Role::Agent, "billing").validate().is_err());
        assert!(RoleGrant::scoped(Role::Agent, "space:").validate().is_err());
        assert!(RoleGrant::scoped(Role::Agent, "Space:Billing").validate().is_err());
    }
}
