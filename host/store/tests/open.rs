//! Opening a store: creating, migrating and re-opening the database file.

#[path = "support/fixtures.rs"]
mod fixtures;

use chrono::Duration;
use fixtures::{open_temp, plugin};
use sea_orm::{EntityTrait, PaginatorTrait};
use weft_store::{DeploymentSpec, Role, RoleGrant, Store, StoreError, UserKind};

// Rule: opening an up-to-date database again is a no-op, so every start of `weft` may migrate.
#[tokio::test]
async fn migrations_run_once_and_reopening_is_idempotent() {
    let t = open_temp().await;
    let applied = applied_migrations(&t.store).await;
    assert!(applied > 0);

    let again = Store::open(&t.url).await.expect("second open");
    let third = Store::open(&t.url).await.expect("third open");
    assert_eq!(applied_migrations(&again).await, applied);
    assert_eq!(applied_migrations(&third).await, applied);
}

// Rule: everything written survives closing the store and opening the same file again (a restart).
#[tokio::test]
async fn a_reopened_store_keeps_everything() {
    let t = open_temp().await;
    let s = &t.store;
    s.publish_plugin(plugin("router", "1.0.0", b"router v1")).await.expect("publish");
    s.put_deployment(
        DeploymentSpec {
            name: "router-prod".into(),
            plugin: "router".into(),
            version: "1.0.0".into(),
            grants: vec!["kv".into()],
            config: serde_json::json!({"queue": "billing"}),
            limits: serde_json::json!({}),
            updated_by: "ops".into(),
        },
        None,
    )
    .await
    .expect("deploy");
    s.kv_apply("router-prod", &[("seen".into(), Some("42".into()))]).await.expect("kv");
    s.create_user("ada", "Ada", Some("correct horse battery"), UserKind::Human, &[RoleGrant::global(Role::Operator)])
        .await
        .expect("user");
    let (token, _) = s.create_token("ada", "ci", &["*".into()], None).await.expect("token");
    let session = s.create_session("ada", Duration::hours(1)).await.expect("session");
    let plugins_before = s.list_plugins().await.expect("list");
    drop(t.store);

    let s = Store::open(&t.url).await.expect("reopen");
    assert_eq!(s.list_plugins().await.expect("list"), plugins_before);
    assert_eq!(s.plugin_component(&plugins_before[0].digest).await.expect("component"), Some(b"router v1".to_vec()));
    let deployment = s.get_deployment("router-prod").await.expect("get");
    assert_eq!(deployment.map(|d| d.revision), Some(1));
    assert_eq!(s.kv_get("router-prod", "seen").await.expect("kv"), Some("42".into()));
    assert!(s.verify_password("ada", "correct horse battery").await.expect("verify").is_some());
    assert!(s.authenticate_token(&token).await.expect("auth").is_some());
    assert!(s.authenticate_session(&session).await.expect("auth").is_some());
}

// Rule: a fresh data directory is created on first start; nobody has to mkdir it.
#[tokio::test]
async fn opening_creates_a_missing_data_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("nested").join("data");
    let store = Store::open(&Store::sqlite_url(&data)).await.expect("open in a missing directory");
    assert!(data.join("weft.db").exists());
    assert!(store.list_plugins().await.expect("list").is_empty());
}

// Rule: a database that cannot be opened is reported as such, with what to check.
#[tokio::test]
async fn an_unopenable_database_says_what_to_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Read-only mode refuses to create the file.
    let url = format!("sqlite://{}?mode=ro", dir.path().join("missing.db").display());
    let err = Store::open(&url).await.expect_err("nothing to open");
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("could not open the database"), "{err}");
}

// Rule: `sqlite_url` only names the file; it creates nothing.
#[test]
fn sqlite_url_points_into_the_data_directory_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let url = Store::sqlite_url(&data);
    assert_eq!(url, format!("sqlite://{}/weft.db?mode=rwc", data.display()));
    assert!(!data.exists());
}

async fn applied_migrations(store: &Store) -> u64 {
    sea_orm_migration::seaql_migrations::Entity::find().count(store.connection()).await.expect("count migrations")
}
