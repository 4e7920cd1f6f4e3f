//! The encrypted store (SPEC §9): SQLite through sqlx, encrypted with SQLCipher, keyed with
//! 32 random bytes from the OS keychain (or `FLEETWARD_STORE_KEY`). Opening never creates an
//! empty store in place of one it cannot read, never runs unencrypted, and never touches a
//! store written by a newer Fleetward. WAL, a busy timeout on every pooled connection and
//! immediate write transactions let the app and several CLI processes write at the same time:
//! a writer waits its turn instead of failing.
//!
//! Every query of the engine lives below this module, one module per table or aggregate,
//! taking and returning typed rows. Nothing outside `store/` writes SQL.

pub mod assets;
pub mod audit;
pub mod companies;
pub mod compliance;
pub mod connections;
pub mod crypto;
pub mod incidents;
mod key;
pub mod leases;
pub mod locks;
pub mod organizations;
pub mod runs;
pub mod self_check;
pub mod settings;
pub mod webhook_inbox;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Sqlite, SqlitePool, Transaction};

pub use key::{resolve_key, StoreKey, STORE_KEY_ENV, STORE_KEY_SECRET};

use crate::error::{is_busy, is_not_a_database};
use crate::{Error, Result};

/// The store's file inside the data folder.
pub const FILE_NAME: &str = "fleetward.db";

/// How long a writer waits for another process's write to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A transaction that holds the write lock from its first statement.
pub type WriteTx = Transaction<'static, Sqlite>;

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    pub fn path_in(data_dir: &Path) -> PathBuf {
        data_dir.join(FILE_NAME)
    }

    /// Opens (or creates) the store in `data_dir` with `key`, then brings its schema up to
    /// date.
    pub async fn open(data_dir: &Path, key: &StoreKey) -> Result<Store> {
        crypto::init_for_clean_exit();
        let path = Self::path_in(data_dir);
        refuse_damaged(&path)?;
        create_private(&path)?;
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|source| Error::Database { source })?
            .filename(&path)
            .create_if_missing(true)
            // Spliced verbatim into `PRAGMA key = …`; sqlx runs it before every other pragma
            // (tauri-facts.md §4.2). The raw-key form skips SQLCipher's KDF on every connection.
            .pragma("key", key.pragma_value())
            // Freed pages (an overwritten client secret among them) are zeroed, not left behind.
            .pragma("secure_delete", "ON")
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            // sqlx logs every statement it runs at debug level, and the first one of each
            // connection is `PRAGMA key = …`: no statement is ever logged (no secret at any
            // log level).
            .log_statements(log::LevelFilter::Off)
            .log_slow_statements(log::LevelFilter::Off, Duration::MAX);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A connection whose COMMIT or ROLLBACK failed (SQLITE_FULL: SQLite rolls the
            // transaction back itself, so the ROLLBACK on drop fails too) comes back to the
            // pool believing it is still inside a transaction, and every later `write()` on
            // it would fail with "begin_with at non-zero transaction depth". Such a
            // connection is closed instead of reused; the pool opens a fresh one.
            .before_acquire(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .connect_with(options)
            .await
            .map_err(|e| opening_error(&path, e))?;
        let store = Store { pool, path };
        store.verify_cipher().await?;
        store.verify_key().await?;
        store.migrate().await?;
        restrict_permissions(&store.path);
        Ok(store)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts a write transaction that takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// it waits for other writers through the busy timeout instead of failing later when a
    /// read would have to turn into a write.
    pub async fn write(&self) -> Result<WriteTx> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub async fn cipher_version(&self) -> Result<Option<String>> {
        let version: Option<String> = sqlx::query_scalar("PRAGMA cipher_version")
            .fetch_optional(&self.pool)
            .await?;
        Ok(version.filter(|v| !v.trim().is_empty()))
    }

    /// Plain SQLite ignores `PRAGMA key` and would write plaintext: refuse (tauri-facts §4.3).
    async fn verify_cipher(&self) -> Result<()> {
        match self.cipher_version().await? {
            Some(_) => Ok(()),
            None => Err(Error::SelfCheck(
                "this build's SQLite has no SQLCipher, so the store would not be encrypted; \
                 reinstall Fleetward"
                    .into(),
            )),
        }
    }

    /// A wrong key only shows on the first read ("file is not a database").
    async fn verify_key(&self) -> Result<()> {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM sqlite_master")
            .fetch_one(&self.pool)
            .await
            .map(|_| ())
            .map_err(|e| opening_error(&self.path, e))
    }

    /// Brings the schema up to date under the write lock, so that processes opening a new
    /// store at the same moment apply each migration once: the first migrates, the others
    /// wait for it and then find nothing to do.
    async fn migrate(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(|e| {
            if is_busy(&e) {
                Error::StoreLocked {
                    path: self.path.display().to_string(),
                }
            } else {
                e.into()
            }
        })?;
        let newest_known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        if let Some(applied) = applied_version(&mut tx)
            .await?
            .filter(|v| *v > newest_known)
        {
            return Err(Error::StoreNewer {
                path: self.path.display().to_string(),
                store_version: applied,
                app_version: newest_known,
            });
        }
        MIGRATOR
            .run_direct(&mut *tx)
            .await
            .map_err(|source| Error::Migration {
                path: self.path.display().to_string(),
                source,
            })?;
        organizations::backfill_name_keys(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// `PRAGMA integrity_check`: "ok", or SQLite's list of what is wrong.
    pub async fn integrity_check(&self) -> Result<String> {
        let rows: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.join("; "))
    }

    /// Moves everything from the write-ahead log into the store file and empties the log, so
    /// that no older page image stays behind in it (used after wiping a secret).
    pub async fn checkpoint(&self) -> Result<()> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Checkpoints, then closes. Without the explicit checkpoint the last connection would do
    /// it at some moment after `close` returns.
    pub async fn close(&self) {
        if let Err(err) = self.checkpoint().await {
            tracing::warn!(error = %err, "could not checkpoint the store before closing");
        }
        self.pool.close().await;
    }
}

/// The newest migration applied to the store, or `None` for a new store.
async fn applied_version(conn: &mut SqliteConnection) -> Result<Option<i64>> {
    let has_table: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(&mut *conn)
    .await?;
    if has_table.is_none() {
        return Ok(None);
    }
    Ok(
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// A store file emptied (by a crash, a bad copy or a sync tool) beside a write-ahead log
/// that still holds data is damaged: opening it would start a new, empty store and the log's
/// data would be lost. Refuse it, touching nothing.
fn refuse_damaged(path: &Path) -> Result<()> {
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).ok();
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    if let (Some(0), Some(wal_size)) = (size(path), size(&wal)) {
        if wal_size > 0 {
            return Err(Error::StoreDamaged {
                path: path.display().to_string(),
                reason: format!(
                    "the store file is empty but its write-ahead log holds {wal_size} bytes"
                ),
            });
        }
    }
    Ok(())
}

/// Creates the store file readable by its owner only, before SQLite creates it with the
/// process's default mode; SQLite gives its `-wal` and `-shm` files the store file's mode.
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(Error::DataDir {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// Stores made by older versions (or copied in) are narrowed to their owner too.
fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if let Ok(meta) = std::fs::metadata(&file) {
            if meta.permissions().mode() & 0o077 != 0 {
                let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn opening_error(path: &Path, err: sqlx::Error) -> Error {
    let path = path.display().to_string();
    if is_not_a_database(&err) {
        Error::WrongStoreKey { path }
    } else if is_busy(&err) {
        Error::StoreLocked { path }
    } else {
        err.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn open(dir: &Path, key: &StoreKey) -> Result<Store> {
        Store::open(dir, key).await
    }

    #[tokio::test]
    async fn the_store_file_is_encrypted_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::generate();
        let store = open(dir.path(), &key).await.unwrap();
        assert!(store
            .cipher_version()
            .await
            .unwrap()
            .unwrap()
            .starts_with('4'));
        sqlx::query("CREATE TABLE canary (v TEXT)")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("INSERT INTO canary VALUES ('plaintext-canary-7731')")
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
        let bytes = std::fs::read(Store::path_in(dir.path())).unwrap();
        assert_ne!(&bytes[..16], b"SQLite format 3\0");
        let needle = b"plaintext-canary-7731";
        for file in std::fs::read_dir(dir.path()).unwrap() {
            // -wal and -shm files may vanish between listing and reading.
            let Ok(content) = std::fs::read(file.unwrap().path()) else {
                continue;
            };
            assert!(!content.windows(needle.len()).any(|w| w == needle));
        }
    }

    #[tokio::test]
    async fn freed_pages_are_zeroed_on_every_pooled_connection() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path(), &StoreKey::generate()).await.unwrap();
        let mut held = Vec::new();
        for _ in 0..4 {
            let mut conn = store.pool().acquire().await.unwrap();
            let on: i64 = sqlx::query_scalar("PRAGMA secure_delete")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(on, 1, "secure_delete is off on a pooled connection");
            held.push(conn);
        }
    }

    #[tokio::test]
    async fn a_checkpoint_leaves_no_write_ahead_log_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(dir.path(), &StoreKey::generate()).await.unwrap();
        sqlx::query("CREATE TABLE t (v TEXT)")
            .execute(store.pool())
            .await
            .unwrap();
        let wal = dir.path().join(format!("{FILE_NAME}-wal"));
        assert!(std::fs::metadata(&wal).unwrap().len() > 0);
        store.checkpoint().await.unwrap();
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
    }

    #[tokio::test]
    async fn a_wrong_key_is_a_clear_error_and_leaves_the_store_intact() {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::generate();
        open(dir.path(), &key).await.unwrap().close().await;
        let before = std::fs::read(Store::path_in(dir.path())).unwrap();
        let err = open(dir.path(), &StoreKey::generate()).await.unwrap_err();
        assert!(matches!(err, Error::WrongStoreKey { .. }), "{err:?}");
        assert_eq!(err.kind(), crate::ErrorKind::Store);
        let after = std::fs::read(Store::path_in(dir.path())).unwrap();
        let differing = before.iter().zip(&after).filter(|(a, b)| a != b).count();
        assert!(
            before.len() == after.len() && differing == 0,
            "{} of {} bytes changed (len {} → {})",
            differing,
            before.len(),
            before.len(),
            after.len()
        );
        open(dir.path(), &key)
            .await
            .expect("the right key still opens it");
    }

    #[tokio::test]
    async fn a_store_from_a_newer_fleetward_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let key = StoreKey::generate();
        let store = open(dir.path(), &key).await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
             VALUES (99999, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
        )
        .execute(store.pool())
        .await
        .unwrap();
        store.close().await;
        let err = open(dir.path(), &key).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::StoreNewer {
                    store_version: 99999,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("newer"), "{err}");
    }
}
