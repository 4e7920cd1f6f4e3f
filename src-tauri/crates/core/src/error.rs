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
    /// The capability asked for is not part of this build yet (the connection is fine).
    Unavailable,
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

impl ErrorKind {
    /// The kind every failure of a run shares, when they share one (`None` without failures,
    /// when one has no kind, or when they differ): the CLI exits with its code.
    pub fn common(kinds: impl IntoIterator<Item = Option<ErrorKind>>) -> Option<ErrorKind> {
        let mut common = None;
        for kind in kinds {
            match (common, kind) {
                (_, None) => return None,
                (None, Some(k)) => common = Some(k),
                (Some(c), Some(k)) if c == k => {}
                _ => return None,
            }
        }
        common
    }
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
    #[error("{0}")]
    Unavailable(String),
    #[error("Connection {id} ({name}) was disconnected{since}. Connect it again with its client id and secret: open Connection in the app, or run `fleetward-cli connect`.")]
    Disconnected {
        id: crate::ids::ConnectionId,
        name: String,
        /// " on <time>" when known.
        since: String,
    },
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
    #[error("The store at {path} looks damaged ({reason}). Nothing was changed. Restore the data folder from a backup, or move it aside to start afresh.")]
    StoreDamaged { path: String, reason: String },
    #[error("Another Fleetward process kept the store busy for too long, so nothing was written. Try again; if it repeats, close other Fleetward windows or commands.")]
    StoreBusy {
        #[source]
        source: sqlx::Error,
    },
    #[error("The disk is full (the one holding Fleetward's data folder), so this was not written. Free some space on it, or move the data folder to another disk with --data-dir, then try again.")]
    DiskFull {
        #[source]
        source: sqlx::Error,
    },
    #[error("The store could not use its files on disk ({source}); nothing was half-written. The disk holding Fleetward's data folder may be full or failing: free some space on it and try again; if it has space, check the disk for errors.")]
    DiskIo {
        #[source]
        source: sqlx::Error,
    },
    #[error("The store failed ({source}); nothing was half-written. Try again; if it repeats, restart Fleetward and report this message.")]
    Database {
        #[source]
        source: sqlx::Error,
    },
    #[error("The store's schema could not be brought up to date ({source}); nothing was changed. Restore a backup of {path} or contact support.")]
    Migration {
        path: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("The stored {what} is not one this version of Fleetward knows ({value:?}). Nothing was changed. Install the newest Fleetward.")]
    UnknownStoredValue { what: &'static str, value: String },
    #[error("{action} did not finish within {after_secs} s{waiting}, so it was stopped; nothing was half-written. Check the address and the network, or try again later.")]
    DeadlineExceeded {
        action: &'static str,
        after_secs: u64,
        /// ": <what was being waited for>" when known.
        waiting: String,
    },
    #[error(transparent)]
    NinjaOne(#[from] ninjaone::Error),
    #[error("NinjaOne at {host} accepted the credentials but shows this API client no organizations: its permissions hide every organization. In NinjaOne, give the API application access to your customer organizations, then test again.")]
    NoOrganizations { host: String },
    /// A run whose every part failed the same way: the run's summary, with that kind.
    #[error("{message}")]
    RunFailed { kind: ErrorKind, message: String },
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
            Error::Unavailable(_) => ErrorKind::Unavailable,
            Error::Disconnected { .. } => ErrorKind::InvalidInput,
            Error::DataDir { .. }
            | Error::SelfCheck(_)
            | Error::Keychain(_)
            | Error::WrongStoreKey { .. }
            | Error::StoreKeyMissing
            | Error::StoreNewer { .. }
            | Error::StoreLocked { .. }
            | Error::StoreDamaged { .. }
            | Error::StoreBusy { .. }
            | Error::DiskFull { .. }
            | Error::DiskIo { .. }
            | Error::Database { .. }
            | Error::Migration { .. }
            | Error::UnknownStoredValue { .. } => ErrorKind::Store,
            Error::DeadlineExceeded { .. } => ErrorKind::Unreachable,
            Error::NinjaOne(err) => match err.category() {
                ninjaone::ErrorCategory::InvalidInput => ErrorKind::InvalidInput,
                ninjaone::ErrorCategory::Authentication => ErrorKind::Authentication,
                ninjaone::ErrorCategory::Unreachable => ErrorKind::Unreachable,
                ninjaone::ErrorCategory::Throttled => ErrorKind::Throttled,
                ninjaone::ErrorCategory::Other => ErrorKind::Internal,
            },
            Error::NoOrganizations { .. } => ErrorKind::Authentication,
            Error::RunFailed { kind, .. } => *kind,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }
}

/// SQLite's primary result codes we act on (https://sqlite.org/rescode.html). The extended
/// code sqlx reports carries the primary one in its low byte.
mod sqlite_code {
    pub const BUSY: i64 = 5;
    pub const LOCKED: i64 = 6;
    /// An I/O error of the operating system; with a full disk, SQLite reports growing its
    /// shared-memory file as `SQLITE_IOERR_SHMSIZE` rather than `SQLITE_FULL`.
    pub const IOERR: i64 = 10;
    pub const CORRUPT: i64 = 11;
    pub const FULL: i64 = 13;
    pub const NOTADB: i64 = 26;
}

/// The primary SQLite result code of a database error, if it is one.
pub(crate) fn sqlite_primary_code(err: &sqlx::Error) -> Option<i64> {
    let sqlx::Error::Database(db) = err else {
        return None;
    };
    db.code()?.parse::<i64>().ok().map(|code| code & 0xff)
}

/// Store failures are classified by SQLite's result code, never by message text, and keep
/// their source.
impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Error {
        match sqlite_primary_code(&err) {
            Some(sqlite_code::BUSY | sqlite_code::LOCKED) => Error::StoreBusy { source: err },
            Some(sqlite_code::FULL) => Error::DiskFull { source: err },
            Some(sqlite_code::IOERR) => Error::DiskIo { source: err },
            Some(sqlite_code::CORRUPT | sqlite_code::NOTADB) => Error::StoreDamaged {
                path: "the store".into(),
                reason: err.to_string(),
            },
            _ => Error::Database { source: err },
        }
    }
}

/// Whether an error is SQLite refusing a file because its key is wrong ("file is not a
/// database") or because the file is not a store at all.
pub(crate) fn is_not_a_database(err: &sqlx::Error) -> bool {
    sqlite_primary_code(err) == Some(sqlite_code::NOTADB)
}

/// Whether another connection holds a lock SQLite gave up waiting for.
pub(crate) fn is_busy(err: &sqlx::Error) -> bool {
    matches!(
        sqlite_primary_code(err),
        Some(sqlite_code::BUSY | sqlite_code::LOCKED)
    )
}

/// Whether a write broke a uniqueness rule of the schema.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation)
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

#[cfg(test)]
mod tests {
    use super::ErrorKind;

    #[test]
    fn a_run_has_a_common_failure_kind_only_when_every_failure_shares_it() {
        let unreachable = Some(ErrorKind::Unreachable);
        assert_eq!(ErrorKind::common([unreachable, unreachable]), unreachable);
        assert_eq!(ErrorKind::common([]), None, "no failure");
        assert_eq!(
            ErrorKind::common([unreachable, Some(ErrorKind::Authentication)]),
            None
        );
        assert_eq!(ErrorKind::common([unreachable, None]), None);
    }
}
