//! Where Fleetward keeps its store (SPEC §9): the platform's app-data folder unless the user
//! points elsewhere with `--data-dir` or `FLEETWARD_DATA_DIR`. The app and the CLI resolve it
//! the same way so that both open the same store.

use std::path::PathBuf;

use crate::{Error, Result};

/// Environment variable that overrides the platform data folder.
pub const DATA_DIR_ENV: &str = "FLEETWARD_DATA_DIR";

/// Chooses the data folder: an explicit path wins, then `FLEETWARD_DATA_DIR`, then the
/// platform default of SPEC §13 (`%APPDATA%\Fleetward`, `~/Library/Application
/// Support/Fleetward`, `$XDG_DATA_HOME/fleetward`).
pub fn resolve(explicit: Option<PathBuf>, env_value: Option<String>) -> Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path);
    }
    if let Some(value) = env_value.filter(|v| !v.trim().is_empty()) {
        return Ok(PathBuf::from(value));
    }
    // `BaseDirs::data_dir` is the roaming app-data folder on Windows, Application Support on
    // macOS and XDG_DATA_HOME on Linux; the app's own folder is named inside it (ProjectDirs
    // would add an organisation level on Windows and a reverse-DNS name on macOS).
    let default = directories::BaseDirs::new()
        .map(|dirs| dirs.data_dir().join(PLATFORM_FOLDER_NAME))
        .ok_or_else(|| {
            Error::NotConfigured(
                "No home folder was found to keep Fleetward's data in. Set FLEETWARD_DATA_DIR or pass --data-dir."
                    .into(),
            )
        })?;
    let earlier = directories::ProjectDirs::from("com", "Fleetward", "Fleetward")
        .map(|dirs| dirs.data_dir().to_path_buf());
    Ok(keep_earlier_folder(default, earlier))
}

/// Versions up to 0.1 kept their data one level deeper on Windows
/// (`%APPDATA%\Fleetward\Fleetward\data`) and under a reverse-DNS name on macOS: a store
/// found there, with nothing yet in the new place, stays where it is rather than being
/// replaced by an empty one. (On Linux both places are the same.)
fn keep_earlier_folder(default: PathBuf, earlier: Option<PathBuf>) -> PathBuf {
    match earlier {
        Some(earlier)
            if earlier != default
                && !default.join(crate::store::FILE_NAME).exists()
                && earlier.join(crate::store::FILE_NAME).exists() =>
        {
            earlier
        }
        _ => default,
    }
}

/// The name of Fleetward's folder inside the platform's app-data folder (SPEC §13): lower
/// case where folder names are conventionally so (XDG), capitalised elsewhere.
const PLATFORM_FOLDER_NAME: &str = if cfg!(any(windows, target_os = "macos")) {
    "Fleetward"
} else {
    "fleetward"
};

/// Resolves with the process environment.
pub fn from_env(explicit: Option<PathBuf>) -> Result<PathBuf> {
    resolve(explicit, std::env::var(DATA_DIR_ENV).ok())
}

/// Creates the folder if needed (readable by its owner only), and proves it is writable, so
/// that a bad folder is reported at start-up with its path instead of mid-sync.
pub fn ensure_usable(path: &std::path::Path) -> Result<()> {
    let to_error = |source| Error::DataDir {
        path: path.display().to_string(),
        source,
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path).map_err(to_error)?;
    restrict_to_owner(path).map_err(to_error)?;
    let probe = tempfile_in(path).map_err(to_error)?;
    std::fs::remove_file(probe).map_err(to_error)
}

/// The data folder holds customer data: nobody but its owner may list or read it. A folder
/// made by an older version (0755) is narrowed too.
fn restrict_to_owner(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The file whose lock processes take while they start on a data folder.
const START_LOCK_FILE: &str = ".fleetward-start.lock";

/// How long a starting process waits for another one to finish starting.
const START_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Held while a process makes or opens the store key and the store, so that processes
/// starting on the same new folder take turns (one creates the key and the schema, the others
/// then find them) instead of racing. Released on drop; the OS releases it if the process
/// dies.
pub struct StartLock {
    _file: std::fs::File,
}

impl StartLock {
    pub async fn acquire(data_dir: &std::path::Path) -> Result<StartLock> {
        let path = data_dir.join(START_LOCK_FILE);
        let to_error = |source| Error::DataDir {
            path: path.display().to_string(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(to_error)?;
        let deadline = tokio::time::Instant::now() + START_LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(StartLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock)
                    if tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(std::time::Duration::from_millis(25)).await;
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::StoreLocked {
                        path: data_dir.display().to_string(),
                    })
                }
                Err(std::fs::TryLockError::Error(err)) => return Err(to_error(err)),
            }
        }
    }
}

fn tempfile_in(dir: &std::path::Path) -> std::io::Result<PathBuf> {
    let probe = dir.join(format!(".fleetward-write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    Ok(probe)
}

/// Proof that an engine instance is alive, for the others on the same data folder: a file it
/// keeps locked for its lifetime. The OS releases the lock when the process ends, however it
/// ends, so a lock whose holder's file can be locked by someone else belongs to the dead and
/// is taken over at once (a `kill -9`'d sync does not block the next one).
pub struct HolderFile {
    path: PathBuf,
    _file: std::fs::File,
}

const HOLDERS: &str = ".holders";

impl HolderFile {
    pub fn create(data_dir: &std::path::Path, holder: &str) -> Result<HolderFile> {
        let folder = data_dir.join(HOLDERS);
        let path = folder.join(format!("{holder}.lock"));
        let to_error = |source| Error::DataDir {
            path: path.display().to_string(),
            source,
        };
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&folder).map_err(to_error)?;
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(to_error)?;
        file.lock().map_err(to_error)?;
        Ok(HolderFile { path, _file: file })
    }
}

impl Drop for HolderFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether the engine instance `holder` is still running on this data folder.
pub fn holder_alive(data_dir: &std::path::Path, holder: &str) -> bool {
    let path = data_dir.join(HOLDERS).join(format!("{holder}.lock"));
    let Ok(file) = std::fs::OpenOptions::new().write(true).open(&path) else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => {
            // Nobody holds it: its holder is gone. Clear the leftover.
            let _ = std::fs::remove_file(&path);
            false
        }
        Err(std::fs::TryLockError::WouldBlock) => true,
        // Unknown: treat as alive, and let the lock expire on its own.
        Err(std::fs::TryLockError::Error(_)) => true,
    }
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
    fn a_store_in_the_earlier_default_folder_is_kept_until_the_new_one_has_one() {
        let root = tempfile::tempdir().unwrap();
        let (new, old) = (root.path().join("Fleetward"), root.path().join("old"));
        assert_eq!(keep_earlier_folder(new.clone(), Some(old.clone())), new);
        std::fs::create_dir_all(&old).unwrap();
        std::fs::write(old.join(crate::store::FILE_NAME), b"x").unwrap();
        assert_eq!(keep_earlier_folder(new.clone(), Some(old.clone())), old);
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(new.join(crate::store::FILE_NAME), b"y").unwrap();
        assert_eq!(keep_earlier_folder(new.clone(), Some(old)), new);
    }

    #[test]
    fn the_platform_default_is_fleetwards_own_folder_in_the_app_data_folder() {
        let default = resolve(None, None).unwrap();
        let app_data = directories::BaseDirs::new()
            .unwrap()
            .data_dir()
            .to_path_buf();
        assert_eq!(default, app_data.join(PLATFORM_FOLDER_NAME));
        // SPEC §13 names it exactly: %APPDATA%\Fleetward, no organisation level between.
        #[cfg(windows)]
        assert_eq!(
            default,
            PathBuf::from(std::env::var_os("APPDATA").unwrap()).join("Fleetward")
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_data_folder_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        ensure_usable(&data).unwrap();
        let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        ensure_usable(&data).unwrap();
        let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "an older, wider folder is narrowed");
    }

    #[tokio::test]
    async fn a_second_starter_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let first = StartLock::acquire(dir.path()).await.unwrap();
        let waiting = std::time::Duration::from_millis(200);
        let second = tokio::time::timeout(waiting, StartLock::acquire(dir.path())).await;
        assert!(
            second.is_err(),
            "the second starter must wait while the lock is held"
        );
        drop(first);
        StartLock::acquire(dir.path())
            .await
            .expect("free once the first has started");
    }

    #[test]
    fn a_holder_is_alive_while_its_file_is_held_and_dead_after() {
        let dir = tempfile::tempdir().unwrap();
        let holder = HolderFile::create(dir.path(), "h-1").unwrap();
        assert!(holder_alive(dir.path(), "h-1"));
        assert!(!holder_alive(dir.path(), "h-unknown"));
        drop(holder);
        assert!(!holder_alive(dir.path(), "h-1"));
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
