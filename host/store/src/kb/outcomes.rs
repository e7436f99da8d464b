//! Ticket outcomes reported against articles, and the resolution rate over a window.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::entity::kb::outcome;
use crate::{Store, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutcomeStats {
    pub resolved: u64,
    pub total: u64,
}

impl Store {
    pub async fn kb_add_outcome(
        &self,
        article_id: &str,
        resolved: bool,
        ticket_id: &str,
        reporter: &str,
    ) -> Result<(), StoreError> {
        crate::validate::label("ticket_id", ticket_id, 256)?;
        outcome::Entity::insert(outcome::ActiveModel {
            article_id: Set(article_id.to_owned()),
            resolved: Set(resolved),
            ticket_id: Set(ticket_id.to_owned()),
            reporter: Set(reporter.to_owned()),
            at: Set(crate::now()),
            ..Default::default()
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    pub async fn kb_outcome_stats(&self, article_id: &str, since: DateTime<Utc>) -> Result<OutcomeStats, StoreError> {
        let rows = outcome::Entity::find()
            .filter(outcome::Column::ArticleId.eq(article_id))
            .filter(outcome::Column::At.gte(since))
            .all(&self.db)
            .await?;
        Ok(OutcomeStats { resolved: rows.iter().filter(|r| r.resolved).count() as u64, total: rows.len() as u64 })
    }
}
