//! Who may do what in a space. Roles come from two places: space membership (`kb_members`) and
//! the user's identity grants (`kb-*` roles granted everywhere or for `space:<id>`; admin implies
//! all). A member role `kb-reviewer:<stage>` limits a reviewer to that stage.

use std::collections::BTreeSet;

use weft_store::kb::Stage;
use weft_store::{Principal, Role, Store};

use crate::KbError;

#[derive(Clone, Debug, Default)]
pub struct Access {
    pub username: String,
    pub admin: bool,
    pub roles: BTreeSet<String>,
}

impl Access {
    pub async fn of(store: &Store, principal: &Principal, space: &str) -> Result<Access, KbError> {
        let username = principal.user.username.clone();
        let scope = format!("space:{space}");
        let admin = principal.has_role(Role::Admin, &scope);
        let mut roles: BTreeSet<String> = store.kb_member_roles(space, &username).await?.into_iter().collect();
        for role in [Role::KbAuthor, Role::KbReviewer, Role::KbPublisher] {
            if principal.has_role(role, &scope) {
                roles.insert(role.as_str().to_owned());
            }
        }
        Ok(Access { username, admin, roles })
    }

    pub fn can_read(&self) -> bool {
        self.admin || !self.roles.is_empty()
    }

    pub fn can_edit(&self) -> bool {
        self.admin || self.roles.contains("kb-author")
    }

    pub fn can_publish(&self) -> bool {
        self.admin || self.roles.contains("kb-publisher")
    }

    pub fn can_approve(&self, stage: &Stage) -> bool {
        self.admin
            || stage.roles.iter().any(|r| self.roles.contains(r) || self.roles.contains(&format!("{r}:{}", stage.name)))
    }

    /// The roles to show the user (`my_roles`).
    pub fn listed(&self) -> Vec<String> {
        let mut out: Vec<String> = self.roles.iter().cloned().collect();
        if self.admin {
            out.insert(0, "admin".into());
        }
        out
    }

    pub fn require_read(&self, space: &str) -> Result<(), KbError> {
        if self.can_read() {
            Ok(())
        } else {
            Err(KbError::Forbidden(format!(
                "{} has no role in space {space}; an admin can add them with PUT /v1/kb/spaces/{space}/members/{}",
                self.username, self.username
            )))
        }
    }
}
