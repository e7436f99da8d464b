//! Comments, transitions, outcomes and flags: what reviewers and workflows say about an article.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use weft_store::Principal;
use weft_store::kb::{KbArticle, KbComment, KbTransition, NewComment};

use crate::{Kb, KbError};

/// Outcomes in this window count toward an article's resolution rate.
pub const OUTCOME_WINDOW_DAYS: i64 = 30;
/// Fewer outcomes than this say nothing yet.
pub const OUTCOME_MIN_SAMPLES: u64 = 10;
/// Below this resolution rate the article is flagged for review.
pub const OUTCOME_MIN_RATE: f64 = 0.5;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Anchor {
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CommentView {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub anchor: Option<Anchor>,
    pub quote: Option<String>,
    pub parent: Option<i64>,
    pub resolved: bool,
    pub created_at: DateTime<Utc>,
}

impl From<KbComment> for CommentView {
    fn from(c: KbComment) -> Self {
        let anchor = match (c.anchor_start, c.anchor_end) {
            (Some(start), Some(end)) => Some(Anchor { start, end }),
            _ => None,
        };
        CommentView {
            id: c.id,
            author: c.author,
            body: c.body,
            anchor,
            quote: c.quote,
            parent: c.parent,
            resolved: c.resolved,
            created_at: c.created_at,
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TransitionView {
    pub from: String,
    pub to: String,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub note: String,
}

impl From<KbTransition> for TransitionView {
    fn from(t: KbTransition) -> Self {
        TransitionView { from: t.from_stage, to: t.to_stage, actor: t.actor, at: t.at, note: t.note }
    }
}

/// What an outcome report did to the article.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OutcomeReport {
    pub resolved: u64,
    pub total: u64,
    pub window_days: i64,
    pub flagged: bool,
    pub flag_reason: Option<String>,
}

fn valid_anchor(part: &str) -> bool {
    use base64::Engine;
    !part.is_empty() && part.len() <= 4096 && base64::engine::general_purpose::STANDARD.decode(part).is_ok()
}

impl Kb {
    pub async fn comments(&self, id: &str, principal: &Principal) -> Result<Vec<CommentView>, KbError> {
        self.check_read(id, principal).await?;
        Ok(self.store.kb_comments(id).await?.into_iter().map(CommentView::from).collect())
    }

    pub async fn add_comment(
        &self,
        id: &str,
        principal: &Principal,
        body: String,
        anchor: Option<(String, String)>,
        quote: Option<String>,
        parent: Option<i64>,
    ) -> Result<CommentView, KbError> {
        let access = self.check_read(id, principal).await?;
        if let Some((start, end)) = &anchor
            && !(valid_anchor(start) && valid_anchor(end))
        {
            return Err(KbError::Invalid(
                "anchor.start and anchor.end must be base64 of Y.encodeRelativePosition(...) over the body".into(),
            ));
        }
        if let Some(parent) = parent {
            let found = self.store.kb_comment(parent).await?;
            if found.is_none_or(|c| c.article_id != id) {
                return Err(KbError::Invalid(format!("comment {parent} is not a comment on article {id}")));
            }
        }
        let comment = self
            .store
            .kb_add_comment(NewComment {
                article_id: id.to_owned(),
                author: access.username,
                body,
                anchor,
                quote,
                parent,
            })
            .await?;
        Ok(comment.into())
    }

    pub async fn resolve_comment(&self, comment_id: i64, principal: &Principal) -> Result<CommentView, KbError> {
        let comment = self
            .store
            .kb_comment(comment_id)
            .await?
            .ok_or_else(|| KbError::NotFound(format!("comment {comment_id} does not exist")))?;
        self.check_read(&comment.article_id, principal).await?;
        self.store.kb_resolve_comment(comment_id).await?;
        let mut view = CommentView::from(comment);
        view.resolved = true;
        Ok(view)
    }

    pub async fn transitions(&self, id: &str, principal: &Principal) -> Result<Vec<TransitionView>, KbError> {
        self.check_read(id, principal).await?;
        Ok(self.store.kb_transitions(id).await?.into_iter().map(TransitionView::from).collect())
    }

    /// Records a ticket outcome and flags the article when its resolution rate over the window
    /// falls below the threshold, with the evidence in the reason.
    pub async fn report_outcome(
        &self,
        id: &str,
        reporter: &str,
        resolved: bool,
        ticket_id: &str,
    ) -> Result<OutcomeReport, KbError> {
        let article = self.article_row(id).await?;
        self.store.kb_add_outcome(id, resolved, ticket_id, reporter).await?;
        let since = Utc::now() - chrono::Duration::days(OUTCOME_WINDOW_DAYS);
        let stats = self.store.kb_outcome_stats(id, since).await?;
        let rate = stats.resolved as f64 / stats.total.max(1) as f64;
        let mut flag_reason = article.flag_reason.clone();
        if stats.total >= OUTCOME_MIN_SAMPLES && rate < OUTCOME_MIN_RATE {
            let reason = format!(
                "low resolution rate: {} of {} tickets citing this article were resolved in the last {} days ({:.0}% < {:.0}%)",
                stats.resolved,
                stats.total,
                OUTCOME_WINDOW_DAYS,
                rate * 100.0,
                OUTCOME_MIN_RATE * 100.0
            );
            if !article.flagged {
                self.audit(reporter, "kb.article.flag", id, serde_json::json!({"reason": reason})).await;
            }
            self.store.kb_set_flag(id, Some(reason.clone())).await?;
            flag_reason = Some(reason);
        }
        Ok(OutcomeReport {
            resolved: stats.resolved,
            total: stats.total,
            window_days: OUTCOME_WINDOW_DAYS,
            flagged: flag_reason.is_some(),
            flag_reason,
        })
    }

    /// Flags published articles whose verification has lapsed. Run by the sweep
    /// ([`spawn_expiry_sweep`]), so an article nobody lists is flagged (and `article.flagged`
    /// sent) too; listing flags the rows it has already read ([`Kb::flag_lapsed`]).
    pub async fn flag_expired(&self, space: &str) -> Result<(), KbError> {
        let mut articles = self.store.kb_articles(space).await?;
        self.flag_lapsed(&mut articles).await
    }

    /// Flags the lapsed, not yet flagged articles among `articles`, and updates those rows to
    /// match what was stored.
    pub(crate) async fn flag_lapsed(&self, articles: &mut [KbArticle]) -> Result<(), KbError> {
        let now = Utc::now();
        for a in articles.iter_mut() {
            if let Some(expires) = a.verification_expires_at
                && expires <= now
                && !a.flagged
            {
                let reason =
                    format!("verification expired on {}; review and publish it again", expires.format("%Y-%m-%d"));
                self.store.kb_set_flag(&a.id, Some(reason.clone())).await?;
                a.flagged = true;
                a.flag_reason = Some(reason);
            }
        }
        Ok(())
    }
}

/// Checks every space for lapsed verifications every `every`, until the knowledge base is dropped.
pub(crate) fn spawn_expiry_sweep(kb: &Arc<Kb>, every: std::time::Duration) {
    let kb = Arc::downgrade(kb);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(kb) = kb.upgrade() else { return };
            if let Err(err) = kb.sweep_expired().await {
                tracing::warn!(error = %err, "verification-expiry sweep failed; retrying on the next tick");
            }
        }
    });
}

impl Kb {
    async fn sweep_expired(&self) -> Result<(), KbError> {
        for space in self.store.kb_spaces().await? {
            self.flag_expired(&space.id).await?;
        }
        Ok(())
    }
}
