//! The real OS keychain (Secret Service on Linux). `cargo xtask test` runs the Rust tests
//! inside a private D-Bus session with an unlocked gnome-keyring, so this test always has a
//! keychain there; run alone without one, it fails and says how to run it.

use fleetward_core::secrets::{KeyringSecrets, SecretStore};
use fleetward_core::{Engine, EngineConfig};
use secrecy::{ExposeSecret, SecretString};

fn keychain() -> KeyringSecrets {
    let secrets = KeyringSecrets::new();
    if let Err(err) = secrets.get("fleetward-keychain-probe") {
        panic!("no usable keychain in this session ({err}); run the tests with `cargo xtask test`, which provides one");
    }
    secrets
}

#[test]
fn secrets_round_trip_through_the_os_keychain() {
    let secrets = keychain();
    let name = format!("test-secret-{}", std::process::id());
    secrets
        .set(&name, &SecretString::from("s3cr3t value"))
        .unwrap();
    let read = KeyringSecrets::new().get(&name).unwrap().unwrap();
    assert_eq!(
        read.expose_secret(),
        "s3cr3t value",
        "a second handle sees the same entry"
    );
    secrets.delete(&name).unwrap();
    assert!(secrets.get(&name).unwrap().is_none());
    secrets.delete(&name).expect("deleting twice is fine");
}

#[tokio::test]
async fn a_new_store_keeps_its_key_in_the_keychain_and_reopens_with_it() {
    keychain();
    let dir = tempfile::tempdir().unwrap();
    let mut config = EngineConfig::new(dir.path().to_path_buf());
    config.store_key = None;
    let engine = Engine::start(config.clone()).await.unwrap();
    engine.add_company("Kept").await.unwrap();
    drop(engine);
    let reopened = Engine::start(config).await.unwrap();
    assert_eq!(reopened.companies().await.unwrap()[0].name, "Kept");
    // Leave the shared test keychain as it was for the next store.
    KeyringSecrets::new()
        .delete(fleetward_core::store::STORE_KEY_SECRET)
        .unwrap();
}
