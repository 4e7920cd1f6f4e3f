//! The encrypted store (SPEC §9): SQLite through sqlx, encrypted with SQLCipher, keyed with
//! 32 random bytes from the OS keychain (or `FLEETWARD_STORE_KEY`). Opening never creates an
//! empty store in place of one it cannot read, never runs unencrypted, and never touches a
//! store written by a newer Fleetward. WAL and a busy timeout let the app and the CLI use
//! the store at the same time.

mod key;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub use key::{resolve_key, StoreKey, STORE_KEY_ENV, STORE_KEY_SECRET};

use crate::{Error, Result};

/// The store's file inside the data folder.
pub const FILE_NAME: &str = "fleetward.db";

/// How long a writer waits for another process's write to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

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
        let path = Self::path_in(data_dir);
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(database)?
            .filename(&path)
            .create_if_missing(true)
            // Spliced verbatim into `PRAGMA key = …`; sqlx runs it before every other pragma
            // (tauri-facts.md §4.2). The raw-key form skips SQLCipher's KDF on every connection.
            .pragma("key", key.pragma_value())
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| opening_error(&path, e))?;
        let store = Store { pool, path };
        store.verify_cipher().await?;
        store.verify_key().await?;
        store.migrate().await?;
        Ok(store)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub async fn cipher_version(&self) -> Result<Option<String>> {
        let version: Option<String> = sqlx::query_scalar("PRAGMA cipher_version")
            .fetch_optional(&self.pool)
            .await
            .map_err(database)?;
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

    async fn migrate(&self) -> Result<()> {
        let newest_known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        let applied: Option<i64> =
            match sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations")
                .fetch_one(&self.pool)
                .await
            {
                Ok(version) => version,
                // A new store has no migrations table yet.
                Err(sqlx::Error::Database(e)) if e.message().contains("no such table") => None,
                Err(e) => return Err(database(e)),
            };
        if let Some(applied) = applied.filter(|v| *v > newest_known) {
            return Err(Error::StoreNewer {
                path: self.path.display().to_string(),
                store_version: applied,
                app_version: newest_known,
            });
        }
        MIGRATOR.run(&self.pool).await.map_err(|e| Error::Database(format!(
            "the store's schema could not be updated ({e}); nothing was changed. Restore a backup of {} or contact support.",
            self.path.display()
        )))
    }

    /// Moves everything from the write-ahead log into the store file, then closes. Without
    /// the explicit checkpoint the last connection would do it at some moment after `close`
    /// returns.
    pub async fn close(&self) {
        if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %err, "could not checkpoint the store before closing");
        }
        self.pool.close().await;
    }
}

fn opening_error(path: &Path, err: sqlx::Error) -> Error {
    let text = err.to_string();
    if text.contains("file is not a database") || text.contains("(code: 26)") {
        Error::WrongStoreKey {
            path: path.display().to_string(),
        }
    } else if text.contains("database is locked") || text.contains("(code: 5)") {
        Error::StoreLocked {
            path: path.display().to_string(),
        }
    } else {
        Error::Database(format!(
            "the store at {} could not be opened: {text}",
            path.display()
        ))
    }
}

pub(crate) fn database(err: sqlx::Error) -> Error {
    if err.to_string().contains("database or disk is full") {
        return Error::Database(
            "the disk is full, so nothing was written; free some space and try again".into(),
        );
    }
    Error::Database(err.to_string())
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
