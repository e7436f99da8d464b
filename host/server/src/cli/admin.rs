//! Bootstrap commands that open the data directory directly: the first users and tokens.

use std::io::Read;

use anyhow::{Context, bail};
use serde_json::json;
use weft_store::{RoleGrant, Store, UserKind};

use super::{DataArgs, TokenCommand, UserCommand, audit};

pub async fn open(data: &DataArgs) -> anyhow::Result<Store> {
    let url = match &data.database_url {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&data.data)
                .with_context(|| format!("creating data directory {}", data.data.display()))?;
            Store::sqlite_url(&data.data)
        }
    };
    let store = Store::open(&url).await.with_context(|| format!("opening the database {url}"))?;
    super::keys::unlock(store, data).await
}

/// `ROLE` or `ROLE:SCOPE`; the scope may itself contain colons (`kb-reviewer:stage:expert-review`).
fn parse_role(text: &str) -> anyhow::Result<RoleGrant> {
    let (role, scope) = text.split_once(':').unwrap_or((text, "*"));
    let role = role.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(RoleGrant { role, scope: scope.to_string() })
}

pub async fn user(cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add { username, roles, display_name, service, data } => {
            let store = open(&data).await?;
            let roles = roles.iter().map(|r| parse_role(r)).collect::<anyhow::Result<Vec<_>>>()?;
            if let Some(existing) = store.get_user(&username).await? {
                let mut all = existing.roles.clone();
                all.extend(roles);
                let user = store.set_roles(&username, &all).await?;
                audit::record(&store, "user.roles", &user.username, json!({ "roles": user.roles })).await?;
                println!("Updated `{}`: roles {}", user.username, describe(&user.roles));
                return Ok(());
            }
            let password = if service {
                None
            } else {
                let mut text = String::new();
                std::io::stdin().read_to_string(&mut text).context("reading the password from stdin")?;
                let text = text.trim_end_matches(['\n', '\r']).to_string();
                if text.is_empty() {
                    bail!(
                        "no password on stdin; pipe one in (e.g. `echo \"$PW\" | weft user add {username} …`) or pass --service"
                    );
                }
                Some(text)
            };
            let kind = if service { UserKind::Service } else { UserKind::Human };
            let display = display_name.unwrap_or_else(|| username.clone());
            let user = store.create_user(&username, &display, password.as_deref(), kind, &roles).await?;
            let details = json!({ "kind": user.kind, "roles": user.roles });
            audit::record(&store, "user.create", &user.username, details).await?;
            println!("Added `{}`: roles {}", user.username, describe(&user.roles));
        }
        UserCommand::List { data } => {
            let store = open(&data).await?;
            for user in store.list_users().await? {
                println!("{:<24} {:<8?} {}", user.username, user.kind, describe(&user.roles));
            }
        }
    }
    Ok(())
}

fn describe(roles: &[RoleGrant]) -> String {
    let list: Vec<String> = roles
        .iter()
        .map(|g| if g.scope == "*" { g.role.to_string() } else { format!("{}:{}", g.role, g.scope) })
        .collect();
    if list.is_empty() { "none".into() } else { list.join(", ") }
}

pub async fn token(cmd: TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create { username, name, scopes, expires_in_days, data } => {
            create_token(&username, &name, scopes, expires_in_days, &data).await
        }
        TokenCommand::Revoke { id, data } => revoke(id, &data).await,
        TokenCommand::List { data } => list_tokens(&data).await,
    }
}

async fn create_token(
    username: &str,
    name: &str,
    scopes: Vec<String>,
    expires_in_days: Option<i64>,
    data: &DataArgs,
) -> anyhow::Result<()> {
    let store = open(data).await?;
    let scopes = if scopes.is_empty() { vec!["*".to_string()] } else { scopes };
    let expires = expires_in_days.map(|d| chrono::Utc::now() + chrono::Duration::days(d));
    let (secret, info) = store.create_token(username, name, &scopes, expires).await?;
    // The secret stays out of the log; the id is what `revoke` takes.
    let details =
        json!({ "token_id": info.id, "name": info.name, "scopes": info.scopes, "expires_at": info.expires_at });
    audit::record(&store, "token.create", &info.owner, details).await?;
    // Only the token goes to stdout, so scripts can capture it; it is never shown again.
    println!("{secret}");
    eprintln!(
        "Created token `{name}` for `{username}` (scopes: {}); store it now, it cannot be shown again.",
        scopes.join(", ")
    );
    Ok(())
}

async fn revoke(id: i64, data: &DataArgs) -> anyhow::Result<()> {
    let store = open(data).await?;
    store.revoke_token(id).await?;
    audit::record(&store, "token.revoke", &format!("token:{id}"), json!({ "token_id": id })).await?;
    eprintln!("Revoked token {id}; requests with it are refused from now on.");
    Ok(())
}

async fn list_tokens(data: &DataArgs) -> anyhow::Result<()> {
    let store = open(data).await?;
    for t in store.list_tokens(None).await? {
        println!("{}", serde_json::to_string(&t).context("encoding a token as JSON")?);
    }
    Ok(())
}
