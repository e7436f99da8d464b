//! The registry rules again, against PostgreSQL (the scale-out backend). Runs only when
//! `WEFT_TEST_POSTGRES_URL` names a database the test may write to, e.g.
//! `postgres://weft:weft@localhost/weft_test`; skipped silently otherwise.

#[path = "support/fixtures.rs"]
mod fixtures;

use fixtures::{digest_of, plugin};
use weft_store::{DeploymentSpec, Published, Store, StoreError};

async fn postgres() -> Option<Store> {
    let url = std::env::var("WEFT_TEST_POSTGRES_URL").ok()?;
    Some(Store::open(&url).await.expect("open PostgreSQL"))
}

/// The database outlives the test, so each run publishes under names of its own.
fn unique(name: &str) -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    format!("{name}-{nanos}")
}

// Rule: on PostgreSQL too, name@version is immutable, re-publishing is idempotent, concurrent
// publishes leave one record, blobs are shared and reopening migrates nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_rules_hold_on_postgres() {
    let Some(store) = postgres().await else {
        return;
    };
    let name = unique("pg-router");
    let bytes = name.as_bytes();

    let created = store.publish_plugin(plugin(&name, "1.0.0", bytes)).await.expect("publish");
    assert!(matches!(created, Published::Created(_)));
    let again = store.publish_plugin(plugin(&name, "1.0.0", bytes)).await.expect("republish");
    assert_eq!(again, Published::AlreadyPublished(created.record().clone()));
    let err = store.publish_plugin(plugin(&name, "1.0.0", b"other bytes")).await.expect_err("conflict");
    assert!(matches!(err, StoreError::VersionConflict { .. }), "{err:?}");

    let (a, b, c, d) = tokio::join!(
        store.publish_plugin(plugin(&name, "2.0.0", bytes)),
        store.publish_plugin(plugin(&name, "2.0.0", bytes)),
        store.publish_plugin(plugin(&name, "2.0.0", bytes)),
        store.publish_plugin(plugin(&name, "2.0.0", bytes)),
    );
    let results = [a, b, c, d].map(|r| r.expect("concurrent publish"));
    assert_eq!(results.iter().filter(|r| matches!(r, Published::Created(_))).count(), 1, "{results:?}");

    let versions: Vec<_> =
        store.plugin_versions(&name).await.expect("versions").into_iter().map(|p| p.version).collect();
    assert_eq!(versions, ["2.0.0", "1.0.0"]);
    assert_eq!(store.plugin_component(&digest_of(bytes)).await.expect("blob"), Some(bytes.to_vec()));

    let deployment = store
        .put_deployment(
            DeploymentSpec {
                name: unique("pg-deploy"),
                plugin: name.clone(),
                version: "2.0.0".into(),
                grants: vec![],
                config: serde_json::json!({}),
                limits: serde_json::json!({}),
                updated_by: "ops".into(),
            },
            Some(0),
        )
        .await
        .expect("deploy");
    assert_eq!(deployment.revision, 1);

    let url = std::env::var("WEFT_TEST_POSTGRES_URL").unwrap_or_default();
    let reopened = Store::open(&url).await.expect("reopen");
    assert_eq!(reopened.get_plugin(&name, "1.0.0").await.expect("get"), Some(created.record().clone()));
}
