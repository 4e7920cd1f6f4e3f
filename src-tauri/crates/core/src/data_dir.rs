//! Where Fleetward keeps its store (SPEC §9): the platform's app-data folder unless the user
//! points elsewhere with `--data-dir` or `FLEETWARD_DATA_DIR`. The app and the CLI resolve it
//! the same way so that both open the same store.

use std::path::PathBuf;

use crate::{Error, Result};

/// Environment variable that overrides the platform data folder.
pub const DATA_DIR_ENV: &str = "FLEETWARD_DATA_DIR";

/// Chooses the data folder: an explicit path wins, then `FLEETWARD_DATA_DIR`, then the
/// platform default (`%APPDATA%\Fleetward\data`, `~/Library/Application Support/…`,
/// `$XDG_DATA_HOME/fleetward`).
pub fn resolve(explicit: Option<PathBuf>, env_value: Option<String>) -> Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path);
    }
    if let Some(value) = env_value.filter(|v| !v.trim().is_empty()) {
        return Ok(PathBuf::from(value));
    }
    directories::ProjectDirs::from("com", "Fleetward", "Fleetward")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| {
            Error::NotConfigured(
                "No home folder was found to keep Fleetward's data in. Set FLEETWARD_DATA_DIR or pass --data-dir."
                    .into(),
            )
        })
}

/// Resolves with the process environment.
pub fn from_env(explicit: Option<PathBuf>) -> Result<PathBuf> {
    resolve(explicit, std::env::var(DATA_DIR_ENV).ok())
}

/// Creates the folder if needed and proves it is writable, so that a bad folder is reported
/// at start-up with its path instead of mid-sync.
pub fn ensure_usable(path: &std::path::Path) -> Result<()> {
    let to_error = |source| Error::DataDir {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(path).map_err(to_error)?;
    let probe = tempfile_in(path).map_err(to_error)?;
    std::fs::remove_file(probe).map_err(to_error)
}

fn tempfile_in(dir: &std::path::Path) -> std::io::Result<PathBuf> {
    let probe = dir.join(format!(".fleetward-write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    Ok(probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_folder_wins_over_environment() {
        let chosen = resolve(Some("/a".into()), Some("/b".into())).unwrap();
        assert_eq!(chosen, PathBuf::from("/a"));
    }

    #[test]
    fn environment_wins_over_platform_default_but_blank_is_ignored() {
        assert_eq!(
            resolve(None, Some("/b".into())).unwrap(),
            PathBuf::from("/b")
        );
        let default = resolve(None, Some("  ".into())).unwrap();
        assert_ne!(default, PathBuf::from("  "));
        assert!(default
            .to_string_lossy()
            .to_lowercase()
            .contains("fleetward"));
    }

    #[test]
    fn unwritable_folder_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, b"x").unwrap();
        let err = ensure_usable(&file.join("data")).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Store);
        assert!(err.to_string().contains("not-a-folder"), "{err}");
        assert!(err.to_string().contains("--data-dir"), "{err}");
    }
}
