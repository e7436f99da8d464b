//! `weft audit`: check and read the audit log straight from the database, the way an auditor
//! would, without needing (or trusting) a running server. Also how the bootstrap commands record
//! what they did.

use std::process::ExitCode;

use anyhow::{Context, bail};
use weft_store::{AuditEntry, AuditEvent, AuditVerification, MAX_AUDIT_PAGE, Store};

use super::{AuditCommand, DataArgs, admin};

/// Longest OS user name kept in a `cli:` actor; the store refuses actors over 128 characters.
const MAX_OS_USER_CHARS: usize = 64;

pub async fn run(cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify { data } => verify(&data).await,
        AuditCommand::List { limit, after, json, data } => {
            list(&data, limit, after, json).await.map(|()| ExitCode::SUCCESS)
        }
    }
}

async fn verify(data: &DataArgs) -> anyhow::Result<ExitCode> {
    let store = open_existing(data).await?;
    match store.audit_verify().await? {
        AuditVerification::Intact { entries, head } => {
            println!("audit log intact: {entries} entries, head {head}");
            Ok(ExitCode::SUCCESS)
        }
        AuditVerification::Broken { seq, reason } => {
            println!("audit log broken at entry {seq}: {reason}");
            eprintln!(
                "Entries from {seq} on cannot be trusted. Keep this database as evidence, find out who \
                 could write to it, and restore the log from a backup taken before the change."
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Oldest first, paging through the store so `--limit` may exceed one page.
async fn list(data: &DataArgs, limit: u64, after: Option<i64>, json: bool) -> anyhow::Result<()> {
    let store = open_existing(data).await?;
    let mut after = after;
    let mut remaining = limit;
    while remaining > 0 {
        let page = store.audit_entries(after, remaining.min(MAX_AUDIT_PAGE)).await?;
        let Some(last) = page.last().map(|e| e.seq) else {
            return Ok(());
        };
        for entry in &page {
            if json {
                println!("{}", serde_json::to_string(entry).context("encoding an audit entry as JSON")?);
            } else {
                println!("{}", line(entry));
            }
        }
        remaining = remaining.saturating_sub(page.len() as u64);
        after = Some(last);
    }
    if let Some(last) = after
        && !store.audit_entries(Some(last), 1).await?.is_empty()
    {
        eprintln!("More entries follow; continue with `weft audit list --after {last}`.");
    }
    Ok(())
}

fn line(entry: &AuditEntry) -> String {
    format!(
        "{:>6}  {}  {:<16} {:<16} {}  {}",
        entry.seq,
        entry.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        entry.actor,
        entry.action,
        entry.target,
        entry.details
    )
}

/// Opening a directory that holds no database would create an empty one and call its log intact.
async fn open_existing(data: &DataArgs) -> anyhow::Result<Store> {
    if data.database_url.is_none() && !data.data.join("weft.db").exists() {
        bail!(
            "there is no Weft database in {}; pass --data with the server's data directory, or \
             --database-url for PostgreSQL",
            data.data.display()
        );
    }
    admin::open(data).await
}

/// Appends what a bootstrap command did. An entry that cannot be written fails the command: the
/// log is only worth having if nothing changes without it.
pub(super) async fn record(
    store: &Store,
    action: &str,
    target: &str,
    details: serde_json::Value,
) -> anyhow::Result<()> {
    let event = AuditEvent { actor: cli_actor(), action: action.into(), target: target.into(), details };
    store.audit(event).await.with_context(|| {
        format!(
            "{action} of {target} was applied but could not be recorded in the audit log; check the \
             database's health and free disk space, and tell whoever audits this installation about \
             the unrecorded change"
        )
    })?;
    Ok(())
}

/// Bootstrap commands run without a logged-in user; the OS account that ran them is the best
/// witness there is (under sudo, the person who invoked sudo rather than root).
fn cli_actor() -> String {
    let user =
        ["SUDO_USER", "USER", "LOGNAME"].into_iter().find_map(|name| std::env::var(name).ok()).unwrap_or_default();
    let user: String = user.chars().filter(|c| !c.is_control()).take(MAX_OS_USER_CHARS).collect();
    let user = user.trim();
    format!("cli:{}", if user.is_empty() { "unknown" } else { user })
}
