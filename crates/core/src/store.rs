//! Where tokens live between runs: the OS keychain, never a file.
//!
//! [`KeychainStore`] keeps the access token, the refresh token and a small record of the
//! expiry as separate entries under one service name (Windows' Credential Manager refuses
//! values over 2,560 bytes). [`MemoryStore`] keeps them for this run only: for tests, and
//! for a person who chooses to stay signed in for this run when no keychain is reachable.

use crate::turns::{TurnError, Turns};
use roomtone_sonos::{AccessToken, ClientSecret, RefreshToken, Secret, TokenSet};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The tokens of a signed-in session.
#[derive(Clone)]
pub struct StoredTokens {
    pub access_token: AccessToken,
    pub refresh_token: RefreshToken,
    pub expires_at: SystemTime,
    /// Who issued them; `None` for tokens stored before Roomtone kept it.
    pub issuer: Option<Issuer>,
}

impl fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredTokens")
            .field("expires_at", &self.expires_at)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl From<TokenSet> for StoredTokens {
    fn from(set: TokenSet) -> Self {
        Self {
            access_token: set.access_token,
            refresh_token: set.refresh_token,
            expires_at: set.expires_at,
            issuer: None,
        }
    }
}

/// The service a sign-in belongs to: its tokens go to these places and no others. Nothing
/// secret; kept in the keychain's record beside the tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Issuer {
    pub client_id: String,
    pub login_url: String,
    pub control_url: String,
    /// The relay that brokers the sign-in; `None` for direct mode (a person's own integration).
    pub relay_url: Option<String>,
}

impl fmt::Display for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.relay_url {
            Some(relay) => write!(f, "the relay {relay}")?,
            None => f.write_str("your own integration (direct mode)")?,
        }
        write!(
            f,
            " with client ID {}, Sonos login at {}",
            self.client_id, self.login_url
        )
    }
}

/// Why the store failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No keychain service answers (no Secret Service on the session bus, a locked
    /// collection, no D-Bus at all). Roomtone can stay signed in for this run only.
    #[error("the system keychain is not available ({0})")]
    Unavailable(String),
    /// The keychain answered with an error.
    #[error("the system keychain failed: {0}")]
    Failed(String),
    /// What the keychain holds is not something Roomtone wrote.
    #[error("the keychain holds damaged Roomtone entries: {0}")]
    Corrupt(String),
    /// A value longer than an entry of Windows' Credential Manager holds; nothing was
    /// written. Held to on every OS, so that what works on one works on all.
    #[error("the {entry} is {bytes} bytes as the keychain keeps it, more than the {limit} an entry of Windows' Credential Manager holds", limit = CREDENTIAL_LIMIT)]
    TooLong { entry: &'static str, bytes: usize },
}

/// The most an entry of Windows' Credential Manager holds (`CRED_MAX_CREDENTIAL_BLOB_SIZE`),
/// in bytes; keyring writes a value there as UTF-16, two bytes or four a character.
pub const CREDENTIAL_LIMIT: usize = 2560;

/// `value`, if an entry of Windows' Credential Manager holds it (`entry` names it for people).
fn fits<'a>(entry: &'static str, value: &'a str) -> Result<&'a str, StoreError> {
    let bytes = value.encode_utf16().count() * 2;
    if bytes > CREDENTIAL_LIMIT {
        return Err(StoreError::TooLong { entry, bytes });
    }
    Ok(value)
}

impl From<TurnError> for StoreError {
    fn from(err: TurnError) -> Self {
        Self::Failed(err.to_string())
    }
}

/// A place for tokens.
pub trait TokenStore: Send + Sync {
    /// The stored tokens, if any.
    fn load(&self) -> Result<Option<StoredTokens>, StoreError>;
    /// Stores `tokens`, replacing what was there.
    fn save(&self, tokens: &StoredTokens) -> Result<(), StoreError>;
    /// Forgets the tokens. Forgetting nothing is not an error.
    fn clear(&self) -> Result<(), StoreError>;
    /// The lock other processes sharing this store take around load → refresh → save;
    /// `None` for a store no other process sees.
    fn turns(&self) -> Option<Turns> {
        None
    }
}

/// Tokens in memory, gone with the process.
#[derive(Default)]
pub struct MemoryStore {
    tokens: Mutex<Option<StoredTokens>>,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemoryStore")
    }
}

impl TokenStore for MemoryStore {
    fn load(&self) -> Result<Option<StoredTokens>, StoreError> {
        Ok(self
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone())
    }
    fn save(&self, tokens: &StoredTokens) -> Result<(), StoreError> {
        *self.tokens.lock().unwrap_or_else(|e| e.into_inner()) = Some(tokens.clone());
        Ok(())
    }
    fn clear(&self) -> Result<(), StoreError> {
        *self.tokens.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }
}

/// The service name Roomtone's keychain entries live under.
pub const DEFAULT_SERVICE: &str = "com.roomtone.app";

const ACCESS: &str = "sonos-access-token";
const REFRESH: &str = "sonos-refresh-token";
const RECORD: &str = "sonos-token-record";
const CLIENT_SECRET: &str = "sonos-client-secret";

/// What the record entry holds: nothing secret.
#[derive(Serialize, Deserialize)]
struct Record {
    version: u32,
    expires_at_unix: u64,
    /// Since version 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issuer: Option<Issuer>,
}

/// The OS keychain: macOS Keychain, Windows Credential Manager, or the Secret Service
/// (GNOME Keyring, KWallet) on Linux.
#[derive(Debug, Clone)]
pub struct KeychainStore {
    service: String,
    /// Shared with every process using the same entries.
    turns: Turns,
}

impl KeychainStore {
    /// Entries under `service` (normally [`DEFAULT_SERVICE`]; tests use their own).
    pub fn new(service: impl Into<String>) -> Self {
        let service = service.into();
        Self {
            turns: Turns::for_service(&service),
            service,
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(&self.service, name).map_err(classify)
    }

    fn get(&self, name: &str) -> Result<Option<String>, StoreError> {
        let entry = self.entry(name)?;
        match entry.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(keyring::Error::Ambiguous(found)) => {
                tracing::warn!(
                    entry = name,
                    copies = found.len(),
                    "the keychain holds several copies of an entry; keeping the newest"
                );
                keep_newest(&entry).map(Some)
            }
            Err(other) => Err(classify(other)),
        }
    }

    /// Writes `value`; a duplicated entry is made whole first.
    fn set(&self, name: &str, value: &str) -> Result<(), StoreError> {
        let entry = self.entry(name)?;
        match entry.set_password(value) {
            Err(keyring::Error::Ambiguous(_)) => {
                keep_newest(&entry)?;
                entry.set_password(value).map_err(classify)
            }
            other => other.map_err(classify),
        }
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        let entry = self.entry(name)?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(keyring::Error::Ambiguous(_)) => {
                keep_newest(&entry)?;
                self.delete(name)
            }
            Err(other) => Err(classify(other)),
        }
    }
}

impl KeychainStore {
    /// Direct mode: keeps the person's own integration secret, beside (not with) the tokens.
    pub fn save_client_secret(&self, secret: &ClientSecret) -> Result<(), StoreError> {
        self.set(
            CLIENT_SECRET,
            fits("integration's client secret", secret.expose())?,
        )
    }

    /// The integration secret [`KeychainStore::save_client_secret`] kept, if any.
    pub fn load_client_secret(&self) -> Result<Option<ClientSecret>, StoreError> {
        Ok(self.get(CLIENT_SECRET)?.map(ClientSecret::new))
    }

    /// Forgets the integration secret.
    pub fn clear_client_secret(&self) -> Result<(), StoreError> {
        self.delete(CLIENT_SECRET)
    }
}

/// Several Secret Service items with one entry's attributes (two writers creating it at
/// once, or two keyring daemons on one bus): keyring refuses to choose. The newest item is
/// the last one written; it is kept and the others are deleted, so the entry is whole again.
#[cfg(target_os = "linux")]
fn keep_newest(entry: &keyring::Entry) -> Result<String, StoreError> {
    use dbus_secret_service::Item;
    use keyring::secret_service::SsCredential;
    let platform = |e: dbus_secret_service::Error| keyring::Error::PlatformFailure(Box::new(e));
    let credential = entry
        .get_credential()
        .downcast_ref::<SsCredential>()
        .ok_or_else(|| {
            StoreError::Failed("an ambiguous entry outside the Secret Service".into())
        })?;
    let read = |item: &Item<'_>| -> keyring::Result<(u64, Vec<u8>)> {
        Ok((
            item.get_modified().map_err(platform)?,
            item.get_secret().map_err(platform)?,
        ))
    };
    let copies = credential
        .map_matching_items(read, false)
        .map_err(classify)?;
    let (_, newest) = copies
        .into_iter()
        .max_by_key(|(modified, _)| *modified)
        .ok_or_else(|| StoreError::Failed("the duplicate entries vanished".into()))?;
    // Delete every copy but one holding the newest value.
    let kept = std::cell::Cell::new(false);
    credential
        .map_matching_items(
            |item| {
                if !kept.get() && item.get_secret().map_err(platform)? == newest {
                    kept.set(true);
                    return Ok(());
                }
                item.delete().map_err(platform)
            },
            false,
        )
        .map_err(classify)?;
    String::from_utf8(newest).map_err(|_| StoreError::Corrupt("an entry is not text".into()))
}

/// Only the Secret Service can hold two items for one entry.
#[cfg(not(target_os = "linux"))]
fn keep_newest(_entry: &keyring::Entry) -> Result<String, StoreError> {
    Err(StoreError::Failed(
        "the keychain holds several copies of an entry".into(),
    ))
}

/// Sorts keyring's errors into "not available" (offer this run only) and the rest. The
/// messages never contain a secret: keyring reports platform errors, not values.
fn classify(err: keyring::Error) -> StoreError {
    match err {
        keyring::Error::PlatformFailure(e) | keyring::Error::NoStorageAccess(e) => {
            StoreError::Unavailable(e.to_string())
        }
        keyring::Error::BadEncoding(_) => StoreError::Corrupt("an entry is not text".into()),
        other => StoreError::Failed(other.to_string()),
    }
}

/// What the record entry of `tokens` holds.
fn record_of(tokens: &StoredTokens) -> String {
    let record = Record {
        version: 2,
        issuer: tokens.issuer.clone(),
        expires_at_unix: tokens
            .expires_at
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default(),
    };
    serde_json::to_string(&record).expect("records serialize")
}

/// The entries `tokens` are kept in (`record` is [`record_of`] them), each checked against
/// Windows' limit before any is written; the refresh token first: if a write fails later,
/// the one that matters is kept.
fn entries<'a>(
    tokens: &'a StoredTokens,
    record: &'a str,
) -> Result<[(&'static str, &'a str); 3], StoreError> {
    Ok([
        (
            REFRESH,
            fits("Sonos refresh token", tokens.refresh_token.expose())?,
        ),
        (
            ACCESS,
            fits("Sonos access token", tokens.access_token.expose())?,
        ),
        (RECORD, fits("record of the sign-in", record)?),
    ])
}

impl TokenStore for KeychainStore {
    fn load(&self) -> Result<Option<StoredTokens>, StoreError> {
        let (Some(access), Some(refresh), Some(record)) =
            (self.get(ACCESS)?, self.get(REFRESH)?, self.get(RECORD)?)
        else {
            return Ok(None);
        };
        let record: Record = serde_json::from_str(&record)
            .map_err(|e| StoreError::Corrupt(format!("the token record: {e}")))?;
        Ok(Some(StoredTokens {
            access_token: AccessToken::new(access),
            refresh_token: RefreshToken::new(refresh),
            expires_at: UNIX_EPOCH
                .checked_add(Duration::from_secs(record.expires_at_unix))
                .ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "the token record's expiry ({}) is out of range",
                        record.expires_at_unix
                    ))
                })?,
            issuer: record.issuer,
        }))
    }

    fn save(&self, tokens: &StoredTokens) -> Result<(), StoreError> {
        let record = record_of(tokens);
        for (name, value) in entries(tokens, &record)? {
            self.set(name, value)?;
        }
        Ok(())
    }

    fn clear(&self) -> Result<(), StoreError> {
        for name in [ACCESS, REFRESH, RECORD] {
            self.delete(name)?;
        }
        Ok(())
    }

    fn turns(&self) -> Option<Turns> {
        Some(self.turns.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(access: &str) -> StoredTokens {
        StoredTokens {
            access_token: AccessToken::new(access),
            refresh_token: RefreshToken::new("r"),
            expires_at: UNIX_EPOCH + Duration::from_secs(1_000),
            issuer: None,
        }
    }

    #[test]
    fn every_entry_fits_windows_credential_manager_or_none_is_written() {
        // A sign-in through a relay with addresses of 200 characters: the record, the
        // longest entry Roomtone writes itself, fits.
        let long = format!("https://{}.example/sonos", "relay".repeat(40));
        let signed_in = StoredTokens {
            issuer: Some(Issuer {
                client_id: "c".repeat(64),
                login_url: long.clone(),
                control_url: long.clone(),
                relay_url: Some(long),
            }),
            ..tokens(&"a".repeat(CREDENTIAL_LIMIT / 2))
        };
        let record = record_of(&signed_in);
        let kept = entries(&signed_in, &record).expect("it fits");
        assert_eq!(kept.map(|(name, _)| name), [REFRESH, ACCESS, RECORD]);
        // One character more (1,281 UTF-16 units) is 2,562 bytes: refused, naming it.
        let long = tokens(&"a".repeat(CREDENTIAL_LIMIT / 2 + 1));
        let record = record_of(&long);
        let refused = entries(&long, &record).expect_err("too long");
        assert_eq!(
            refused,
            StoreError::TooLong {
                entry: "Sonos access token",
                bytes: 2562
            }
        );
        assert_eq!(
            refused.to_string(),
            "the Sonos access token is 2562 bytes as the keychain keeps it, more than the 2560 an entry of Windows' Credential Manager holds"
        );
        // Characters outside the BMP take four bytes.
        assert_eq!(
            fits("x", &"🎵".repeat(641)),
            Err(StoreError::TooLong {
                entry: "x",
                bytes: 2564
            })
        );
    }

    #[test]
    fn memory_store_saves_replaces_and_clears() {
        let store = MemoryStore::default();
        assert!(store.load().unwrap().is_none());
        store.save(&tokens("a")).unwrap();
        store.save(&tokens("b")).unwrap();
        assert_eq!(store.load().unwrap().unwrap().access_token.expose(), "b");
        store.clear().unwrap();
        store.clear().unwrap();
        assert!(store.load().unwrap().is_none());
    }

    #[test]
    fn stored_tokens_debug_hides_the_tokens() {
        let printed = format!("{:?}", tokens("access-secret"));
        assert!(
            !printed.contains("access-secret") && !printed.contains("\"r\""),
            "{printed}"
        );
    }
}
