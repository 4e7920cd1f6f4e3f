//! The engine's error type. Every variant carries a message that says what failed and what
//! to do about it, because these messages reach technicians unchanged (SPEC §8). Callers
//! branch on [`ErrorKind`], never on message text.

use serde::Serialize;
use ts_rs::TS;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable, machine-readable category of an [`Error`]. The UI and the CLI's exit codes are
/// keyed on this; renaming a variant is a breaking change of the IPC contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ErrorKind {
    /// The user gave something we cannot use (a malformed URL, an unknown id).
    InvalidInput,
    /// The action needs something that is not set up yet (e.g. no NinjaOne connection).
    NotConfigured,
    /// NinjaOne refused the credentials.
    Authentication,
    /// NinjaOne could not be reached.
    Unreachable,
    /// NinjaOne throttled us beyond the retry budget.
    Throttled,
    /// The local store cannot be opened or used.
    Store,
    /// Anything else; the message still says what to do.
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotConfigured(String),
    #[error("The data folder {path} cannot be used: {source}. Choose another folder with --data-dir or FLEETWARD_DATA_DIR, or fix its permissions.")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("The encrypted store failed its self-check: {0}")]
    SelfCheck(String),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::NotConfigured(_) => ErrorKind::NotConfigured,
            Error::DataDir { .. } | Error::SelfCheck(_) => ErrorKind::Store,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }
}

/// The one error shape that crosses IPC and the CLI's `--json` output: a stable `kind` to
/// branch on and a `message` that says what happened and what to do. Never contains a
/// secret: messages are built from our own text and redacted values only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ErrorReport {
    pub kind: ErrorKind,
    pub message: String,
}

impl ErrorReport {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ErrorReport {
            kind,
            message: message.into(),
        }
    }
}

impl From<Error> for ErrorReport {
    fn from(err: Error) -> Self {
        ErrorReport::new(err.kind(), err.to_string())
    }
}

impl std::fmt::Display for ErrorReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ErrorReport {}
