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
        "The system keychain is not available ({err}). On Linux, unlock your login keyring \
         (GNOME Keyring or KWallet); on a headless machine set FLEETWARD_STORE_KEY instead."
    ))
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
