//! Where secrets live outside the encrypted store: the OS keychain (Windows Credential
//! Manager, macOS Keychain, Secret Service on Linux) behind a small trait, so that unit tests
//! can use memory instead (SPEC §9). Only the store key lives here; the client secret lives
//! in the encrypted store.

use std::fmt::Debug;

use secrecy::SecretString;

use crate::{Error, Result};

/// The keychain service name Fleetward's entries are filed under.
pub const SERVICE: &str = "com.fleetward.desktop";

pub trait SecretStore: Send + Sync + Debug {
    fn get(&self, name: &str) -> Result<Option<SecretString>>;
    fn set(&self, name: &str, value: &SecretString) -> Result<()>;
    /// Deleting a secret that is not there is not an error.
    fn delete(&self, name: &str) -> Result<()>;
}

/// The operating system's keychain.
#[derive(Debug, Clone)]
pub struct KeyringSecrets {
    service: String,
}

impl KeyringSecrets {
    pub fn new() -> KeyringSecrets {
        KeyringSecrets {
            service: SERVICE.to_string(),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, name).map_err(keychain_error)
    }
}

impl Default for KeyringSecrets {
    fn default() -> Self {
        Self::new()
    }
}

impl SecretStore for KeyringSecrets {
    fn get(&self, name: &str) -> Result<Option<SecretString>> {
        match self.entry(name)?.get_password() {
            Ok(value) => Ok(Some(SecretString::from(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(keychain_error(err)),
        }
    }

    fn set(&self, name: &str, value: &SecretString) -> Result<()> {
        use secrecy::ExposeSecret;
        self.entry(name)?
            .set_password(value.expose_secret())
            .map_err(keychain_error)
    }

    fn delete(&self, name: &str) -> Result<()> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(keychain_error(err)),
        }
    }
}

fn keychain_error(err: keyring::Error) -> Error {
    Error::Keychain(format!(
        "Fleetward keeps its store key in the system keychain and could not use it ({err}). \
         Reopening Fleetward will not change that: unlock or create your login keyring (on Linux: \
         GNOME Keyring's \"Passwords and Keys\" or KWallet, with a default collection), then start \
         Fleetward again. On a headless machine set FLEETWARD_STORE_KEY instead. The demo \
         (`cargo xtask demo`, or `fleetward --demo`) needs no keychain."
    ))
}

/// Secrets in files beside the store, readable by their owner only. For the demo's own data
/// folder only (SPEC §9: its data is made up, so its key may live beside its store and the
/// demo starts wherever there is a display); real stores keep their key in the keychain.
#[derive(Debug, Clone)]
pub struct DemoFolderSecrets {
    folder: std::path::PathBuf,
}

impl DemoFolderSecrets {
    pub fn new(folder: &std::path::Path) -> DemoFolderSecrets {
        DemoFolderSecrets {
            folder: folder.to_path_buf(),
        }
    }

    /// Whether `folder` is a demo folder: it has a demo key, or no store yet.
    pub fn is_demo_folder(folder: &std::path::Path) -> bool {
        DemoFolderSecrets::new(folder)
            .file(crate::store::STORE_KEY_SECRET)
            .exists()
            || !crate::store::Store::path_in(folder).exists()
    }

    fn file(&self, name: &str) -> std::path::PathBuf {
        self.folder.join(format!("demo-{name}"))
    }

    fn failed(&self, name: &str, err: std::io::Error) -> Error {
        Error::DataDir {
            path: self.file(name).display().to_string(),
            source: err,
        }
    }
}

impl SecretStore for DemoFolderSecrets {
    fn get(&self, name: &str) -> Result<Option<SecretString>> {
        match std::fs::read_to_string(self.file(name)) {
            Ok(value) => Ok(Some(SecretString::from(value.trim().to_string()))),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(self.failed(name, err)),
        }
    }

    fn set(&self, name: &str, value: &SecretString) -> Result<()> {
        use secrecy::ExposeSecret;
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(self.file(name))
            .map_err(|e| self.failed(name, e))?;
        file.write_all(value.expose_secret().as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| self.failed(name, e))
    }

    fn delete(&self, name: &str) -> Result<()> {
        match std::fs::remove_file(self.file(name)) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(self.failed(name, err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn a_demo_folder_keeps_its_key_beside_the_store_for_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            DemoFolderSecrets::is_demo_folder(dir.path()),
            "an empty folder may hold a demo"
        );
        let secrets = DemoFolderSecrets::new(dir.path());
        secrets
            .set("store-key", &SecretString::from("abc"))
            .unwrap();
        assert_eq!(
            secrets.get("store-key").unwrap().unwrap().expose_secret(),
            "abc"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("demo-store-key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(crate::store::Store::path_in(dir.path()), b"").unwrap();
        assert!(DemoFolderSecrets::is_demo_folder(dir.path()));
        secrets.delete("store-key").unwrap();
        assert!(
            !DemoFolderSecrets::is_demo_folder(dir.path()),
            "a store without a demo key is a real store"
        );
    }
}

/// Secrets in memory, for tests only: nothing survives the process.
#[cfg(any(test, feature = "test-support"))]
#[derive(Debug, Default)]
pub struct MemorySecrets(std::sync::Mutex<std::collections::HashMap<String, String>>);

#[cfg(any(test, feature = "test-support"))]
impl SecretStore for MemorySecrets {
    fn get(&self, name: &str) -> Result<Option<SecretString>> {
        let map = self.0.lock().expect("memory secrets poisoned");
        Ok(map.get(name).map(|v| SecretString::from(v.clone())))
    }

    fn set(&self, name: &str, value: &SecretString) -> Result<()> {
        use secrecy::ExposeSecret;
        let mut map = self.0.lock().expect("memory secrets poisoned");
        map.insert(name.to_string(), value.expose_secret().to_string());
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<()> {
        self.0.lock().expect("memory secrets poisoned").remove(name);
        Ok(())
    }
}
