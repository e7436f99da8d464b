//! The master key: the one secret an operator keeps. It never seals customer data itself; it
//! wraps the per-customer data keys stored in `customer_keys` (envelope encryption), so rotating
//! it rewraps a few dozen bytes per customer instead of re-encrypting every row, and erasing a
//! customer only has to destroy their one wrapped key.
//!
//! Key files hold 32 random bytes as 64 hex digits. Each key has a public id (a hash of the key,
//! not the key) stored beside every data key it wraps, so old and new keys can coexist while a
//! rotation rolls out and a wrong key is named at start-up instead of failing on first read.

use std::io::Write;
use std::path::Path;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::KeyInit;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::seal::{KEY_LEN, SealError, open_with, seal_with};

/// Why a key file could not be used. Messages name the file and say what to do.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error(
        "the master key file {path} cannot be read ({source}); pass --master-key-file with the key \
         this data was written with (or set WEFT_MASTER_KEY_FILE)"
    )]
    Read { path: String, source: std::io::Error },
    #[error(
        "the master key file {path} does not hold a key: expected 64 hex digits (32 bytes), e.g. \
         from `head -c 32 /dev/urandom | xxd -p -c 64`"
    )]
    Format { path: String },
    #[error("could not create the master key file {path} ({source}); check the data directory's permissions")]
    Create { path: String, source: std::io::Error },
    #[error("the operating system's random source failed: {0}")]
    Random(String),
}

/// One master key. Debug shows only the id.
pub struct MasterKey {
    id: String,
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl MasterKey {
    pub fn from_bytes(key: &[u8; KEY_LEN]) -> MasterKey {
        let mut hasher = Sha256::new();
        hasher.update(b"weft master key id v1\0");
        hasher.update(key);
        // 64 bits of the hash identify a key among the handful an installation ever has, and
        // reveal nothing usable about it.
        let id = hex::encode(&hasher.finalize()[..8]);
        MasterKey { id, cipher: Aes256Gcm::new(key.into()) }
    }

    /// The public id stored next to every data key this key wraps.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Reads a key file (64 hex digits, surrounding whitespace ignored).
    pub fn read_file(path: &Path) -> Result<MasterKey, KeyFileError> {
        let shown = path.display().to_string();
        let text = Zeroizing::new(
            std::fs::read_to_string(path).map_err(|source| KeyFileError::Read { path: shown.clone(), source })?,
        );
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        hex::decode_to_slice(text.trim(), &mut key[..]).map_err(|_| KeyFileError::Format { path: shown })?;
        Ok(MasterKey::from_bytes(&key))
    }

    /// Creates a new random key file readable only by its owner (0600). Refuses to overwrite.
    pub fn generate_file(path: &Path) -> Result<MasterKey, KeyFileError> {
        let shown = path.display().to_string();
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        getrandom::fill(&mut key[..]).map_err(|e| KeyFileError::Random(e.to_string()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Created with the final mode, so there is no moment when others could read it.
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|source| KeyFileError::Create { path: shown.clone(), source })?;
        let text = Zeroizing::new(format!("{}\n", hex::encode(&key[..])));
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|source| KeyFileError::Create { path: shown, source })?;
        Ok(MasterKey::from_bytes(&key))
    }

    /// Wraps a data key; the associated data binds it to its id, so wrapped keys cannot be
    /// swapped between customers in the table.
    pub(crate) fn wrap(&self, dek_id: &str, dek: &[u8; KEY_LEN]) -> Result<Vec<u8>, SealError> {
        seal_with(&self.cipher, &wrap_aad(dek_id), dek)
    }

    pub(crate) fn unwrap(&self, dek_id: &str, wrapped: &[u8]) -> Result<Zeroizing<[u8; KEY_LEN]>, SealError> {
        let plain = Zeroizing::new(open_with(&self.cipher, &wrap_aad(dek_id), wrapped)?);
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        if plain.len() != KEY_LEN {
            return Err(SealError::Malformed(format!("a data key of {} bytes", plain.len())));
        }
        key.copy_from_slice(&plain);
        Ok(key)
    }
}

fn wrap_aad(dek_id: &str) -> Vec<u8> {
    format!("weft-dek/v1\0{dek_id}").into_bytes()
}

/// The master keys a process holds: the current one wraps new data keys; retired ones (during a
/// rotation's rollout) still unwrap what they wrapped.
#[derive(Debug)]
pub struct MasterKeys {
    current: MasterKey,
    retired: Vec<MasterKey>,
}

impl MasterKeys {
    pub fn new(current: MasterKey) -> MasterKeys {
        MasterKeys { current, retired: Vec::new() }
    }

    /// Also accept data keys wrapped by `old` (until they are rewrapped by a rotation).
    pub fn with_retired(mut self, old: MasterKey) -> MasterKeys {
        if old.id != self.current.id && !self.retired.iter().any(|k| k.id == old.id) {
            self.retired.push(old);
        }
        self
    }

    pub fn current(&self) -> &MasterKey {
        &self.current
    }

    pub fn find(&self, id: &str) -> Option<&MasterKey> {
        std::iter::once(&self.current).chain(&self.retired).find(|k| k.id == id)
    }

    /// A fixed, publicly known key for tests and tools that never touch personal data
    /// ([`crate::Store::open`]). The server never runs with it: `weft serve` always loads a real
    /// key and refuses data sealed under this one.
    pub(crate) fn insecure_development() -> MasterKeys {
        MasterKeys::new(MasterKey::from_bytes(&[0x5a; KEY_LEN]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_key_unwraps_only_under_its_master_key_and_id() {
        let master = MasterKey::from_bytes(&[1; KEY_LEN]);
        let other = MasterKey::from_bytes(&[2; KEY_LEN]);
        assert_ne!(master.id(), other.id());
        let wrapped = master.wrap("dek-a", &[9; KEY_LEN]).expect("wrap");
        assert_eq!(*master.unwrap("dek-a", &wrapped).expect("unwrap"), [9; KEY_LEN]);
        assert_eq!(other.unwrap("dek-a", &wrapped).err(), Some(SealError::Authentication));
        assert_eq!(master.unwrap("dek-b", &wrapped).err(), Some(SealError::Authentication));
    }

    #[test]
    fn key_files_are_created_private_and_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("master.key");
        let created = MasterKey::generate_file(&path).expect("generate");
        assert_eq!(MasterKey::read_file(&path).expect("read").id(), created.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(matches!(MasterKey::generate_file(&path), Err(KeyFileError::Create { .. })), "never overwrites");
        std::fs::write(&path, "not hex").expect("write");
        let err = MasterKey::read_file(&path).expect_err("bad file").to_string();
        assert!(err.contains("64 hex digits"), "{err}");
        let err = MasterKey::read_file(&dir.path().join("missing")).expect_err("missing").to_string();
        assert!(err.contains("--master-key-file"), "{err}");
    }
}
