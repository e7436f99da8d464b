//! The plugin registry: publishing, immutability of name@version, and content addressing.

#[path = "support/fixtures.rs"]
mod fixtures;

use fixtures::{digest_of, open_temp, plugin};
use sea_orm::{EntityTrait, PaginatorTrait};
use weft_store::entity::plugin_blob;
use weft_store::{Published, StoreError};

// Rule: a published version can be listed, inspected and its exact bytes fetched by digest.
#[tokio::test]
async fn publish_then_list_and_inspect() {
    let t = open_temp().await;
    let upload = plugin("router", "1.0.0", b"router component");
    let digest = upload.digest.clone();

    let published = t.store.publish_plugin(upload).await.expect("publish");
    let Published::Created(record) = published else {
        panic!("first publish must create, got {published:?}");
    };
    assert_eq!(record.name, "router");
    assert_eq!(record.version, "1.0.0");
    assert_eq!(record.digest, digest);
    assert_eq!(record.contract_version, "0.1.0");
    assert_eq!(record.size_bytes, b"router component".len() as i64);
    assert_eq!(record.uploaded_by, "dev");
    assert_eq!(record.manifest["capabilities"][0], "kv");

    assert_eq!(t.store.list_plugins().await.expect("list"), vec![record.clone()]);
    assert_eq!(t.store.get_plugin("router", "1.0.0").await.expect("get"), Some(record.clone()));
    assert_eq!(t.store.plugin_versions("router").await.expect("versions"), vec![record]);
    assert_eq!(t.store.plugin_component(&digest).await.expect("component"), Some(b"router component".to_vec()));
    assert_eq!(t.store.get_plugin("router", "2.0.0").await.expect("get"), None);
    assert_eq!(t.store.get_plugin("nope", "1.0.0").await.expect("get"), None);
    assert!(t.store.plugin_versions("nope").await.expect("versions").is_empty());
}

// Rule: publishing the same bytes under the same name@version again succeeds and changes nothing.
#[tokio::test]
async fn republishing_the_same_digest_is_idempotent() {
    let t = open_temp().await;
    let first = t.store.publish_plugin(plugin("router", "1.0.0", b"v1")).await.expect("publish");
    let mut again = plugin("router", "1.0.0", b"v1");
    again.uploaded_by = "ci".into();
    let second = t.store.publish_plugin(again).await.expect("republish");

    assert_eq!(second, Published::AlreadyPublished(first.record().clone()));
    assert_eq!(second.record().uploaded_by, "dev", "the original upload is kept");
    assert_eq!(t.store.list_plugins().await.expect("list").len(), 1);
}

// Rule: name@version is immutable: different bytes are refused, with a message to bump the
// version, and the original stays intact.
#[tokio::test]
async fn a_published_version_never_changes() {
    let t = open_temp().await;
    let original = t.store.publish_plugin(plugin("router", "1.0.0", b"original")).await.expect("publish");

    let err = t
        .store
        .publish_plugin(plugin("router", "1.0.0", b"tampered"))
        .await
        .expect_err("different bytes under the same version");
    match &err {
        StoreError::VersionConflict { name, version, existing_digest, new_digest } => {
            assert_eq!((name.as_str(), version.as_str()), ("router", "1.0.0"));
            assert_eq!(existing_digest, &digest_of(b"original"));
            assert_eq!(new_digest, &digest_of(b"tampered"));
        }
        other => panic!("expected VersionConflict, got {other:?}"),
    }
    assert!(err.to_string().contains("bump `version`"), "{err}");

    assert_eq!(t.store.get_plugin("router", "1.0.0").await.expect("get"), Some(original.record().clone()));
    assert_eq!(t.store.plugin_component(&digest_of(b"original")).await.expect("component"), Some(b"original".to_vec()));
    assert_eq!(
        t.store.plugin_component(&digest_of(b"tampered")).await.expect("component"),
        None,
        "refused bytes are not stored"
    );
}

// Rule: concurrent publishes of one name@version leave exactly one record; the others are told
// it already exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_publishes_leave_exactly_one_record() {
    let t = open_temp().await;
    let s = &t.store;
    let (a, b, c, d, e) = tokio::join!(
        s.publish_plugin(plugin("router", "1.0.0", b"same")),
        s.publish_plugin(plugin("router", "1.0.0", b"same")),
        s.publish_plugin(plugin("router", "1.0.0", b"same")),
        s.publish_plugin(plugin("router", "1.0.0", b"same")),
        s.publish_plugin(plugin("router", "1.0.0", b"same")),
    );
    let results = [a, b, c, d, e].map(|r| r.expect("every publish succeeds"));
    let created = results.iter().filter(|r| matches!(r, Published::Created(_))).count();
    assert_eq!(created, 1, "{results:?}");
    assert_eq!(s.list_plugins().await.expect("list").len(), 1);
}

// Rule: when concurrent publishes carry different bytes, one wins and every other is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_conflicting_publishes_admit_one_winner() {
    let t = open_temp().await;
    let s = &t.store;
    let (a, b, c, d) = tokio::join!(
        s.publish_plugin(plugin("router", "1.0.0", b"one")),
        s.publish_plugin(plugin("router", "1.0.0", b"two")),
        s.publish_plugin(plugin("router", "1.0.0", b"three")),
        s.publish_plugin(plugin("router", "1.0.0", b"four")),
    );
    let results = [a, b, c, d];
    let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(matches!(winners[0], Published::Created(_)));
    assert!(
        results.iter().filter_map(|r| r.as_ref().err()).all(|e| matches!(e, StoreError::VersionConflict { .. })),
        "{results:?}"
    );
    let stored = s.list_plugins().await.expect("list");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].digest, winners[0].record().digest);
}

// Rule: component bytes are stored once per digest, however many plugins share them.
#[tokio::test]
async fn identical_components_are_stored_once() {
    let t = open_temp().await;
    let bytes = b"shared component";
    t.store.publish_plugin(plugin("router", "1.0.0", bytes)).await.expect("publish");
    t.store.publish_plugin(plugin("router-copy", "3.1.0", bytes)).await.expect("publish");
    t.store.publish_plugin(plugin("router", "1.0.1", bytes)).await.expect("publish");

    let blobs = plugin_blob::Entity::find().count(t.store.connection()).await.expect("count blobs");
    assert_eq!(blobs, 1);
    assert_eq!(t.store.list_plugins().await.expect("list").len(), 3);
    assert_eq!(t.store.plugin_component(&digest_of(bytes)).await.expect("component"), Some(bytes.to_vec()));
}

// Rule: listings are ordered by name, then by semantic version newest first (1.10 above 1.9).
#[tokio::test]
async fn versions_are_listed_newest_first_by_semver() {
    let t = open_temp().await;
    for (name, version) in [
        ("zeta", "0.1.0"),
        ("router", "1.9.0"),
        ("router", "1.10.0"),
        ("router", "0.2.0"),
        ("router", "1.10.0-rc.1"),
        ("alpha", "2.0.0"),
    ] {
        let bytes = format!("{name}@{version}");
        t.store.publish_plugin(plugin(name, version, bytes.as_bytes())).await.expect("publish");
    }
    let listed: Vec<_> =
        t.store.list_plugins().await.expect("list").into_iter().map(|p| format!("{}@{}", p.name, p.version)).collect();
    assert_eq!(
        listed,
        ["alpha@2.0.0", "router@1.10.0", "router@1.10.0-rc.1", "router@1.9.0", "router@0.2.0", "zeta@0.1.0"]
    );
    let router: Vec<_> =
        t.store.plugin_versions("router").await.expect("versions").into_iter().map(|p| p.version).collect();
    assert_eq!(router, ["1.10.0", "1.10.0-rc.1", "1.9.0", "0.2.0"]);
}

// Rule: the declared digest must be the sha256 of the uploaded bytes; a mismatch stores nothing.
#[tokio::test]
async fn a_digest_that_does_not_match_the_bytes_is_refused() {
    let t = open_temp().await;
    let mut upload = plugin("router", "1.0.0", b"the real bytes");
    upload.digest = digest_of(b"something else");
    let err = t.store.publish_plugin(upload).await.expect_err("mismatch");
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("upload again"), "{err}");
    assert!(t.store.list_plugins().await.expect("list").is_empty());
}

// Rule: names follow `[a-z0-9-]{1,64}` and versions are semver; anything else is refused with
// the rule.
#[tokio::test]
async fn malformed_names_and_versions_are_refused() {
    let t = open_temp().await;
    for (name, version, expect) in [
        ("Router", "1.0.0", "a-z, 0-9 and '-'"),
        ("", "1.0.0", "a-z, 0-9 and '-'"),
        ("router", "1.0", "semantic version"),
        ("router", "latest", "semantic version"),
    ] {
        let err = t.store.publish_plugin(plugin(name, version, b"x")).await.expect_err("malformed");
        assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
        assert!(err.to_string().contains(expect), "{err}");
    }
}
