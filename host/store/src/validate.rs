//! Input rules shared by the registry, deployments and identity. Each refusal names the field, the
//! value and the rule, so the caller can fix it without reading this file.

use crate::StoreError;

/// Plugin and deployment names: `[a-z0-9-]{1,64}`, the rule `weft.toml` documents. They appear in
/// URLs, logs and metric labels, so nothing that needs escaping.
pub(crate) fn slug(field: &str, value: &str) -> Result<(), StoreError> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "{field} {value:?} is not valid: use 1 to 64 characters from a-z, 0-9 and '-'"
        )))
    }
}

pub(crate) fn semver(field: &str, value: &str) -> Result<semver::Version, StoreError> {
    semver::Version::parse(value).map_err(|err| {
        StoreError::Invalid(format!(
            "{field} {value:?} is not a semantic version ({err}); write it as MAJOR.MINOR.PATCH, \
             e.g. 1.4.0"
        ))
    })
}

/// Digests are `sha256:` and 64 lowercase hex digits, the form `weft plugin build` prints.
pub(crate) fn digest(value: &str) -> Result<(), StoreError> {
    let ok = value
        .strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "digest {value:?} is not valid: expected \"sha256:\" followed by 64 lowercase hex \
             digits"
        )))
    }
}

/// Free-text labels (token names, display names): present, bounded, printable.
pub(crate) fn label(field: &str, value: &str, max: usize) -> Result<(), StoreError> {
    if value.trim().is_empty() {
        return Err(StoreError::Invalid(format!("{field} must not be empty")));
    }
    if value.chars().count() > max {
        return Err(StoreError::Invalid(format!("{field} is too long: at most {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!("{field} {value:?} contains control characters; use plain text")));
    }
    Ok(())
}

/// Scope-like identifiers (token scopes, grants, kv scopes): non-empty, no whitespace or control
/// characters, so they compare exactly and print unambiguously.
pub(crate) fn token(field: &str, value: &str) -> Result<(), StoreError> {
    if value.is_empty() || value.len() > 256 {
        return Err(StoreError::Invalid(format!("{field} {value:?} must be 1 to 256 characters long")));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(StoreError::Invalid(format!("{field} {value:?} must not contain spaces or control characters")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_with_dashes() {
        assert!(slug("name", "my-router-2").is_ok());
        assert!(slug("name", "").is_err());
        assert!(slug("name", "My-Router").is_err());
        assert!(slug("name", "a/b").is_err());
        assert!(slug("name", &"a".repeat(65)).is_err());
    }

    #[test]
    fn digests_are_sha256_in_lowercase_hex() {
        assert!(digest(&format!("sha256:{}", "ab".repeat(32))).is_ok());
        assert!(digest(&format!("sha256:{}", "AB".repeat(32))).is_err());
        assert!(digest(&format!("sha512:{}", "ab".repeat(32))).is_err());
        assert!(digest("sha256:abc").is_err());
    }
}
