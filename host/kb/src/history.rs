//! Published versions, diffs between them, and restoring an old version as a new draft.

use chrono::{DateTime, Utc};
use serde::Serialize;
use similar::{ChangeTag, TextDiff};
use weft_store::Principal;
use weft_store::kb::KbVersion;

use crate::doc::Content;
use crate::{ArticleView, Kb, KbError};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DiffLine {
    /// `equal`, `insert` or `delete`.
    pub op: &'static str,
    pub text: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Hunk {
    pub old_start: usize,
    pub old_lines: usize,
    pub new_start: usize,
    pub new_lines: usize,
    pub lines: Vec<DiffLine>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TitleChange {
    pub old: String,
    pub new: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Diff {
    pub base_version: Option<i32>,
    pub title: TitleChange,
    pub unified: String,
    pub hunks: Vec<Hunk>,
}

/// A line diff of two bodies with three lines of context, as hunks and as unified text.
pub fn diff(base_version: Option<i32>, old: (&str, &str), new: (&str, &str)) -> Diff {
    let text = TextDiff::from_lines(old.1, new.1);
    let unified = text.unified_diff().context_radius(3).header("published", "draft").to_string();
    let hunks = text
        .grouped_ops(3)
        .iter()
        .map(|group| {
            let (first, last) = (&group[0], &group[group.len() - 1]);
            let old_range = first.old_range().start..last.old_range().end;
            let new_range = first.new_range().start..last.new_range().end;
            let lines = group
                .iter()
                .flat_map(|op| text.iter_changes(op))
                .map(|change| DiffLine {
                    op: match change.tag() {
                        ChangeTag::Equal => "equal",
                        ChangeTag::Insert => "insert",
                        ChangeTag::Delete => "delete",
                    },
                    text: change.value().trim_end_matches('\n').to_owned(),
                })
                .collect();
            Hunk {
                old_start: old_range.start + 1,
                old_lines: old_range.len(),
                new_start: new_range.start + 1,
                new_lines: new_range.len(),
                lines,
            }
        })
        .collect();
    Diff { base_version, title: TitleChange { old: old.0.to_owned(), new: new.0.to_owned() }, unified, hunks }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VersionApproval {
    pub stage: String,
    pub user: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VersionSummary {
    pub version: i32,
    pub title: String,
    pub content_hash: String,
    pub published_by: String,
    pub published_at: DateTime<Utc>,
    pub approvals: Vec<VersionApproval>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VersionDetail {
    #[serde(flatten)]
    pub summary: VersionSummary,
    pub body: String,
    pub tags: Vec<String>,
    pub diff: Diff,
}

fn summary(v: &KbVersion) -> VersionSummary {
    let approvals = v
        .approvals
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|a| {
                    Some(VersionApproval {
                        stage: a.get("stage")?.as_str()?.to_owned(),
                        user: a.get("user")?.as_str()?.to_owned(),
                        at: serde_json::from_value(a.get("at")?.clone()).ok()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    VersionSummary {
        version: v.version,
        title: v.title.clone(),
        content_hash: v.content_hash.clone(),
        published_by: v.published_by.clone(),
        published_at: v.published_at,
        approvals,
    }
}

pub(crate) fn tags_of(value: &serde_json::Value) -> Vec<String> {
    value.as_array().map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

impl Kb {
    /// The current draft against the last published version.
    pub async fn draft_diff(&self, id: &str, principal: &Principal) -> Result<Diff, KbError> {
        let (article, _) = self.readable(id, principal).await?;
        let base = match article.published_version {
            Some(n) => self.store.kb_version(id, n).await?,
            None => None,
        };
        let content = self.content(id).await?;
        let (old_title, old_body) = base.as_ref().map(|v| (v.title.as_str(), v.body.as_str())).unwrap_or(("", ""));
        Ok(diff(base.as_ref().map(|v| v.version), (old_title, old_body), (&content.title, &content.body)))
    }

    pub async fn versions(&self, id: &str, principal: &Principal) -> Result<Vec<VersionSummary>, KbError> {
        self.check_read(id, principal).await?;
        Ok(self.store.kb_versions(id).await?.iter().map(summary).collect())
    }

    async fn version_row(&self, id: &str, n: i32) -> Result<KbVersion, KbError> {
        self.store.kb_version(id, n).await?.ok_or_else(|| {
            KbError::NotFound(format!(
                "article {id} has no version {n}; list its versions with GET /v1/kb/articles/{id}/versions"
            ))
        })
    }

    pub async fn version(&self, id: &str, n: i32, principal: &Principal) -> Result<VersionDetail, KbError> {
        self.check_read(id, principal).await?;
        let v = self.version_row(id, n).await?;
        let prev = if n > 1 { self.store.kb_version(id, n - 1).await? } else { None };
        let (old_title, old_body) = prev.as_ref().map(|p| (p.title.as_str(), p.body.as_str())).unwrap_or(("", ""));
        let diff = diff(prev.as_ref().map(|p| p.version), (old_title, old_body), (&v.title, &v.body));
        Ok(VersionDetail { summary: summary(&v), body: v.body.clone(), tags: tags_of(&v.tags), diff })
    }

    /// Starts a new draft with an old version's content. Connected editors see the change live.
    pub async fn restore(&self, id: &str, n: i32, principal: &Principal) -> Result<ArticleView, KbError> {
        let access = self.check_read(id, principal).await?;
        if !access.can_edit() {
            return Err(KbError::Forbidden(format!(
                "{} may not restore versions: it needs the kb-author role in this space",
                access.username
            )));
        }
        let v = self.version_row(id, n).await?;
        let content = Content { title: v.title.clone(), body: v.body.clone(), tags: tags_of(&v.tags) };
        let room = self.hold(id).await?;
        let written = room.write_local(&access.username, &content).await;
        self.release(room).await;
        written?;
        // The edit moved a published or reviewed article back (see ArticleChange); a draft stays.
        let article = self.article_row(id).await?;
        if article.stage != "draft" {
            let t = weft_store::kb::Transition {
                from: article.stage.clone(),
                to: "draft".into(),
                actor: access.username.clone(),
                note: format!("restored version {n}"),
            };
            self.store.kb_transition(id, &t, &article.content_hash, true).await?;
        }
        self.audit(&access.username, "kb.article.restore", id, serde_json::json!({"version": n})).await;
        self.article(id, principal).await
    }
}
