use weft_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A step's plugin could not be loaded or deployed as the workflow says.
    #[error("{0}")]
    Binding(String),
    /// The stored workflow or run cannot be read back.
    #[error("{0}")]
    Corrupt(String),
    #[error("{0}")]
    NotFound(String),
    /// A request the engine refuses as given (e.g. a rollout whose candidate cannot run the step).
    #[error("{0}")]
    Invalid(String),
}
