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
        issuer: Some(roomtone_core::Issuer {
            client_id: format!("client-{tag}"),
            login_url: "https://api.sonos.com/login/v3/oauth".into(),
            control_url: "https://api.ws.sonos.com/control/api/v1".into(),
            relay_url: Some("https://relay.example/base".into()),
        }),
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
    // The issuer is kept beside the tokens (in the record, which holds nothing secret).
    assert_eq!(loaded.issuer, first.issuer);
    let record = secret_tool(&service, "sonos-token-record").expect("a record");
    assert!(record.contains("https://relay.example/base"), "{record}");
    assert!(!record.contains(first.access_token.expose()), "{record}");
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

/// Every Secret Service item of one of Roomtone's entries, as `secret-tool search --all`
/// reports them: (modified, secret).
fn copies(service: &str, entry: &str) -> Vec<(String, String)> {
    let out = std::process::Command::new("secret-tool")
        .args([
            "search", "--all", "--unlock", "service", service, "username", entry,
        ])
        .output()
        .expect("secret-tool is installed");
    // An item starts with its `[path]`, then one `key = value` line per property.
    let text = String::from_utf8_lossy(&out.stdout);
    let mut found = Vec::new();
    let (mut modified, mut secret) = (None, None);
    for line in text.lines().chain(std::iter::once("[end]")) {
        if line.starts_with('[') {
            if let (Some(m), Some(s)) = (modified.take(), secret.take()) {
                found.push((m, s));
            }
        } else if let Some(value) = line.strip_prefix("modified = ") {
            modified = Some(value.to_owned());
        } else if let Some(value) = line.strip_prefix("secret = ") {
            secret = Some(value.to_owned());
        }
    }
    found
}

#[test]
#[ignore = "needs an unlocked Secret Service: scripts/test runs it inside dbus-run-session"]
fn a_duplicated_entry_is_made_whole_keeping_the_newest_copy() {
    let service = format!("com.roomtone.test.dup.{}", std::process::id());
    let store = KeychainStore::new(&service);
    store.save(&tokens("first")).unwrap();
    // A second item with the same attributes, in another collection: what two writers (or
    // two keyring daemons) can leave behind. keyring alone then refuses every read.
    let mut add = std::process::Command::new("secret-tool")
        .args(["store", "--label=duplicate", "--collection=session"])
        .args(["service", &service, "username", "sonos-access-token"])
        .args(["target", "default", "application", "rust-keyring"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    add.stdin
        .take()
        .unwrap()
        .write_all(b"access-duplicate")
        .unwrap();
    assert!(add.wait().unwrap().success());
    let before = copies(&service, "sonos-access-token");
    assert_eq!(before.len(), 2, "two copies to start with: {before:?}");
    let newest = before.iter().map(|(m, _)| m.clone()).max().unwrap();
    let acceptable: Vec<&str> = before
        .iter()
        .filter(|(m, _)| *m == newest)
        .map(|(_, s)| s.as_str())
        .collect();

    let loaded = store
        .load()
        .expect("a duplicate is recovered from, not an error");
    let kept = loaded.unwrap().access_token.expose().to_owned();
    assert!(
        acceptable.contains(&kept.as_str()),
        "kept {kept}, newest {acceptable:?}"
    );
    let after = copies(&service, "sonos-access-token");
    assert_eq!(after.len(), 1, "one copy left: {after:?}");
    assert_eq!(after[0].1, kept);

    // Writing and signing out work on the mended entry.
    store.save(&tokens("second")).unwrap();
    assert_eq!(
        store.load().unwrap().unwrap().access_token.expose(),
        tokens("second").access_token.expose()
    );
    store.clear().unwrap();
    assert!(copies(&service, "sonos-access-token").is_empty());
}
