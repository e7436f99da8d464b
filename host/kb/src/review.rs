//! Articles as users see them over REST, and the review pipeline: draft → each configured review
//! stage → approved → published. Approvals bind to the content hash; an edit afterwards sends
//! the article back (see `weft_store::kb::ArticleChange`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use weft_store::kb::{KbApproval, KbArticle, NewArticle, Stage, Transition};
use weft_store::{AuditEvent, Principal};

use crate::access::Access;
use crate::doc::{self, Content};
use crate::{Kb, KbError};

/// The default pipeline: expert review, then verification, each needing one reviewer who is not
/// the author.
pub fn default_stages() -> Vec<Stage> {
    vec![
        Stage { name: "expert-review".into(), roles: vec!["kb-reviewer".into()], approvals_required: 1 },
        Stage { name: "verification".into(), roles: vec!["kb-reviewer".into()], approvals_required: 1 },
    ]
}

/// How long a published article counts as verified before it is flagged for re-review.
pub const VERIFICATION_PERIOD_DAYS: i64 = 180;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ApprovalView {
    pub user: String,
    pub content_hash: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StageView {
    pub name: String,
    pub roles: Vec<String>,
    pub approvals_required: u32,
    pub approvals: Vec<ApprovalView>,
    /// `done`, `current` or `pending`.
    pub state: &'static str,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Permission {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Permission {
    fn check(ok: bool, reason: impl FnOnce() -> String) -> Permission {
        Permission { ok, reason: if ok { None } else { Some(reason()) } }
    }

    fn into_result(self) -> Result<(), KbError> {
        match self.reason {
            None => Ok(()),
            Some(reason) => Err(KbError::Forbidden(reason)),
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Allowed {
    pub submit: Permission,
    pub approve: Permission,
    pub request_changes: Permission,
    pub publish: Permission,
    pub edit: Permission,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ArticleView {
    pub id: String,
    pub space: String,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub stage: String,
    pub author: String,
    pub last_editor: String,
    pub content_hash: String,
    pub published_version: Option<i32>,
    pub verification_expires_at: Option<DateTime<Utc>>,
    pub flagged: bool,
    pub flag_reason: Option<String>,
    pub stages: Vec<StageView>,
    pub allowed: Allowed,
}

/// Everything a review decision needs, read once.
struct Ctx {
    article: KbArticle,
    stages: Vec<Stage>,
    approvals: Vec<KbApproval>,
    access: Access,
}

impl Ctx {
    fn stage_index(&self) -> Option<usize> {
        self.stages.iter().position(|s| s.name == self.article.stage)
    }

    fn allowed(&self) -> Allowed {
        let a = &self.article;
        let who = &self.access.username;
        let current = self.stage_index().map(|i| &self.stages[i]);
        let submit = Permission::check(self.access.can_edit() && a.stage == "draft", || {
            if a.stage != "draft" {
                format!("only a draft can be submitted; this article is at stage {}", a.stage)
            } else {
                format!("{who} cannot submit: it needs the kb-author role in space {}", a.space)
            }
        });
        let approve = match current {
            None => Permission::check(false, || {
                format!("there is nothing to approve: the article is at stage {}, not in review", a.stage)
            }),
            Some(stage) if *who == a.author => Permission::check(false, || {
                format!("{who} wrote this article and cannot approve it; another {} must", stage.roles.join(" or "))
            }),
            Some(stage) if !self.access.can_approve(stage) => Permission::check(false, || {
                format!(
                    "{who} may not approve at stage {}: it needs the role {} in space {}",
                    stage.name,
                    stage.roles.join(" or "),
                    a.space
                )
            }),
            Some(stage) if self.approvals.iter().any(|x| x.stage == stage.name && x.username == *who) => {
                Permission::check(false, || format!("{who} has already approved stage {}", stage.name))
            }
            Some(_) => Permission::check(true, String::new),
        };
        let reviewer_here = match current {
            Some(stage) => self.access.can_approve(stage),
            None => a.stage == "approved" && self.stages.iter().any(|s| self.access.can_approve(s)),
        };
        let request_changes = Permission::check(reviewer_here, || {
            if current.is_none() && a.stage != "approved" {
                format!("changes can be requested only during review; the article is at stage {}", a.stage)
            } else {
                format!("{who} is not a reviewer of stage {}", a.stage)
            }
        });
        let publish = Permission::check(a.stage == "approved" && self.access.can_publish(), || {
            if a.stage != "approved" {
                let waiting = current
                    .map(|s| {
                        let have = self.approvals.iter().filter(|x| x.stage == s.name).count();
                        format!("; stage {} has {have} of {} approvals", s.name, s.approvals_required)
                    })
                    .unwrap_or_default();
                format!("publishing needs every review stage approved; the article is at stage {}{waiting}", a.stage)
            } else {
                format!("{who} may not publish: it needs the kb-publisher role in space {}", a.space)
            }
        });
        let edit = Permission::check(self.access.can_edit(), || {
            format!("{who} may read but not edit: editing needs the kb-author role in space {}", a.space)
        });
        Allowed { submit, approve, request_changes, publish, edit }
    }

    fn stage_views(&self) -> Vec<StageView> {
        let current = self.stage_index();
        let all_done = matches!(self.article.stage.as_str(), "approved" | "published");
        self.stages
            .iter()
            .enumerate()
            .map(|(i, s)| StageView {
                name: s.name.clone(),
                roles: s.roles.clone(),
                approvals_required: s.approvals_required,
                approvals: self
                    .approvals
                    .iter()
                    .filter(|x| x.stage == s.name)
                    .map(|x| ApprovalView { user: x.username.clone(), content_hash: x.content_hash.clone(), at: x.at })
                    .collect(),
                state: if all_done || current.is_some_and(|c| i < c) {
                    "done"
                } else if current == Some(i) {
                    "current"
                } else {
                    "pending"
                },
            })
            .collect()
    }

    fn transition(&self, to: &str, note: impl Into<String>) -> Transition {
        Transition {
            from: self.article.stage.clone(),
            to: to.to_owned(),
            actor: self.access.username.clone(),
            note: note.into(),
        }
    }

    /// The stage after the current one, or `approved` after the last.
    fn next_stage(&self) -> String {
        match self.stage_index() {
            Some(i) if i + 1 < self.stages.len() => self.stages[i + 1].name.clone(),
            _ => "approved".into(),
        }
    }
}

fn hash_mismatch(given: &str, current: &str) -> KbError {
    KbError::Conflict(format!(
        "the content changed since you reviewed it (you saw {given}, it is now {current}); reload the article, \
         review the changes and try again"
    ))
}

impl Kb {
    pub(crate) async fn article_row(&self, id: &str) -> Result<KbArticle, KbError> {
        self.store.kb_article(id).await?.ok_or_else(|| {
            KbError::NotFound(format!(
                "article {id} does not exist; list articles with GET /v1/kb/spaces/{{space}}/articles"
            ))
        })
    }

    pub(crate) async fn stages_of(&self, space: &str) -> Result<Vec<Stage>, KbError> {
        let row = self
            .store
            .kb_space(space)
            .await?
            .ok_or_else(|| KbError::NotFound(format!("space {space} does not exist; see GET /v1/kb/spaces")))?;
        serde_json::from_value(row.stages)
            .map_err(|e| KbError::Corrupt { article: format!("(space {space})"), what: format!("stages: {e}") })
    }

    async fn ctx(&self, id: &str, principal: &Principal) -> Result<Ctx, KbError> {
        let (article, access) = self.readable(id, principal).await?;
        let stages = self.stages_of(&article.space).await?;
        let approvals = self.store.kb_approvals(id).await?;
        Ok(Ctx { article, stages, approvals, access })
    }

    /// The current content: from the live room if one is open, else rebuilt from the store.
    pub async fn content(&self, id: &str) -> Result<Content, KbError> {
        let room = self.hold(id).await?;
        let content = room.content();
        self.release(room).await;
        Ok(content)
    }

    pub async fn article(&self, id: &str, principal: &Principal) -> Result<ArticleView, KbError> {
        let ctx = self.ctx(id, principal).await?;
        let content = self.content(id).await?;
        Ok(self.view(ctx, content))
    }

    fn view(&self, ctx: Ctx, content: Content) -> ArticleView {
        let stages = ctx.stage_views();
        let allowed = ctx.allowed();
        let a = ctx.article;
        ArticleView {
            id: a.id,
            space: a.space,
            title: content.title,
            body: content.body,
            tags: content.tags,
            stage: a.stage,
            author: a.author,
            last_editor: a.last_editor,
            content_hash: a.content_hash,
            published_version: a.published_version,
            verification_expires_at: a.verification_expires_at,
            flagged: a.flagged,
            flag_reason: a.flag_reason,
            stages,
            allowed,
        }
    }

    pub async fn create_article(
        &self,
        space: &str,
        principal: &Principal,
        content: Content,
    ) -> Result<ArticleView, KbError> {
        self.stages_of(space).await?;
        let access = Access::of(&self.store, principal, space).await?;
        if !access.can_edit() {
            return Err(KbError::Forbidden(format!(
                "{} may not write articles in space {space}: it needs the kb-author role there",
                access.username
            )));
        }
        if content.title.trim().is_empty() {
            return Err(KbError::Invalid("an article needs a title; send {\"title\": \"...\"}".into()));
        }
        let mut raw = [0u8; 8];
        getrandom::fill(&mut raw).map_err(|e| KbError::Unavailable(format!("no OS randomness for an id: {e}")))?;
        let id = format!("a-{}", hex::encode(raw));
        let d = doc::new_doc();
        let initial_update = {
            use yrs::Transact;
            let mut txn = d.transact_mut();
            doc::write_content_txn(&mut txn, &content);
            txn.encode_update_v1()
        };
        self.store
            .kb_create_article(NewArticle {
                id: id.clone(),
                space: space.to_owned(),
                title: content.title.clone(),
                tags: content.tags.clone(),
                author: access.username.clone(),
                content_hash: content.hash(),
                verification_expires_at: None,
                initial_update,
            })
            .await?;
        self.audit(&access.username, "kb.article.create", &id, serde_json::json!({"space": space})).await;
        self.article(&id, principal).await
    }

    pub async fn submit(&self, id: &str, principal: &Principal) -> Result<ArticleView, KbError> {
        let ctx = self.ctx(id, principal).await?;
        ctx.allowed().submit.into_result()?;
        let to = ctx.stages.first().map(|s| s.name.clone()).unwrap_or_else(|| "approved".into());
        let t = ctx.transition(&to, "submitted for review");
        self.store.kb_transition(id, &t, &ctx.article.content_hash, true).await?;
        self.audit(&t.actor, "kb.article.submit", id, serde_json::json!({"to": to})).await;
        self.article(id, principal).await
    }

    pub async fn approve(&self, id: &str, principal: &Principal, content_hash: &str) -> Result<ArticleView, KbError> {
        let ctx = self.ctx(id, principal).await?;
        ctx.allowed().approve.into_result()?;
        if content_hash != ctx.article.content_hash {
            return Err(hash_mismatch(content_hash, &ctx.article.content_hash));
        }
        let Some(index) = ctx.stage_index() else {
            return Err(KbError::Conflict(format!("article {id} is not in review")));
        };
        let stage = &ctx.stages[index];
        self.store.kb_add_approval(id, &stage.name, &ctx.access.username, content_hash).await?;
        self.audit(
            &ctx.access.username,
            "kb.article.approve",
            id,
            serde_json::json!({"stage": stage.name, "content_hash": content_hash}),
        )
        .await;
        let have = ctx.approvals.iter().filter(|x| x.stage == stage.name).count() as u32 + 1;
        if have >= stage.approvals_required {
            let to = ctx.next_stage();
            let t =
                ctx.transition(&to, format!("stage {} approved ({have} of {})", stage.name, stage.approvals_required));
            self.store.kb_transition(id, &t, content_hash, false).await?;
        }
        self.article(id, principal).await
    }

    pub async fn request_changes(
        &self,
        id: &str,
        principal: &Principal,
        comment: &str,
    ) -> Result<ArticleView, KbError> {
        let ctx = self.ctx(id, principal).await?;
        ctx.allowed().request_changes.into_result()?;
        if comment.trim().is_empty() {
            return Err(KbError::Invalid("say what should change: send {\"comment\": \"...\"}".into()));
        }
        let t = ctx.transition("draft", comment);
        self.store.kb_transition(id, &t, &ctx.article.content_hash, true).await?;
        self.store
            .kb_add_comment(weft_store::kb::NewComment {
                article_id: id.to_owned(),
                author: t.actor.clone(),
                body: comment.to_owned(),
                anchor: None,
                quote: None,
                parent: None,
            })
            .await?;
        self.audit(&t.actor, "kb.article.request_changes", id, serde_json::json!({"from": t.from})).await;
        self.article(id, principal).await
    }

    /// Publishes the approved content as the next immutable version.
    pub async fn publish(
        &self,
        id: &str,
        principal: &Principal,
        content_hash: &str,
    ) -> Result<weft_store::kb::KbVersion, KbError> {
        let ctx = self.ctx(id, principal).await?;
        let allowed = ctx.allowed().publish;
        if ctx.article.stage != "approved" {
            // Not a permission problem: the article is not ready yet.
            return Err(KbError::Conflict(allowed.reason.unwrap_or_default()));
        }
        allowed.into_result()?;
        if content_hash != ctx.article.content_hash {
            return Err(hash_mismatch(content_hash, &ctx.article.content_hash));
        }
        let content = self.content(id).await?;
        if content.hash() != content_hash {
            return Err(hash_mismatch(content_hash, &content.hash()));
        }
        let t = ctx.transition("published", "published");
        let version = self
            .store
            .kb_publish(weft_store::kb::NewVersion {
                article_id: id.to_owned(),
                space: ctx.article.space.clone(),
                title: content.title,
                body: content.body,
                tags: content.tags,
                content_hash: content_hash.to_owned(),
                published_by: t.actor.clone(),
                transition: t.clone(),
            })
            .await?;
        // Searchable before the publisher gets the answer (commit + reader reload, a few ms).
        self.index_published(&version).await;
        let expires = version.published_at + chrono::Duration::days(VERIFICATION_PERIOD_DAYS);
        self.store.kb_set_verification_expiry(id, Some(expires)).await?;
        self.audit(
            &t.actor,
            "kb.article.publish",
            id,
            serde_json::json!({"version": version.version, "content_hash": content_hash}),
        )
        .await;
        Ok(version)
    }

    /// Audit failures are logged, not fatal: the change itself already committed.
    pub(crate) async fn audit(&self, actor: &str, action: &str, target: &str, details: serde_json::Value) {
        let event =
            AuditEvent { actor: actor.to_owned(), action: action.to_owned(), target: target.to_owned(), details };
        if let Err(err) = self.store.audit(event).await {
            tracing::error!(error = %err, action, target, "could not write the audit entry");
        }
    }
}
