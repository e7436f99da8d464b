//! Who is calling, and what they may do: the user with their role grants, narrowed by the token's
//! scopes when they came in with an API token.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::roles::{Role, RoleGrant};
use crate::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UserKind {
    /// A person: signs in with a password and gets a browser session.
    Human,
    /// Another system (a helpdesk, a CI job): has no password, authenticates with API tokens.
    Service,
}

impl UserKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UserKind::Human => "human",
            UserKind::Service => "service",
        }
    }
}

impl fmt::Display for UserKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UserKind {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "human" => Ok(UserKind::Human),
            "service" => Ok(UserKind::Service),
            other => Err(StoreError::Invalid(format!("unknown user kind {other:?}; use \"human\" or \"service\""))),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub kind: UserKind,
    pub roles: Vec<RoleGrant>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Principal {
    pub user: User,
    /// The token's scopes when authenticated with an API token; `None` for sessions and
    /// passwords, which carry the user's full rights.
    pub token_scopes: Option<Vec<String>>,
}

impl Principal {
    /// Whether the user holds `role` in `scope`. Admin implies every role, and a grant with
    /// scope `*` matches any scope. A disabled user holds nothing.
    pub fn has_role(&self, role: Role, scope: &str) -> bool {
        !self.user.disabled && self.user.roles.iter().any(|g| g.covers(role, scope))
    }

    /// Whether the credential used allows `scope` (e.g. `workflows:inbound-ticket`). A token
    /// allows exactly its scopes, everything for `*`, and every `<kind>:…` for `<kind>:*`.
    /// Roles are checked separately: a token never grants more than its user has.
    pub fn token_allows(&self, scope: &str) -> bool {
        match &self.token_scopes {
            None => true,
            Some(scopes) => scopes.iter().any(|granted| scope_matches(granted, scope)),
        }
    }
}

fn scope_matches(granted: &str, wanted: &str) -> bool {
    if granted == "*" || granted == wanted {
        return true;
    }
    match (granted.strip_suffix(":*"), wanted.split_once(':')) {
        (Some(granted_kind), Some((wanted_kind, _))) => granted_kind == wanted_kind,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_scope_wildcards_cover_one_kind_or_everything() {
        assert!(scope_matches("*", "actions:plugin.publish"));
        assert!(scope_matches("workflows:*", "workflows:inbound-ticket"));
        assert!(!scope_matches("workflows:*", "spaces:billing"));
        assert!(scope_matches("spaces:billing", "spaces:billing"));
        assert!(!scope_matches("spaces:billing", "spaces:billing-eu"));
        assert!(!scope_matches("spaces:billing", "spaces:*"));
    }
}
