//! Start-up self-check. Fleetward must never write customer data unencrypted, and plain
//! SQLite silently ignores `PRAGMA key` (reference/tauri-facts.md §4.3), so before anything
//! else the engine proves that the SQLite it links is SQLCipher.

use serde::Serialize;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use ts_rs::TS;

use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SelfCheck {
    /// `PRAGMA cipher_version`, e.g. "4.5.7 community". `None` means no SQLCipher.
    pub sqlcipher_version: Option<String>,
    pub sqlite_version: String,
}

impl SelfCheck {
    /// Runs the check on a throw-away in-memory database.
    pub async fn run() -> Result<SelfCheck> {
        super::crypto::init_for_clean_exit();
        let internal = |e: sqlx::Error| Error::SelfCheck(e.to_string());
        let mut conn = SqliteConnectOptions::new()
            .in_memory(true)
            .connect()
            .await
            .map_err(internal)?;
        let cipher: Option<String> = sqlx::query_scalar("PRAGMA cipher_version")
            .fetch_optional(&mut conn)
            .await
            .map_err(internal)?;
        let sqlite_version: String = sqlx::query_scalar("SELECT sqlite_version()")
            .fetch_one(&mut conn)
            .await
            .map_err(internal)?;
        conn.close().await.map_err(internal)?;
        Ok(SelfCheck {
            sqlcipher_version: cipher.filter(|v| !v.trim().is_empty()),
            sqlite_version,
        })
    }

    /// Refuses to go on without SQLCipher (SPEC §9: never silently unencrypted).
    pub fn require_cipher(&self) -> Result<()> {
        match self.sqlcipher_version {
            Some(_) => Ok(()),
            None => Err(Error::SelfCheck(format!(
                "SQLite {} was built without SQLCipher, so the store could not be encrypted. \
                 This build is broken; reinstall Fleetward.",
                self.sqlite_version
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn linked_sqlite_is_sqlcipher() {
        let check = SelfCheck::run().await.unwrap();
        let version = check
            .sqlcipher_version
            .clone()
            .expect("SQLCipher must be linked");
        assert!(
            version.starts_with('4'),
            "unexpected cipher version {version}"
        );
        check.require_cipher().unwrap();
    }

    #[test]
    fn a_build_without_sqlcipher_is_refused_with_a_fix() {
        let plain = SelfCheck {
            sqlcipher_version: None,
            sqlite_version: "3.45.3".into(),
        };
        let err = plain.require_cipher().unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Store);
        assert!(err.to_string().contains("without SQLCipher"));
    }
}
