//! Browser sessions: created after sign-in, expiring, revocable.

#[path = "support/fixtures.rs"]
mod fixtures;

use chrono::Duration;
use fixtures::{TempStore, open_temp};
use sea_orm::EntityTrait;
use weft_store::entity::session;
use weft_store::{DEFAULT_SESSION_TTL, StoreError, UserKind};

async fn with_ada() -> TempStore {
    let t = open_temp().await;
    t.store.create_user("ada", "Ada", Some("correct horse battery"), UserKind::Human, &[]).await.expect("create");
    t
}

// Rule: a session id authenticates its user with the user's full rights until revoked.
#[tokio::test]
async fn create_authenticate_and_revoke_a_session() {
    let t = with_ada().await;
    let id = t.store.create_session("ada", DEFAULT_SESSION_TTL).await.expect("create");
    let principal = t.store.authenticate_session(&id).await.expect("auth").expect("a live session");
    assert_eq!(principal.user.username, "ada");
    assert_eq!(principal.token_scopes, None);
    assert!(principal.token_allows("actions:plugin.publish"));

    t.store.revoke_session(&id).await.expect("revoke");
    assert_eq!(t.store.authenticate_session(&id).await.expect("auth"), None);
    t.store.revoke_session(&id).await.expect("signing out twice is fine");
    t.store.revoke_session("never-issued").await.expect("unknown is fine");
    assert_eq!(t.store.authenticate_session("never-issued").await.expect("auth"), None);
}

// Rule: a session stops working when its lifetime is over.
#[tokio::test]
async fn sessions_expire() {
    let t = with_ada().await;
    let id = t.store.create_session("ada", Duration::milliseconds(300)).await.expect("create");
    assert!(t.store.authenticate_session(&id).await.expect("auth").is_some());
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(t.store.authenticate_session(&id).await.expect("auth"), None);
}

// Rule: the session id is stored only as a hash, and the default lifetime is 12 hours.
#[tokio::test]
async fn session_ids_are_stored_hashed() {
    let t = with_ada().await;
    let id = t.store.create_session("ada", DEFAULT_SESSION_TTL).await.expect("create");
    let rows = session::Entity::find().all(t.store.connection()).await.expect("read table");
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].session_hash, id);
    assert!(!format!("{:?}", rows[0]).contains(&id));
    assert_eq!(rows[0].expires_at - rows[0].created_at, Duration::hours(12));
}

// Rule: sessions are for enabled people: disabled users lose theirs, service accounts get none.
#[tokio::test]
async fn sessions_need_an_enabled_person() {
    let t = with_ada().await;
    let id = t.store.create_session("ada", DEFAULT_SESSION_TTL).await.expect("create");
    t.store.set_disabled("ada", true).await.expect("disable");
    assert_eq!(t.store.authenticate_session(&id).await.expect("auth"), None);
    let err = t.store.create_session("ada", DEFAULT_SESSION_TTL).await.expect_err("disabled");
    assert!(err.to_string().contains("disabled"), "{err}");

    t.store.create_user("helpdesk", "Helpdesk", None, UserKind::Service, &[]).await.expect("create");
    let err = t.store.create_session("helpdesk", DEFAULT_SESSION_TTL).await.expect_err("service account");
    assert!(err.to_string().contains("API tokens"), "{err}");

    let err = t.store.create_session("nobody", DEFAULT_SESSION_TTL).await.expect_err("unknown");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}
