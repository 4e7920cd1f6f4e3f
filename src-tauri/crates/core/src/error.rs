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
    /// The company, organization or connection named does not exist.
    NotFound,
    /// The same work is already running (single flight per mapping).
    AlreadyRunning,
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
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    AlreadyRunning(String),
    #[error("The data folder {path} cannot be used: {source}. Choose another folder with --data-dir or FLEETWARD_DATA_DIR, or fix its permissions.")]
    DataDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("The encrypted store failed its self-check: {0}")]
    SelfCheck(String),
    #[error("{0}")]
    Keychain(String),
    #[error("The store at {path} cannot be opened with this key. Nothing was changed. If FLEETWARD_STORE_KEY is set, check it is the key this store was created with; otherwise the keychain entry no longer matches the store.")]
    WrongStoreKey { path: String },
    #[error("The store exists but its key is not in the system keychain. Nothing was changed. Set FLEETWARD_STORE_KEY to the store's key, or restore the keychain entry.")]
    StoreKeyMissing,
    #[error("The store at {path} was written by a newer Fleetward (schema {store_version}; this version knows up to {app_version}). It was left untouched: install the newer Fleetward.")]
    StoreNewer {
        path: String,
        store_version: i64,
        app_version: i64,
    },
    #[error("The store at {path} is locked by another program for too long. Close other Fleetward windows or commands and try again.")]
    StoreLocked { path: String },
    #[error("The store failed: {0}")]
    Database(String),
    #[error(transparent)]
    NinjaOne(#[from] ninjaone::Error),
    #[error("NinjaOne at {host} accepted the credentials but shows this API client no organizations: its permissions hide every organization. In NinjaOne, give the API application access to your customer organizations, then test again.")]
    NoOrganizations { host: String },
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::NotConfigured(_) => ErrorKind::NotConfigured,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::AlreadyRunning(_) => ErrorKind::AlreadyRunning,
            Error::DataDir { .. }
            | Error::SelfCheck(_)
            | Error::Keychain(_)
            | Error::WrongStoreKey { .. }
            | Error::StoreKeyMissing
            | Error::StoreNewer { .. }
            | Error::StoreLocked { .. }
            | Error::Database(_) => ErrorKind::Store,
            Error::NinjaOne(err) => match err.category() {
                ninjaone::ErrorCategory::InvalidInput => ErrorKind::InvalidInput,
                ninjaone::ErrorCategory::Authentication => ErrorKind::Authentication,
                ninjaone::ErrorCategory::Unreachable => ErrorKind::Unreachable,
                ninjaone::ErrorCategory::Throttled => ErrorKind::Throttled,
                ninjaone::ErrorCategory::Other => ErrorKind::Internal,
            },
            Error::NoOrganizations { .. } => ErrorKind::Authentication,
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
