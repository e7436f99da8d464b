//! API tokens: shown once, stored hashed, scoped, expiring and revocable.

#[path = "support/fixtures.rs"]
mod fixtures;

use chrono::{Duration, Utc};
use fixtures::{TempStore, open_temp};
use sea_orm::EntityTrait;
use sha2::{Digest, Sha256};
use weft_store::entity::api_token;
use weft_store::{Role, RoleGrant, StoreError, UserKind};

async fn with_integrator() -> TempStore {
    let t = open_temp().await;
    t.store
        .create_user("helpdesk", "Helpdesk", None, UserKind::Service, &[RoleGrant::global(Role::Integrator)])
        .await
        .expect("create");
    t
}

fn scopes(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

// Rule: a new token authenticates as its user, carrying its scopes.
#[tokio::test]
async fn a_created_token_authenticates_its_user() {
    let t = with_integrator().await;
    let (plaintext, info) = t
        .store
        .create_token("helpdesk", "zendesk", &scopes(&["workflows:inbound-ticket"]), None)
        .await
        .expect("create");
    assert!(plaintext.starts_with("weft_"), "{plaintext}");
    assert_eq!(plaintext.len(), "weft_".len() + 43);
    assert!(plaintext.starts_with(&info.prefix));
    assert_eq!(info.owner, "helpdesk");
    assert_eq!(info.name, "zendesk");

    let principal = t.store.authenticate_token(&plaintext).await.expect("authenticate").expect("a valid token");
    assert_eq!(principal.user.username, "helpdesk");
    assert_eq!(principal.token_scopes, Some(scopes(&["workflows:inbound-ticket"])));
    assert!(principal.has_role(Role::Integrator, "workflows:inbound-ticket"));

    assert_eq!(t.store.authenticate_token("weft_not-a-token").await.expect("auth"), None);
    assert_eq!(t.store.authenticate_token("").await.expect("auth"), None);
}

// Rule: the database holds only a SHA-256 of the token, never the token itself.
#[tokio::test]
async fn the_stored_hash_is_not_the_token() {
    let t = with_integrator().await;
    let (plaintext, _) = t.store.create_token("helpdesk", "zendesk", &scopes(&["*"]), None).await.expect("create");
    let rows = api_token::Entity::find().all(t.store.connection()).await.expect("read table");
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_ne!(row.token_hash, plaintext);
    assert_eq!(row.token_hash, hex::encode(Sha256::digest(plaintext.as_bytes())));
    assert!(!plaintext.starts_with(&row.token_hash));
    assert!(row.prefix.len() < 16 && plaintext.starts_with(&row.prefix));
    assert!(!format!("{row:?}").contains(&plaintext));
}

// Rule: a token past its expiry is rejected.
#[tokio::test]
async fn expired_tokens_are_rejected() {
    let t = with_integrator().await;
    let (plaintext, _) = t
        .store
        .create_token("helpdesk", "short-lived", &scopes(&["*"]), Some(Utc::now() + Duration::milliseconds(300)))
        .await
        .expect("create");
    assert!(t.store.authenticate_token(&plaintext).await.expect("auth").is_some());
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(t.store.authenticate_token(&plaintext).await.expect("auth"), None);

    let err = t
        .store
        .create_token("helpdesk", "stale", &scopes(&["*"]), Some(Utc::now() - Duration::hours(1)))
        .await
        .expect_err("expiry in the past");
    assert!(err.to_string().contains("in the past"), "{err}");
}

// Rule: a revoked token is rejected from then on; revoking twice is fine; an unknown id is
// NotFound.
#[tokio::test]
async fn revoked_tokens_are_rejected() {
    let t = with_integrator().await;
    let (plaintext, info) = t.store.create_token("helpdesk", "zendesk", &scopes(&["*"]), None).await.expect("create");
    t.store.revoke_token(info.id).await.expect("revoke");
    assert_eq!(t.store.authenticate_token(&plaintext).await.expect("auth"), None);
    t.store.revoke_token(info.id).await.expect("revoke again");

    let listed = t.store.list_tokens(Some("helpdesk")).await.expect("list");
    assert!(listed[0].revoked_at.is_some());
    let err = t.store.revoke_token(info.id + 100).await.expect_err("unknown");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

// Rule: a disabled user's tokens stop working, and work again when the user is re-enabled.
#[tokio::test]
async fn tokens_of_disabled_users_are_rejected() {
    let t = with_integrator().await;
    let (plaintext, _) = t.store.create_token("helpdesk", "zendesk", &scopes(&["*"]), None).await.expect("create");
    t.store.set_disabled("helpdesk", true).await.expect("disable");
    assert_eq!(t.store.authenticate_token(&plaintext).await.expect("auth"), None);
    t.store.set_disabled("helpdesk", false).await.expect("enable");
    assert!(t.store.authenticate_token(&plaintext).await.expect("auth").is_some());
}

// Rule: a token allows exactly its scopes, `*` allows everything, and `<kind>:*` a whole kind.
#[tokio::test]
async fn token_scopes_limit_what_a_token_allows() {
    let t = with_integrator().await;
    let authenticate = |list: &'static [&'static str]| {
        let store = t.store.clone();
        async move {
            let (plaintext, _) = store.create_token("helpdesk", "t", &scopes(list), None).await.expect("create");
            store.authenticate_token(&plaintext).await.expect("auth").expect("valid")
        }
    };

    let narrow = authenticate(&["workflows:inbound-ticket", "spaces:billing"]).await;
    assert!(narrow.token_allows("workflows:inbound-ticket"));
    assert!(narrow.token_allows("spaces:billing"));
    assert!(!narrow.token_allows("workflows:refund"));
    assert!(!narrow.token_allows("actions:plugin.publish"));

    let kind = authenticate(&["workflows:*"]).await;
    assert!(kind.token_allows("workflows:refund"));
    assert!(!kind.token_allows("spaces:billing"));

    let everything = authenticate(&["*"]).await;
    assert!(everything.token_allows("actions:plugin.publish"));

    let err = t.store.create_token("helpdesk", "none", &[], None).await.expect_err("no scopes");
    assert!(err.to_string().contains("at least one scope"), "{err}");
}

// Rule: listings show every token of a user (or of everyone) without any secret, and record use.
#[tokio::test]
async fn listing_tokens_never_shows_secrets() {
    let t = with_integrator().await;
    t.store.create_user("ada", "Ada", None, UserKind::Human, &[]).await.expect("create");
    let (first, _) = t.store.create_token("helpdesk", "zendesk", &scopes(&["*"]), None).await.expect("create");
    let (second, _) = t.store.create_token("ada", "laptop", &scopes(&["*"]), None).await.expect("create");
    t.store.authenticate_token(&first).await.expect("auth");

    let all = t.store.list_tokens(None).await.expect("list");
    assert_eq!(
        all.iter().map(|i| (i.owner.as_str(), i.name.as_str())).collect::<Vec<_>>(),
        [("helpdesk", "zendesk"), ("ada", "laptop")]
    );
    assert!(all[0].last_used_at.is_some());
    assert!(all[1].last_used_at.is_none());
    let json = serde_json::to_string(&all).expect("serialize");
    assert!(!json.contains(&first) && !json.contains(&second));

    assert_eq!(t.store.list_tokens(Some("ada")).await.expect("list").len(), 1);
    let err = t.store.list_tokens(Some("nobody")).await.expect_err("unknown");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}
