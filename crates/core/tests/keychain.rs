//! The real keychain: gnome-keyring's Secret Service over D-Bus. `scripts/test` runs these
//! inside `dbus-run-session` with an unlocked collection and HOME in a fresh folder
//! (`scripts/keychain-session`); a plain `cargo test` skips them.

use roomtone_core::{KeychainStore, StoreError, StoredTokens, TokenStore};
use roomtone_sonos::{AccessToken, RefreshToken, Secret};
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

fn tokens(tag: &str) -> StoredTokens {
    StoredTokens {
        access_token: AccessToken::new(format!("access-{tag}-{}", std::process::id())),
        refresh_token: RefreshToken::new(format!("refresh-{tag}-{}", std::process::id())),
        expires_at: UNIX_EPOCH + Duration::from_secs(1_900_000_000),
    }
}

/// What `secret-tool` (libsecret, not keyring) finds for one of Roomtone's entries.
fn secret_tool(service: &str, entry: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", service, "username", entry])
        .output()
        .expect("secret-tool is installed");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Every file below `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path) {
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

#[test]
#[ignore = "needs an unlocked Secret Service: scripts/test runs it inside dbus-run-session"]
fn the_keychain_stores_reads_replaces_and_deletes() {
    let service = format!("com.roomtone.test.{}", std::process::id());
    let store = KeychainStore::new(&service);
    store.clear().unwrap();
    assert!(store.load().unwrap().is_none());

    let first = tokens("first");
    store.save(&first).unwrap();
    let loaded = store.load().unwrap().unwrap();
    assert_eq!(loaded.access_token.expose(), first.access_token.expose());
    assert_eq!(loaded.refresh_token.expose(), first.refresh_token.expose());
    assert_eq!(loaded.expires_at, first.expires_at);
    // Separate entries, visible to the Secret Service's own tools.
    assert_eq!(
        secret_tool(&service, "sonos-refresh-token").as_deref(),
        Some(first.refresh_token.expose())
    );
    assert_eq!(
        secret_tool(&service, "sonos-access-token").as_deref(),
        Some(first.access_token.expose())
    );

    let second = tokens("second");
    store.save(&second).unwrap();
    assert_eq!(
        store.load().unwrap().unwrap().refresh_token.expose(),
        second.refresh_token.expose()
    );

    // Nothing in plain text on disk: not in HOME (where gnome-keyring keeps its encrypted
    // keyring), not in the temporary folder.
    let home = std::env::var("HOME").expect("HOME");
    for secret in [second.access_token.expose(), second.refresh_token.expose()] {
        for dir in [Path::new(&home), &std::env::temp_dir()] {
            let found = files_containing(dir, secret.as_bytes());
            assert!(found.is_empty(), "{secret} is in plain text in {found:?}");
        }
    }

    store.clear().unwrap();
    assert!(store.load().unwrap().is_none());
    assert!(
        secret_tool(&service, "sonos-refresh-token").is_none(),
        "the entries are deleted"
    );

    // Direct mode's client secret: its own entry, untouched by clearing the tokens.
    assert!(store.load_client_secret().unwrap().is_none());
    store
        .save_client_secret(&roomtone_sonos::ClientSecret::new("own-integration-secret"))
        .unwrap();
    assert_eq!(
        store.load_client_secret().unwrap().unwrap().expose(),
        "own-integration-secret"
    );
    store.save(&tokens("third")).unwrap();
    store.clear().unwrap();
    assert_eq!(
        secret_tool(&service, "sonos-client-secret").as_deref(),
        Some("own-integration-secret")
    );
    store.clear_client_secret().unwrap();
    assert!(store.load_client_secret().unwrap().is_none());
    store.clear().unwrap();
}

#[test]
fn without_a_session_bus_the_keychain_is_unavailable_not_a_crash() {
    // Only meaningful where no session bus is reachable, as under plain `cargo test` here.
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return;
    }
    let store = KeychainStore::new("com.roomtone.test.nobus");
    match store.save(&tokens("nobus")) {
        Err(StoreError::Unavailable(why)) => assert!(!why.is_empty()),
        other => panic!("expected Unavailable, got {other:?}"),
    }
    assert!(matches!(store.load(), Err(StoreError::Unavailable(_))));
}
