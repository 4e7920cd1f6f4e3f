//! The store key: 32 random bytes made on first run and kept in the OS keychain, or given as
//! 64 hex characters in `FLEETWARD_STORE_KEY` for headless machines and CI (SPEC §9).

use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::secrets::SecretStore;
use crate::{Error, Result};

pub const STORE_KEY_ENV: &str = "FLEETWARD_STORE_KEY";
/// The keychain entry name of the store key.
pub const STORE_KEY_SECRET: &str = "store-key";

/// Zeroed on drop; Debug never prints it.
pub struct StoreKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey([redacted])")
    }
}

impl StoreKey {
    pub fn generate() -> StoreKey {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rng().fill_bytes(bytes.as_mut());
        StoreKey(bytes)
    }

    pub fn from_hex(text: &str) -> Result<StoreKey> {
        let text = text.trim();
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text, bytes.as_mut()).map_err(|_| {
            Error::InvalidInput(format!(
                "{STORE_KEY_ENV} must be 64 hexadecimal characters (32 bytes); it has {} characters or a non-hex character.",
                text.len()
            ))
        })?;
        Ok(StoreKey(bytes))
    }

    fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.as_ref()))
    }

    /// SQLCipher's raw-key form: `"x'<64 hex>'"`.
    pub(crate) fn pragma_value(&self) -> String {
        format!("\"x'{}'\"", self.to_hex().as_str())
    }
}

/// Finds the key: `FLEETWARD_STORE_KEY` if set, else the keychain entry. A new key is made
/// (and kept in the keychain) only when there is no store yet; a store without its key is an
/// error, never a reason to start a fresh, empty one.
pub fn resolve_key(
    env_value: Option<SecretString>,
    secrets: &dyn SecretStore,
    store_exists: bool,
) -> Result<StoreKey> {
    if let Some(value) = env_value.filter(|v| !v.expose_secret().trim().is_empty()) {
        return StoreKey::from_hex(value.expose_secret());
    }
    if let Some(stored) = secrets.get(STORE_KEY_SECRET)? {
        return StoreKey::from_hex(stored.expose_secret()).map_err(|_| Error::WrongStoreKey {
            path: "the keychain entry 'store-key'".into(),
        });
    }
    if store_exists {
        return Err(Error::StoreKeyMissing);
    }
    let key = StoreKey::generate();
    secrets.set(
        STORE_KEY_SECRET,
        &SecretString::from(key.to_hex().to_string()),
    )?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecrets;

    #[test]
    fn first_run_makes_a_key_and_keeps_it_in_the_keychain() {
        let secrets = MemorySecrets::default();
        let first = resolve_key(None, &secrets, false).unwrap();
        let again = resolve_key(None, &secrets, true).unwrap();
        assert_eq!(first.pragma_value(), again.pragma_value());
    }

    #[test]
    fn an_existing_store_without_its_key_is_an_error_not_a_new_key() {
        let err = resolve_key(None, &MemorySecrets::default(), true).unwrap_err();
        assert!(matches!(err, Error::StoreKeyMissing), "{err:?}");
        assert!(err.to_string().contains(STORE_KEY_ENV));
    }

    #[test]
    fn the_environment_key_wins_and_must_be_64_hex_characters() {
        let secrets = MemorySecrets::default();
        let hex = "ab".repeat(32);
        let key = resolve_key(Some(hex.clone().into()), &secrets, true).unwrap();
        assert_eq!(key.pragma_value(), format!("\"x'{hex}'\""));
        assert!(
            secrets.get(STORE_KEY_SECRET).unwrap().is_none(),
            "nothing is written to the keychain"
        );
        let err = resolve_key(Some(SecretString::from("abc")), &secrets, true).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
    }

    #[test]
    fn debug_never_prints_the_key() {
        let key = StoreKey::from_hex(&"cd".repeat(32)).unwrap();
        assert!(!format!("{key:?}").contains("cdcd"));
    }
}
