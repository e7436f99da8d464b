//! Schema migrations, applied in order by [`crate::Store::open`] and recorded in
//! `seaql_migrations`, so opening an up-to-date database changes nothing.
//!
//! A migration that has shipped is never edited: change the schema with a new file. Tables are
//! written out column by column (not derived from the entities) for the same reason.

mod m20250601_000001_plugins;
mod m20250601_000002_deployments;
mod m20250601_000003_kv;
mod m20250601_000004_identity;
mod m20250601_000005_audit;
mod m20251101_000001_workflows;
mod m20251102_000001_kb;
mod m20251103_000001_agents;
mod m20251104_000001_events;
mod m20251104_000002_hook_secrets;
mod m20261122_000001_rollouts;
mod m20261122_pii_000001_customer_keys;

use sea_orm_migration::{MigrationTrait, MigratorTrait};

pub(crate) struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20250601_000001_plugins::Migration),
            Box::new(m20250601_000002_deployments::Migration),
            Box::new(m20250601_000003_kv::Migration),
            Box::new(m20250601_000004_identity::Migration),
            Box::new(m20250601_000005_audit::Migration),
            Box::new(m20251101_000001_workflows::Migration),
            Box::new(m20251102_000001_kb::Migration),
            Box::new(m20251103_000001_agents::Migration),
            Box::new(m20251104_000001_events::Migration),
            Box::new(m20251104_000002_hook_secrets::Migration),
            Box::new(m20261122_000001_rollouts::Migration),
            Box::new(m20261122_pii_000001_customer_keys::Migration),
        ]
    }
}
