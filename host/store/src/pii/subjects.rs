//! Data-subject requests: export everything stored about one customer, and erase it.
//!
//! Erasure deletes the customer's rows and destroys their data key (crypto-shredding): a copy of
//! any of their sealed values that survives elsewhere (a backup, a log line, a row another table
//! kept) can no longer be opened by anyone holding the master key.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Serialize;

use super::keyring::TENANT;
use crate::entity::{
    case, credit, customer_key, outbound_message, run_customer, workflow_attempt, workflow_outbox, workflow_run,
    workflow_timer,
};
use crate::workflow::{AttemptRecord, CaseRecord, CreditEntry, MessageEntry, OutboxEntry, RunRecord};
use crate::{Store, StoreError};

/// One run of the customer's with everything it produced.
#[derive(Clone, Debug, Serialize)]
pub struct RunExport {
    pub run: RunRecord,
    pub attempts: Vec<AttemptRecord>,
    pub effects: Vec<OutboxEntry>,
    pub messages: Vec<MessageEntry>,
}

/// Everything stored about one customer, decrypted.
#[derive(Clone, Debug, Serialize)]
pub struct CustomerExport {
    pub customer_id: String,
    pub exported_at: DateTime<Utc>,
    pub runs: Vec<RunExport>,
    pub cases: Vec<CaseRecord>,
    pub credits: Vec<CreditEntry>,
}

/// What an erasure removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Erasure {
    pub customer_id: String,
    pub runs: u64,
    pub attempts: u64,
    pub effects: u64,
    pub timers: u64,
    pub messages: u64,
    pub cases: u64,
    pub credits: u64,
    /// The customer's data key was destroyed (false if they never had sealed data).
    pub data_key_destroyed: bool,
}

/// The rows of `E` whose `run` column names one of `runs`, in `order`, grouped by run (each
/// group in that order): one query for all of a customer's runs.
async fn rows_by_run<E: EntityTrait>(
    db: &DatabaseConnection,
    run: E::Column,
    order: E::Column,
    runs: &[String],
    run_of: impl Fn(&E::Model) -> &String,
) -> Result<HashMap<String, Vec<E::Model>>, StoreError> {
    let rows = E::find().filter(run.is_in(runs.iter().cloned())).order_by_asc(order).all(db).await?;
    let mut out: HashMap<String, Vec<E::Model>> = HashMap::new();
    for row in rows {
        out.entry(run_of(&row).clone()).or_default().push(row);
    }
    Ok(out)
}

fn refuse_tenant(customer: &str) -> Result<(), StoreError> {
    if customer == TENANT {
        return Err(StoreError::Invalid(
            "a customer id is required; data without a customer belongs to the tenant and is not a data subject".into(),
        ));
    }
    Ok(())
}

fn unknown(customer: &str) -> StoreError {
    StoreError::NotFound(format!(
        "customer {customer:?} is unknown: no runs, credits or data key are stored for them (already erased, or \
         never seen); the id is the ticket's customer.id"
    ))
}

impl Store {
    async fn customer_runs<C: ConnectionTrait>(
        &self,
        db: &C,
        customer: &str,
    ) -> Result<Vec<run_customer::Model>, StoreError> {
        Ok(run_customer::Entity::find()
            .filter(run_customer::Column::CustomerId.eq(customer))
            .order_by_asc(run_customer::Column::RunId)
            .all(db)
            .await?)
    }

    async fn customer_known<C: ConnectionTrait>(&self, db: &C, customer: &str) -> Result<bool, StoreError> {
        let key = customer_key::Entity::find().filter(customer_key::Column::CustomerId.eq(customer)).one(db).await?;
        let run = run_customer::Entity::find().filter(run_customer::Column::CustomerId.eq(customer)).one(db).await?;
        let credit = credit::Entity::find().filter(credit::Column::Customer.eq(customer)).one(db).await?;
        Ok(key.is_some() || run.is_some() || credit.is_some())
    }

    /// Everything about `customer`, decrypted. `NotFound` for a customer nothing is stored about.
    pub async fn export_customer(&self, customer: &str) -> Result<CustomerExport, StoreError> {
        refuse_tenant(customer)?;
        if !self.customer_known(&self.db, customer).await? {
            return Err(unknown(customer));
        }
        let links = self.customer_runs(&self.db, customer).await?;
        let run_ids: Vec<String> = links.iter().map(|l| l.run_id.clone()).collect();
        // One query per table for all of the customer's runs, grouped by run in Rust, instead of
        // four queries per run.
        let mut found: HashMap<String, workflow_run::Model> = workflow_run::Entity::find()
            .filter(workflow_run::Column::Id.is_in(run_ids.clone()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        use {outbound_message as message, workflow_attempt as attempt, workflow_outbox as outbox};
        let mut attempts =
            rows_by_run::<attempt::Entity>(&self.db, attempt::Column::RunId, attempt::Column::Id, &run_ids, |a| {
                &a.run_id
            })
            .await?;
        let mut effects =
            rows_by_run::<outbox::Entity>(&self.db, outbox::Column::RunId, outbox::Column::Key, &run_ids, |e| {
                &e.run_id
            })
            .await?;
        let mut messages =
            rows_by_run::<message::Entity>(&self.db, message::Column::RunId, message::Column::Key, &run_ids, |m| {
                &m.run_id
            })
            .await?;
        let mut runs = Vec::with_capacity(links.len());
        let mut tickets: Vec<String> = Vec::new();
        for link in &links {
            let Some(run) = found.remove(&link.run_id) else { continue };
            if !tickets.contains(&link.ticket_id) {
                tickets.push(link.ticket_id.clone());
            }
            runs.push(RunExport {
                run: self.opened_run(run).await?,
                attempts: self.opened_attempts(attempts.remove(&link.run_id).unwrap_or_default()).await?,
                effects: self.opened_entries(effects.remove(&link.run_id).unwrap_or_default()).await?,
                messages: self.opened_messages(messages.remove(&link.run_id).unwrap_or_default()).await?,
            });
        }
        let mut stored: HashMap<String, case::Model> = case::Entity::find()
            .filter(case::Column::TicketId.is_in(tickets.clone()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.ticket_id.clone(), c))
            .collect();
        let mut cases = Vec::new();
        for ticket in &tickets {
            if let Some(case) = stored.remove(ticket) {
                cases.push(self.opened_case(case).await?);
            }
        }
        let credits = self.credit_history(customer, i64::MIN).await?;
        Ok(CustomerExport { customer_id: customer.to_owned(), exported_at: crate::now(), runs, cases, credits })
    }

    /// Deletes every row about `customer` and destroys their data key, in one transaction.
    /// Refused while one of their runs is still in flight: the run would go on writing data
    /// sealed under a key that no longer exists.
    pub async fn erase_customer(&self, customer: &str) -> Result<Erasure, StoreError> {
        refuse_tenant(customer)?;
        let txn = self.db.begin().await?;
        if !self.customer_known(&txn, customer).await? {
            return Err(unknown(customer));
        }
        let links = self.customer_runs(&txn, customer).await?;
        let run_ids: Vec<String> = links.iter().map(|l| l.run_id.clone()).collect();
        let mut tickets: Vec<String> = links.iter().map(|l| l.ticket_id.clone()).collect();
        tickets.dedup();
        let in_flight = workflow_run::Entity::find()
            .filter(workflow_run::Column::Id.is_in(run_ids.clone()))
            .filter(workflow_run::Column::Status.is_in(["running", "waiting", "compensating"]))
            .one(&txn)
            .await?;
        if let Some(run) = in_flight {
            return Err(StoreError::Conflict(format!(
                "customer {customer:?} has run {} still {}; cancel it (POST /v1/runs/{}/cancel) or wait for it to \
                 finish, then erase again. Nothing was erased",
                run.id, run.status, run.id
            )));
        }
        if txn.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
            // Deleted cells are zeroed instead of left in free pages, so the erased ciphertext
            // and wrapped key do not linger in the database file.
            txn.execute_unprepared("PRAGMA secure_delete = ON").await?;
        }
        let mut erased = Erasure { customer_id: customer.to_owned(), ..Erasure::default() };
        erased.attempts = workflow_attempt::Entity::delete_many()
            .filter(workflow_attempt::Column::RunId.is_in(run_ids.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        // Rollout observations hold copies of the run's decisions.
        crate::entity::rollout_observation::Entity::delete_many()
            .filter(crate::entity::rollout_observation::Column::RunId.is_in(run_ids.clone()))
            .exec(&txn)
            .await?;
        erased.effects = workflow_outbox::Entity::delete_many()
            .filter(workflow_outbox::Column::RunId.is_in(run_ids.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        erased.timers = workflow_timer::Entity::delete_many()
            .filter(workflow_timer::Column::RunId.is_in(run_ids.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        erased.messages = outbound_message::Entity::delete_many()
            .filter(outbound_message::Column::RunId.is_in(run_ids.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        erased.cases =
            case::Entity::delete_many().filter(case::Column::TicketId.is_in(tickets)).exec(&txn).await?.rows_affected;
        erased.credits =
            credit::Entity::delete_many().filter(credit::Column::Customer.eq(customer)).exec(&txn).await?.rows_affected;
        erased.runs = workflow_run::Entity::delete_many()
            .filter(workflow_run::Column::Id.is_in(run_ids))
            .exec(&txn)
            .await?
            .rows_affected;
        run_customer::Entity::delete_many().filter(run_customer::Column::CustomerId.eq(customer)).exec(&txn).await?;
        erased.data_key_destroyed = customer_key::Entity::delete_many()
            .filter(customer_key::Column::CustomerId.eq(customer))
            .exec(&txn)
            .await?
            .rows_affected
            > 0;
        txn.commit().await?;
        self.keys.forget(customer);
        if self.db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
            // Old page images in the write-ahead log would still hold the deleted rows; fold the
            // log into the (zeroed) database and truncate it. Best effort: a busy reader can
            // hold a checkpoint back, and the next automatic checkpoint finishes the job.
            if let Err(err) = self.db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await {
                tracing::warn!(%err, "could not checkpoint the write-ahead log after an erasure");
            }
        }
        tracing::info!(customer, runs = erased.runs, "customer erased");
        Ok(erased)
    }
}
