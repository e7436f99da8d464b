//! Constructors for [`StepError`] and the conversion from [`HostError`] that makes `?` work.

use crate::{HostError, StepError, StepErrorKind};

impl StepError {
    /// The input lacks what the plugin needs (a missing order id, an unparsable field).
    /// Not retryable: the same input fails the same way.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(StepErrorKind::InvalidInput, message, false)
    }

    /// The deployment's configuration is wrong. Not retryable: an operator must fix the config.
    pub fn invalid_config(message: impl Into<String>) -> Self {
        Self::new(StepErrorKind::InvalidConfig, message, false)
    }

    /// A bug in the plugin (an impossible state, an invariant that did not hold). Not retryable.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StepErrorKind::Internal, message, false)
    }

    /// Something the plugin depends on was unavailable. Retryable: the workflow's retry policy
    /// runs the step again with backoff.
    pub fn dependency(message: impl Into<String>) -> Self {
        Self::new(StepErrorKind::DependencyFailed, message, true)
    }

    /// A capability the plugin needs was denied. Not retryable: an operator must grant it.
    /// Host denials convert into this through `?` with the host's message unchanged.
    pub fn capability_denied(message: impl Into<String>) -> Self {
        Self::new(StepErrorKind::CapabilityDenied, message, false)
    }

    fn new(kind: StepErrorKind, message: impl Into<String>, retryable: bool) -> Self {
        Self { kind, message: message.into(), retryable }
    }
}

impl StepErrorKind {
    /// The kind's name as the contract spells it (`invalid-input`, `capability-denied`, ...),
    /// which is also how the host's API and fixtures name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid-input",
            Self::InvalidConfig => "invalid-config",
            Self::CapabilityDenied => "capability-denied",
            Self::DependencyFailed => "dependency-failed",
            Self::Internal => "internal",
        }
    }
}

/// Lets a plugin write `host::kv_get("k")?` inside `decide`.
///
/// | host error    | step error kind     | retryable | message                          |
/// |---------------|---------------------|-----------|----------------------------------|
/// | `denied`      | `capability-denied` | no        | the host's denial, verbatim      |
/// | `unavailable` | `dependency-failed` | yes       | `host dependency unavailable: …` |
/// | `invalid`     | `invalid-input`     | no        | `host rejected the request: …`   |
/// | `limit`       | `internal`          | no        | `host quota exceeded: …`         |
///
/// An invalid request is nearly always built from input (an empty customer id used as a key),
/// so retrying cannot help and the input is what to look at. A quota is a property of the
/// plugin's design (it stores or asks for too much), so it is reported as a plugin bug.
impl From<HostError> for StepError {
    fn from(error: HostError) -> Self {
        match error {
            // Verbatim: the denial already names the capability and the command that grants it.
            HostError::Denied(denial) => Self::capability_denied(denial.message),
            HostError::Unavailable(message) => Self::dependency(format!("host dependency unavailable: {message}")),
            HostError::Invalid(message) => Self::invalid_input(format!("host rejected the request: {message}")),
            HostError::Limit(message) => Self::internal(format!("host quota exceeded: {message}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Denial;

    // A denial keeps the host's sentence unchanged, so the operator sees the grant command.
    #[test]
    fn denial_becomes_non_retryable_capability_denied_with_the_host_message() {
        let message = "capability `kv` is not granted to this deployment; \
                       grant it with `weft deployment grant <deployment> kv`";
        let error = StepError::from(HostError::Denied(Denial { capability: "kv".into(), message: message.into() }));
        assert_eq!(error.kind, StepErrorKind::CapabilityDenied);
        assert_eq!(error.message, message);
        assert!(!error.retryable);
    }

    // An unavailable dependency is the one host failure worth retrying.
    #[test]
    fn unavailable_becomes_retryable_dependency_failed() {
        let error = StepError::from(HostError::Unavailable("search index rebuilding".into()));
        assert_eq!(error.kind, StepErrorKind::DependencyFailed);
        assert!(error.retryable);
        assert!(error.message.contains("search index rebuilding"));
    }

    #[test]
    fn invalid_and_limit_are_not_retryable() {
        let invalid = StepError::from(HostError::Invalid("empty key".into()));
        assert_eq!(invalid.kind, StepErrorKind::InvalidInput);
        assert!(!invalid.retryable);
        let limit = StepError::from(HostError::Limit("kv value over 64 KiB".into()));
        assert_eq!(limit.kind, StepErrorKind::Internal);
        assert!(!limit.retryable);
    }

    #[test]
    fn only_dependency_errors_are_retryable() {
        assert!(StepError::dependency("crm down").retryable);
        for error in [
            StepError::invalid_input("x"),
            StepError::invalid_config("x"),
            StepError::internal("x"),
            StepError::capability_denied("x"),
        ] {
            assert!(!error.retryable, "{error:?}");
        }
    }
}
