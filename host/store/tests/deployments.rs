//! Deployments: operator configuration of a published plugin version, guarded by revisions.

#[path = "support/fixtures.rs"]
mod fixtures;

use fixtures::{TempStore, open_temp, plugin};
use serde_json::json;
use weft_store::{DeploymentSpec, StoreError};

async fn with_router() -> TempStore {
    let t = open_temp().await;
    for version in ["1.0.0", "1.1.0"] {
        t.store.publish_plugin(plugin("router", version, version.as_bytes())).await.expect("publish");
    }
    t
}

fn spec(name: &str, version: &str) -> DeploymentSpec {
    DeploymentSpec {
        name: name.into(),
        plugin: "router".into(),
        version: version.into(),
        grants: vec!["kv".into(), "effect.assign".into()],
        config: json!({"queues": {"zh": "billing-cn"}}),
        limits: json!({"fuel": 1_000_000}),
        updated_by: "ops".into(),
    }
}

// Rule: a new deployment starts at revision 1 and reads back exactly as written.
#[tokio::test]
async fn creating_a_deployment_starts_at_revision_one() {
    let t = with_router().await;
    let created = t.store.put_deployment(spec("router-prod", "1.0.0"), None).await.expect("create");
    assert_eq!(created.revision, 1);
    assert_eq!(created.grants, ["kv", "effect.assign"]);
    assert_eq!(created.config, json!({"queues": {"zh": "billing-cn"}}));
    assert_eq!(created.limits, json!({"fuel": 1_000_000}));
    assert_eq!(created.updated_by, "ops");
    assert_eq!(t.store.get_deployment("router-prod").await.expect("get"), Some(created.clone()));
    assert_eq!(t.store.list_deployments().await.expect("list"), vec![created]);
    assert_eq!(t.store.get_deployment("other").await.expect("get"), None);
}

// Rule: each update bumps the revision by one, with or without a revision check.
#[tokio::test]
async fn updating_a_deployment_bumps_its_revision() {
    let t = with_router().await;
    t.store.put_deployment(spec("router-prod", "1.0.0"), None).await.expect("create");
    let checked = t.store.put_deployment(spec("router-prod", "1.1.0"), Some(1)).await.expect("update at revision 1");
    assert_eq!((checked.revision, checked.version.as_str()), (2, "1.1.0"));

    let mut rollback = spec("router-prod", "1.0.0");
    rollback.updated_by = "oncall".into();
    let unchecked = t.store.put_deployment(rollback, None).await.expect("unconditional update");
    assert_eq!(unchecked.revision, 3);
    assert_eq!(unchecked.version, "1.0.0");
    assert_eq!(unchecked.updated_by, "oncall");
}

// Rule: a change made against a stale revision is refused with the current revision, and the
// stored deployment is untouched.
#[tokio::test]
async fn a_stale_revision_is_refused() {
    let t = with_router().await;
    t.store.put_deployment(spec("router-prod", "1.0.0"), None).await.expect("create");
    let current = t.store.put_deployment(spec("router-prod", "1.1.0"), Some(1)).await.expect("update");

    let err = t.store.put_deployment(spec("router-prod", "1.0.0"), Some(1)).await.expect_err("stale");
    assert!(matches!(err, StoreError::RevisionConflict { current: 2 }), "{err:?}");
    assert!(err.to_string().contains("if_revision = 2"), "{err}");
    assert_eq!(t.store.get_deployment("router-prod").await.expect("get"), Some(current));
}

// Rule: `if_revision = Some(0)` creates only; asking for a revision of a missing deployment fails.
#[tokio::test]
async fn revision_zero_means_create_only() {
    let t = with_router().await;
    let created =
        t.store.put_deployment(spec("router-prod", "1.0.0"), Some(0)).await.expect("create-only on a new name");
    assert_eq!(created.revision, 1);
    let err = t.store.put_deployment(spec("router-prod", "1.0.0"), Some(0)).await.expect_err("already exists");
    assert!(matches!(err, StoreError::RevisionConflict { current: 1 }), "{err:?}");

    let err = t.store.put_deployment(spec("router-canary", "1.0.0"), Some(4)).await.expect_err("missing deployment");
    assert!(matches!(err, StoreError::RevisionConflict { current: 0 }), "{err:?}");
    assert_eq!(t.store.get_deployment("router-canary").await.expect("get"), None);
}

// Rule: a deployment must name a published plugin@version; the refusal names it.
#[tokio::test]
async fn an_unknown_plugin_version_is_refused() {
    let t = with_router().await;
    let err = t.store.put_deployment(spec("router-prod", "9.9.9"), None).await.expect_err("unpublished version");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert!(err.to_string().contains("router@9.9.9"), "{err}");

    let mut ghost = spec("ghost-prod", "1.0.0");
    ghost.plugin = "ghost".into();
    let err = t.store.put_deployment(ghost, None).await.expect_err("unknown");
    assert!(err.to_string().contains("ghost@1.0.0"), "{err}");
    assert!(t.store.list_deployments().await.expect("list").is_empty());
}

// Rule: config and limits are JSON objects; null means empty, anything else is refused.
#[tokio::test]
async fn config_and_limits_must_be_objects() {
    let t = with_router().await;
    let mut empty = spec("router-prod", "1.0.0");
    empty.config = serde_json::Value::Null;
    empty.limits = serde_json::Value::Null;
    let created = t.store.put_deployment(empty, None).await.expect("create");
    assert_eq!((created.config, created.limits), (json!({}), json!({})));

    let mut bad = spec("router-prod", "1.0.0");
    bad.config = json!(["not", "an", "object"]);
    let err = t.store.put_deployment(bad, None).await.expect_err("array");
    assert!(err.to_string().contains("must be a JSON object"), "{err}");
}

// Rule: deployments are listed by name.
#[tokio::test]
async fn deployments_are_listed_by_name() {
    let t = with_router().await;
    for name in ["router-prod", "router-canary", "router-eu"] {
        t.store.put_deployment(spec(name, "1.0.0"), None).await.expect("create");
    }
    let names: Vec<_> = t.store.list_deployments().await.expect("list").into_iter().map(|d| d.name).collect();
    assert_eq!(names, ["router-canary", "router-eu", "router-prod"]);
}
