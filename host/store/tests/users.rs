//! Users, passwords and roles.

#[path = "support/fixtures.rs"]
mod fixtures;

use fixtures::open_temp;
use weft_store::{Principal, Role, RoleGrant, StoreError, User, UserKind};

const PASSWORD: &str = "correct horse battery";

fn principal(user: User) -> Principal {
    Principal { user, token_scopes: None }
}

// Rule: a created user reads back with its kind and roles and is listed by username.
#[tokio::test]
async fn create_get_and_list_users() {
    let t = open_temp().await;
    let ada = t
        .store
        .create_user("ada", "Ada Lovelace", Some(PASSWORD), UserKind::Human, &[RoleGrant::global(Role::Operator)])
        .await
        .expect("create");
    assert_eq!(ada.username, "ada");
    assert_eq!(ada.display_name, "Ada Lovelace");
    assert_eq!(ada.kind, UserKind::Human);
    assert_eq!(ada.roles, [RoleGrant::global(Role::Operator)]);
    assert!(!ada.disabled);
    let helpdesk =
        t.store.create_user("helpdesk", "", None, UserKind::Service, &[]).await.expect("create service account");
    assert_eq!(helpdesk.display_name, "helpdesk", "an empty display name is the username");

    assert_eq!(t.store.get_user("ada").await.expect("get"), Some(ada.clone()));
    assert_eq!(t.store.get_user("nobody").await.expect("get"), None);
    assert_eq!(t.store.list_users().await.expect("list"), [ada, helpdesk]);
}

// Rule: usernames are unique; a second user with the same name is a Conflict that names it.
#[tokio::test]
async fn duplicate_usernames_are_refused() {
    let t = open_temp().await;
    t.store.create_user("ada", "Ada", Some(PASSWORD), UserKind::Human, &[]).await.expect("create");
    let err = t.store.create_user("ada", "Other Ada", None, UserKind::Human, &[]).await.expect_err("duplicate");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(err.to_string().contains("\"ada\" already exists"), "{err}");
}

// Rule: passwords shorter than 8 characters, passwords on service accounts and malformed
// usernames are refused, each with the rule.
#[tokio::test]
async fn weak_passwords_and_bad_usernames_are_refused() {
    let t = open_temp().await;
    let err = t.store.create_user("ada", "Ada", Some("short"), UserKind::Human, &[]).await.expect_err("weak");
    assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("at least 8 characters"), "{err}");

    let err = t
        .store
        .create_user("ci", "CI", Some(PASSWORD), UserKind::Service, &[])
        .await
        .expect_err("service with password");
    assert!(err.to_string().contains("API tokens"), "{err}");

    for bad in ["", "Ada", "ada lovelace", "ada@example.com", &"a".repeat(65)] {
        let err = t.store.create_user(bad, "x", None, UserKind::Human, &[]).await.expect_err("bad username");
        assert!(err.to_string().contains("a-z, 0-9"), "{bad:?}: {err}");
    }
    assert!(t.store.list_users().await.expect("list").is_empty());
}

// Rule: the right password signs in; a wrong password, an unknown user and a service account
// all get the same `None`.
#[tokio::test]
async fn only_the_right_password_signs_in() {
    let t = open_temp().await;
    t.store.create_user("ada", "Ada", Some(PASSWORD), UserKind::Human, &[]).await.expect("create");
    t.store.create_user("helpdesk", "Helpdesk", None, UserKind::Service, &[]).await.expect("create");

    let signed_in = t.store.verify_password("ada", PASSWORD).await.expect("verify");
    assert_eq!(signed_in.map(|u| u.username), Some("ada".into()));
    assert_eq!(t.store.verify_password("ada", "wrong horse battery").await.expect("verify"), None);
    assert_eq!(t.store.verify_password("nobody", PASSWORD).await.expect("verify"), None);
    assert_eq!(t.store.verify_password("helpdesk", "").await.expect("verify"), None);
}

// Rule: a disabled user cannot sign in even with the right password; re-enabling restores it.
#[tokio::test]
async fn disabled_users_cannot_sign_in() {
    let t = open_temp().await;
    t.store.create_user("ada", "Ada", Some(PASSWORD), UserKind::Human, &[]).await.expect("create");
    let disabled = t.store.set_disabled("ada", true).await.expect("disable");
    assert!(disabled.disabled);
    assert_eq!(t.store.verify_password("ada", PASSWORD).await.expect("verify"), None);

    t.store.set_disabled("ada", false).await.expect("enable");
    assert!(t.store.verify_password("ada", PASSWORD).await.expect("verify").is_some());
    let err = t.store.set_disabled("nobody", true).await.expect_err("unknown");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

// Rule: changing a password makes the new one work and the old one stop.
#[tokio::test]
async fn a_changed_password_replaces_the_old_one() {
    let t = open_temp().await;
    t.store.create_user("ada", "Ada", None, UserKind::Human, &[]).await.expect("create");
    assert_eq!(t.store.verify_password("ada", "").await.expect("verify"), None);
    t.store.set_password("ada", PASSWORD).await.expect("set");
    t.store.set_password("ada", "a new passphrase").await.expect("change");
    assert_eq!(t.store.verify_password("ada", PASSWORD).await.expect("verify"), None);
    assert!(t.store.verify_password("ada", "a new passphrase").await.expect("verify").is_some());
}

// Rule: admin implies every role; a `*` grant matches any scope; a scoped grant matches only
// its own scope.
#[tokio::test]
async fn roles_match_by_role_and_scope() {
    let t = open_temp().await;
    let admin = t
        .store
        .create_user("root", "Root", None, UserKind::Human, &[RoleGrant::global(Role::Admin)])
        .await
        .expect("create");
    let reviewer = t
        .store
        .create_user(
            "rita",
            "Rita",
            None,
            UserKind::Human,
            &[RoleGrant::scoped(Role::KbReviewer, "stage:expert-review"), RoleGrant::global(Role::KbAuthor)],
        )
        .await
        .expect("create");
    let space_admin = t
        .store
        .create_user("sam", "Sam", None, UserKind::Human, &[RoleGrant::scoped(Role::Admin, "space:billing")])
        .await
        .expect("create");

    let admin = principal(admin);
    for role in Role::ALL {
        assert!(admin.has_role(role, "space:billing"), "{role}");
        assert!(admin.has_role(role, "*"), "{role}");
    }

    let rita = principal(reviewer);
    assert!(rita.has_role(Role::KbReviewer, "stage:expert-review"));
    assert!(!rita.has_role(Role::KbReviewer, "stage:verification"));
    assert!(rita.has_role(Role::KbAuthor, "space:billing"));
    assert!(rita.has_role(Role::KbAuthor, "space:legal"));
    assert!(!rita.has_role(Role::KbPublisher, "space:billing"));

    let sam = principal(space_admin);
    assert!(sam.has_role(Role::Operator, "space:billing"));
    assert!(!sam.has_role(Role::Operator, "space:legal"));
}

// Rule: set_roles replaces a user's grants entirely; duplicates collapse; bad scopes are refused.
#[tokio::test]
async fn set_roles_replaces_all_grants() {
    let t = open_temp().await;
    t.store.create_user("ada", "Ada", None, UserKind::Human, &[RoleGrant::global(Role::Admin)]).await.expect("create");
    let updated = t
        .store
        .set_roles(
            "ada",
            &[RoleGrant::scoped(Role::Agent, "space:billing"), RoleGrant::scoped(Role::Agent, "space:billing")],
        )
        .await
        .expect("set roles");
    assert_eq!(updated.roles, [RoleGrant::scoped(Role::Agent, "space:billing")]);
    assert_eq!(t.store.get_user("ada").await.expect("get").map(|u| u.roles), Some(updated.roles));

    let err = t.store.set_roles("ada", &[RoleGrant::scoped(Role::Agent, "billing")]).await.expect_err("bad scope");
    assert!(err.to_string().contains("<kind>:<name>"), "{err}");
    let err = t.store.set_roles("nobody", &[]).await.expect_err("unknown");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

// Rule: role names parse from their kebab-case form; an unknown one lists the valid roles.
#[test]
fn role_names_parse_and_unknown_ones_list_the_valid_roles() {
    assert_eq!("kb-reviewer".parse::<Role>(), Ok(Role::KbReviewer));
    assert_eq!(Role::PluginDeveloper.to_string(), "plugin-developer");
    let err = "superuser".parse::<Role>().expect_err("unknown");
    let msg = err.to_string();
    for role in Role::ALL {
        assert!(msg.contains(role.as_str()), "{msg}");
    }
}
