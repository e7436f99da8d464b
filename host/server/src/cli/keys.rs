//! The master key personal data is sealed under (docs/privacy.md): where it comes from, the
//! start-up check that it opens this database, and `weft keys rotate`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::json;
use weft_store::{MasterKey, MasterKeys, Store, StoreError};

use super::{DataArgs, audit};

/// Name of the key file generated in the data directory when no key is configured.
pub const DEFAULT_KEY_FILE: &str = "master.key";

#[derive(Debug, Clone, Args)]
pub struct KeyArgs {
    /// File holding the master key (64 hex digits) that wraps the per-customer data keys.
    /// Default: DATA/master.key, generated (mode 0600) on first start. Keep it out of backups of
    /// the database: whoever has both can read every customer's data.
    #[arg(long, env = "WEFT_MASTER_KEY_FILE")]
    pub master_key_file: Option<PathBuf>,
    /// A previous master key still accepted while a rotation rolls out (data keys it wrapped
    /// keep opening until `weft keys rotate` rewraps them).
    #[arg(long, env = "WEFT_RETIRED_MASTER_KEY_FILE")]
    pub retired_master_key_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Rewrap every data key under a new master key, in one transaction. Stop the server first,
    /// then start it with `--master-key-file NEW`; the old key no longer opens anything.
    Rotate {
        /// The new master key file (64 hex digits); with --generate, created (0600) here.
        #[arg(long)]
        new_key_file: PathBuf,
        /// Create the new key file instead of reading an existing one.
        #[arg(long)]
        generate: bool,
        #[command(flatten)]
        data: DataArgs,
    },
}

pub async fn run(cmd: KeysCommand) -> anyhow::Result<()> {
    let KeysCommand::Rotate { new_key_file, generate, data } = cmd;
    let store = super::admin::open(&data).await?;
    let new = if generate { MasterKey::generate_file(&new_key_file)? } else { MasterKey::read_file(&new_key_file)? };
    let moved = store.rotate_master_key(&new).await?;
    audit::record(&store, "keys.rotate", new.id(), json!({ "rewrapped": moved, "master_key_id": new.id() })).await?;
    println!("rewrapped {moved} data keys under master key {}", new.id());
    eprintln!(
        "Start the server with --master-key-file {} from now on (or put that key in {}); the previous \
         key no longer opens this database. Keep the old key until no backup taken before now is \
         needed, then destroy it.",
        new_key_file.display(),
        default_key_file(&data).display()
    );
    Ok(())
}

fn default_key_file(data: &DataArgs) -> PathBuf {
    data.data.join(DEFAULT_KEY_FILE)
}

/// Loads the configured master key (or the data directory's, generating it on first start),
/// hands it to the store and checks that it opens every stored data key. A wrong or missing key
/// stops start-up with what to do, before anything is written.
pub async fn unlock(store: Store, data: &DataArgs) -> anyhow::Result<Store> {
    let (current, generated) = match &data.keys.master_key_file {
        Some(path) => (MasterKey::read_file(path)?, None),
        None => {
            let path = default_key_file(data);
            if path.exists() {
                (MasterKey::read_file(&path)?, None)
            } else {
                let key = MasterKey::generate_file(&path)?;
                // The id only: the key itself never reaches a log.
                tracing::info!(file = %path.display(), master_key = key.id(), "generated a master key");
                (key, Some(path))
            }
        }
    };
    let mut keys = MasterKeys::new(current);
    if let Some(path) = &data.keys.retired_master_key_file {
        keys = keys.with_retired(MasterKey::read_file(path)?);
    }
    let store = store.with_master_keys(keys);
    match store.check_master_keys().await {
        Ok(check) => {
            tracing::debug!(data_keys = check.data_keys, master_key = %check.master_key_id, "master key opens the store");
            Ok(store)
        }
        Err(err @ StoreError::MasterKey(_)) => {
            if let Some(path) = generated {
                // A fresh key cannot open existing data: the key file was lost or moved. Do not
                // leave a useless key behind to confuse the next start.
                let _ = std::fs::remove_file(&path);
                bail!(
                    "the master key file {} is missing, but this database holds personal data sealed under \
                     another master key: restore the key file from where you keep it, or pass \
                     --master-key-file PATH. Nothing was changed. ({err})",
                    path.display()
                );
            }
            Err(err).context(describe(data))
        }
        Err(err) => Err(err.into()),
    }
}

fn describe(data: &DataArgs) -> String {
    let file = data.keys.master_key_file.clone().unwrap_or_else(|| default_key_file(data));
    format!("the master key in {} does not open this database", shown(&file))
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}
