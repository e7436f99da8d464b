//! sea-orm entities, one table per file. Public so later crates can join against them through
//! [`crate::Store::connection`]; the `Store` methods are the supported way to change them.
//!
//! Tables are created by the migrations in `migration/`, never from these structs, so an entity
//! can gain a convenience without silently changing the schema.

pub mod agent;
pub mod agent_queue;
pub mod api_token;
pub mod audit_entry;
pub mod case;
pub mod credit;
pub mod customer_key;
pub mod deployment;
pub mod event_delivery;
pub mod event_delivery_attempt;
pub mod event_subscription;
pub mod hook_secret;
pub mod kb;
pub mod kv_entry;
pub mod outbound_message;
pub mod plugin;
pub mod plugin_blob;
pub mod role_grant;
pub mod rollout_observation;
pub mod run_customer;
pub mod session;
pub mod user;
pub mod webhook_receipt;
pub mod workflow_attempt;
pub mod workflow_outbox;
pub mod workflow_rollout;
pub mod workflow_run;
pub mod workflow_timer;
pub mod workflow_version;
