//! Password hashing with Argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane, OWASP's
//! recommended minimum), stored as a PHC string so parameters can be raised later without
//! invalidating existing hashes.
//!
//! Hashing costs tens of milliseconds of CPU by design, so it runs on tokio's blocking pool.

use std::sync::OnceLock;

use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use super::secrets;
use crate::StoreError;

pub(crate) const MIN_LEN: usize = 8;
/// Long enough for any passphrase or password manager, short enough that nobody can make us
/// hash megabytes per login attempt.
pub(crate) const MAX_LEN: usize = 1024;

pub(crate) fn check_policy(password: &str) -> Result<(), StoreError> {
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return Err(StoreError::Invalid(format!(
            "the password is too short: use at least {MIN_LEN} characters (a passphrase of a few \
             words is easiest to remember)"
        )));
    }
    if chars > MAX_LEN {
        return Err(StoreError::Invalid(format!("the password is too long: use at most {MAX_LEN} characters")));
    }
    Ok(())
}

pub(crate) async fn hash(password: String) -> Result<String, StoreError> {
    let salt = secrets::random_bytes::<16>()?;
    blocking(move || hash_now(&password, &salt)).await?
}

/// Checks `password` against `phc`. With no hash to check against (unknown user, service
/// account) it verifies against a dummy hash instead and answers false, so the response time does
/// not reveal which usernames exist.
pub(crate) async fn verify(password: String, phc: Option<String>) -> Result<bool, StoreError> {
    blocking(move || {
        let (phc, real) = match phc {
            Some(phc) => (phc, true),
            None => (dummy_hash()?.to_owned(), false),
        };
        let parsed = PasswordHash::new(&phc)
            .map_err(|err| StoreError::Corrupt(format!("a stored password hash is not a PHC string ({err})")))?;
        let matches = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
        Ok(real && matches)
    })
    .await?
}

fn hash_now(password: &str, salt: &[u8]) -> Result<String, StoreError> {
    let salt = SaltString::encode_b64(salt)
        .map_err(|err| StoreError::Internal(format!("could not encode a password salt: {err}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| StoreError::Internal(format!("could not hash a password: {err}")))
}

/// Made once per process with the same parameters as real hashes, so verifying against it costs
/// the same as a real check.
fn dummy_hash() -> Result<&'static str, StoreError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let salt = secrets::random_bytes::<16>()?;
    let password = secrets::generate()?;
    let hash = hash_now(&password, &salt)?;
    Ok(DUMMY.get_or_init(|| hash))
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| StoreError::Internal(format!("the password hashing task failed: {err}")))
}
