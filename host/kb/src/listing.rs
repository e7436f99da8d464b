//! Spaces and article lists as users see them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use weft_store::Principal;
use weft_store::kb::Stage;

use crate::access::Access;
use crate::{Kb, KbError};

/// Articles whose verification ends within this many days show under `expiring`.
pub const EXPIRING_WITHIN_DAYS: i64 = 14;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SpaceView {
    pub id: String,
    pub name: String,
    pub my_roles: Vec<String>,
    pub stages: Vec<Stage>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ArticleSummary {
    pub id: String,
    pub space: String,
    pub title: String,
    pub stage: String,
    pub author: String,
    pub last_editor: String,
    pub updated_at: DateTime<Utc>,
    pub verification_expires_at: Option<DateTime<Utc>>,
    pub flagged: bool,
    pub flag_reason: Option<String>,
}

/// `filter=` of the article list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    All,
    Mine,
    Review,
    Expiring,
}

impl std::str::FromStr for Filter {
    type Err = KbError;
    fn from_str(s: &str) -> Result<Self, KbError> {
        match s {
            "all" | "" => Ok(Filter::All),
            "mine" => Ok(Filter::Mine),
            "review" => Ok(Filter::Review),
            "expiring" => Ok(Filter::Expiring),
            other => Err(KbError::Invalid(format!("filter {other:?} is not one of all, mine, review, expiring"))),
        }
    }
}

impl Kb {
    pub async fn spaces(&self, principal: &Principal) -> Result<Vec<SpaceView>, KbError> {
        let mut out = Vec::new();
        for space in self.store.kb_spaces().await? {
            let access = Access::of(&self.store, principal, &space.id).await?;
            if !access.can_read() {
                continue;
            }
            let stages: Vec<Stage> = serde_json::from_value(space.stages).unwrap_or_default();
            out.push(SpaceView { id: space.id, name: space.name, my_roles: access.listed(), stages });
        }
        Ok(out)
    }

    pub async fn create_space(
        &self,
        id: &str,
        name: &str,
        stages: Option<Vec<Stage>>,
        actor: &str,
    ) -> Result<SpaceView, KbError> {
        let stages = stages.unwrap_or_else(crate::review::default_stages);
        for (i, stage) in stages.iter().enumerate() {
            if matches!(stage.name.as_str(), "draft" | "approved" | "published") {
                return Err(KbError::Invalid(format!("stage name {:?} is reserved; choose another", stage.name)));
            }
            if stage.roles.is_empty() || stage.approvals_required == 0 {
                return Err(KbError::Invalid(format!(
                    "stage {:?} needs at least one role and approvals_required >= 1",
                    stage.name
                )));
            }
            if stages[..i].iter().any(|s| s.name == stage.name) {
                return Err(KbError::Invalid(format!("stage {:?} appears twice", stage.name)));
            }
        }
        let space = self.store.kb_create_space(id, name, &stages).await?;
        self.audit(actor, "kb.space.create", id, serde_json::json!({"stages": stages})).await;
        Ok(SpaceView { id: space.id, name: space.name, my_roles: vec!["admin".into()], stages })
    }

    pub async fn set_member(&self, space: &str, username: &str, roles: &[String], actor: &str) -> Result<(), KbError> {
        self.stages_of(space).await?;
        if self.store.get_user(username).await?.is_none() {
            return Err(KbError::NotFound(format!("user {username} does not exist; create it with `weft user add`")));
        }
        for role in roles {
            let base = role.split(':').next().unwrap_or_default();
            if !matches!(base, "kb-author" | "kb-reviewer" | "kb-publisher" | "kb-reader") {
                return Err(KbError::Invalid(format!(
                    "role {role:?} is not a space role; use kb-author, kb-reviewer, kb-reviewer:<stage>, kb-publisher or kb-reader"
                )));
            }
        }
        self.store.kb_set_member(space, username, roles).await?;
        self.audit(actor, "kb.member.set", &format!("{space}/{username}"), serde_json::json!({"roles": roles})).await;
        Ok(())
    }

    pub async fn list_articles(
        &self,
        space: &str,
        principal: &Principal,
        filter: Filter,
    ) -> Result<Vec<ArticleSummary>, KbError> {
        let stages = self.stages_of(space).await?;
        let access = Access::of(&self.store, principal, space).await?;
        access.require_read(space)?;
        let mut articles = self.store.kb_articles(space).await?;
        self.flag_lapsed(&mut articles).await?;
        let soon = Utc::now() + chrono::Duration::days(EXPIRING_WITHIN_DAYS);
        let mut out = Vec::new();
        for a in articles {
            let keep = match filter {
                Filter::All => true,
                Filter::Mine => a.author == access.username && a.stage == "draft",
                Filter::Expiring => a.verification_expires_at.is_some_and(|t| t <= soon),
                Filter::Review => match stages.iter().find(|s| s.name == a.stage) {
                    Some(stage) if access.can_approve(stage) && a.author != access.username => {
                        let approvals = self.store.kb_approvals(&a.id).await?;
                        !approvals.iter().any(|x| x.stage == stage.name && x.username == access.username)
                    }
                    _ => false,
                },
            };
            if keep {
                out.push(ArticleSummary {
                    id: a.id,
                    space: a.space,
                    title: a.title,
                    stage: a.stage,
                    author: a.author,
                    last_editor: a.last_editor,
                    updated_at: a.updated_at,
                    verification_expires_at: a.verification_expires_at,
                    flagged: a.flagged,
                    flag_reason: a.flag_reason,
                });
            }
        }
        Ok(out)
    }
}
