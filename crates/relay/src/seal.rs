//! Broker codes: the Sonos authorization code sealed (XChaCha20-Poly1305) with the relay's
//! key, together with the challenge it is bound to, its expiry and a single-use ID. The
//! Sonos code never leaves the relay in the clear; a stolen broker code is worth nothing
//! without the verifier, and only once.

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use roomtone_sonos::broker::BrokerCode;
use roomtone_sonos::Secret;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What a broker code carries.
#[derive(Serialize, Deserialize)]
pub struct Claims {
    /// The Sonos authorization code.
    #[serde(rename = "c")]
    pub code: String,
    /// `base64url(sha256(verifier))` from the sign-in's state.
    #[serde(rename = "h")]
    pub challenge: String,
    /// Expiry, Unix seconds.
    #[serde(rename = "e")]
    pub expires: u64,
    /// Single-use ID.
    #[serde(rename = "j")]
    pub id: String,
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// Seals and opens broker codes with one key.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealer([redacted])")
    }
}

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }

    /// A random key, for a relay whose broker codes need not survive a restart.
    pub fn random_key() -> [u8; 32] {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        key
    }

    /// Seals `code` bound to `challenge`, valid until `expires`.
    pub fn seal(&self, code: &str, challenge: &str, expires: u64) -> BrokerCode {
        let mut id = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut id);
        let claims = Claims {
            code: code.to_owned(),
            challenge: challenge.to_owned(),
            expires,
            id: B64.encode(id),
        };
        let plain = serde_json::to_vec(&claims).expect("claims serialize");
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_slice())
            .expect("encryption of a small buffer succeeds");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        BrokerCode::new(B64.encode(out))
    }

    /// Opens a broker code; `None` if it was not sealed with this key or was altered.
    pub fn open(&self, code: &BrokerCode) -> Option<Claims> {
        let raw = code.expose();
        if raw.len() > 2048 {
            return None;
        }
        let bytes = B64.decode(raw).ok()?;
        if bytes.len() < 24 + 16 {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), sealed)
            .ok()?;
        serde_json::from_slice(&plain).ok()
    }
}

/// The IDs of broker codes already traded, kept until they would have expired anyway.
#[derive(Debug, Default)]
pub struct UsedCodes {
    ids: Mutex<HashMap<String, u64>>,
}

impl UsedCodes {
    /// Marks `id` used; false if it already was.
    pub fn take(&self, id: &str, expires: u64, now: u64) -> bool {
        let mut ids = self.ids.lock().unwrap_or_else(|e| e.into_inner());
        ids.retain(|_, until| *until >= now);
        ids.insert(id.to_owned(), expires).is_none()
    }

    /// Makes `id` usable again: its trade failed before Sonos could spend the code.
    pub fn release(&self, id: &str) {
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_codes_open_only_with_the_same_key_and_unaltered() {
        let sealer = Sealer::new(&[7; 32]);
        let code = sealer.seal("sonos-code", "challenge", 100);
        assert!(
            !code.expose().contains("sonos-code"),
            "the Sonos code is not readable"
        );
        let claims = sealer.open(&code).unwrap();
        assert_eq!(
            (
                claims.code.as_str(),
                claims.challenge.as_str(),
                claims.expires
            ),
            ("sonos-code", "challenge", 100)
        );
        assert!(Sealer::new(&[8; 32]).open(&code).is_none(), "another key");
        let mut bytes = B64.decode(code.expose()).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(
            sealer.open(&BrokerCode::new(B64.encode(bytes))).is_none(),
            "tampered"
        );
        for junk in ["", "!!!", "AAAA", &"A".repeat(5000)] {
            assert!(sealer.open(&BrokerCode::new(junk)).is_none(), "{junk}");
        }
        assert_ne!(
            sealer.seal("x", "y", 1).expose(),
            sealer.seal("x", "y", 1).expose(),
            "fresh nonce and ID each time"
        );
    }

    #[test]
    fn codes_are_single_use_until_they_expire() {
        let used = UsedCodes::default();
        assert!(used.take("a", 10, 0));
        assert!(!used.take("a", 10, 5));
        assert!(used.take("b", 10, 5));
        // After expiry the ID is forgotten (the code itself is refused as expired by then).
        assert!(used.take("a", 20, 11));
    }
}
