//! The token broker: Roomtone's relay, standing in for the login service's token endpoint
//! so the client secret stays on a server (docs/architecture.md, "Sign-in").
//!
//! This module is the protocol between the app and the relay — the `state` the app sends
//! through Sonos, the challenge that binds a broker code to the app that asked for it, the
//! JSON bodies — and a client of it. The relay serves it; the core calls it.

use crate::error::{excerpt, Error, Result};
use crate::login::TokenSet;
use crate::secret::{AccessToken, RefreshToken, Secret};
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::time::{Duration, SystemTime};
use url::Url;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A random verifier kept only in the app's memory; its challenge travels through Sonos,
/// and the verifier itself goes only to the relay's token endpoint.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Verifier(String);

impl Verifier {
    /// 32 random bytes, base64url.
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(B64.encode(bytes))
    }

    /// Wraps a verifier received in a request.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// `base64url(sha256(verifier))`.
    pub fn challenge(&self) -> String {
        challenge_of(&self.0)
    }
}

impl Secret for Verifier {
    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Verifier([redacted])")
    }
}

/// `base64url(sha256(verifier))`.
pub fn challenge_of(verifier: &str) -> String {
    B64.encode(Sha256::digest(verifier.as_bytes()))
}

/// A broker code: the relay's sealed, single-use wrapper of a Sonos authorization code.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BrokerCode(String);

impl BrokerCode {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
}

impl Secret for BrokerCode {
    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BrokerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BrokerCode([redacted])")
    }
}

/// The OAuth `state` of one sign-in: a random nonce, the verifier's challenge, and the port
/// of the app's loopback listener, as `v1.<nonce>.<challenge>.<port>`. The relay reads the
/// challenge and port from it; the app matches the whole string against a pending attempt.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginState {
    pub nonce: String,
    pub challenge: String,
    pub port: u16,
}

impl LoginState {
    /// A fresh state for `verifier` and a loopback listener on `port`.
    pub fn new(verifier: &Verifier, port: u16) -> Self {
        let mut nonce = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut nonce);
        Self {
            nonce: B64.encode(nonce),
            challenge: verifier.challenge(),
            port,
        }
    }

    /// The `state` parameter.
    pub fn encode(&self) -> String {
        format!("v1.{}.{}.{}", self.nonce, self.challenge, self.port)
    }

    /// Reads a `state` parameter; `None` when it is not one of ours.
    pub fn parse(state: &str) -> Option<Self> {
        if state.len() > 200 {
            return None;
        }
        let mut parts = state.split('.');
        let (version, nonce, challenge, port) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if version != "v1" || parts.next().is_some() {
            return None;
        }
        let b64 = |s: &str, len: usize| B64.decode(s).ok().filter(|b| b.len() == len).is_some();
        if !b64(nonce, 16) || !b64(challenge, 32) {
            return None;
        }
        let port: u16 = port.parse().ok().filter(|p| *p >= 1024)?;
        if port.to_string() != state.rsplit('.').next()? {
            return None;
        }
        Some(Self {
            nonce: nonce.to_owned(),
            challenge: challenge.to_owned(),
            port,
        })
    }
}

impl fmt::Debug for LoginState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginState")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// Body of `POST /oauth/token`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRequest {
    pub broker_code: BrokerCode,
    pub verifier: Verifier,
}

/// Body of `POST /oauth/refresh`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: RefreshToken,
}

/// The relay's token answer: the login service's, relayed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: AccessToken,
    pub refresh_token: RefreshToken,
    pub expires_in: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl TokenResponse {
    /// The answer for `tokens` granted at `now`.
    pub fn from_tokens(tokens: &TokenSet, now: SystemTime) -> Self {
        Self {
            access_token: tokens.access_token.clone(),
            refresh_token: tokens.refresh_token.clone(),
            expires_in: tokens
                .expires_at
                .duration_since(now)
                .unwrap_or_default()
                .as_secs(),
            scope: tokens.scope.clone(),
        }
    }

    /// The tokens, expiring by `now`'s clock; `previous` is the refresh token presented, if any.
    pub fn into_tokens(self, now: SystemTime, previous: Option<&RefreshToken>) -> Result<TokenSet> {
        let rotated = previous.is_none_or(|p| p.expose() != self.refresh_token.expose());
        Ok(TokenSet {
            access_token: self.access_token,
            refresh_token: self.refresh_token,
            expires_at: crate::login::expiry(now, Duration::from_secs(self.expires_in))?,
            scope: self.scope,
            refresh_rotated: rotated,
        })
    }
}

/// The relay's error body: a stable `error` and a human `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerError {
    pub error: String,
    pub message: String,
}

/// A client of the relay's token endpoints.
#[derive(Clone)]
pub struct BrokerClient {
    base: Url,
    /// Never follows redirects.
    http: reqwest::Client,
}

impl fmt::Debug for BrokerClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrokerClient")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

impl BrokerClient {
    /// A client of the relay at `base` (e.g. `https://relay.roomtone.app`).
    pub fn new(base: &str) -> Result<Self> {
        let base = Url::parse(base).map_err(|e| Error::Url(format!("{base}: {e}")))?;
        if !crate::secure_or_loopback(&base) || base.cannot_be_a_base() {
            return Err(Error::Url(format!(
                "{base} must be an HTTPS base URL (plain HTTP only to this computer)"
            )));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .user_agent(concat!("Roomtone/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(Error::Transport)?;
        Ok(Self { base, http })
    }

    /// The relay's base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The redirect URI Sonos must send the browser to: `<relay>/oauth/callback`.
    pub fn redirect_uri(&self) -> String {
        self.endpoint("oauth/callback").to_string()
    }

    /// `path` (slash-separated segments) under the relay's base URL, keeping its path.
    pub fn endpoint(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("checked in new")
            .pop_if_empty()
            .extend(path.split('/'));
        url
    }

    /// Trades a broker code and the verifier for tokens.
    pub async fn exchange(
        &self,
        code: &BrokerCode,
        verifier: &Verifier,
        now: SystemTime,
    ) -> Result<TokenSet> {
        let body = TokenRequest {
            broker_code: code.clone(),
            verifier: verifier.clone(),
        };
        let response: TokenResponse = self.post("oauth/token", &body).await?;
        response.into_tokens(now, None)
    }

    /// Refreshes through the relay. A returned refresh token replaces `current`.
    pub async fn refresh(&self, current: &RefreshToken, now: SystemTime) -> Result<TokenSet> {
        let body = RefreshRequest {
            refresh_token: current.clone(),
        };
        let response: TokenResponse = self.post("oauth/refresh", &body).await?;
        response.into_tokens(now, Some(current))
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T> {
        let response = self
            .http
            .post(self.endpoint(path))
            .json(body)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    Error::Timeout
                } else {
                    Error::Transport(e)
                }
            })?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(Error::Transport)?;
        if status.is_success() {
            // Never echo a token answer that failed to decode.
            return serde_json::from_slice(&bytes).map_err(|e| {
                Error::LoginProtocol(format!("the relay's token answer did not decode: {e}"))
            });
        }
        match serde_json::from_slice::<BrokerError>(&bytes) {
            Ok(err) => Err(Error::Broker {
                status: status.as_u16(),
                error: err.error,
                message: err.message,
            }),
            Err(_) => Err(Error::Broker {
                status: status.as_u16(),
                error: "unexpected_answer".into(),
                message: excerpt(&bytes),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_rejects_anything_else() {
        let verifier = Verifier::random();
        let state = LoginState::new(&verifier, 49152);
        let parsed = LoginState::parse(&state.encode()).unwrap();
        assert_eq!(parsed, state);
        assert_eq!(parsed.challenge, verifier.challenge());
        let good = state.encode();
        for bad in [
            "",
            "v1",
            &good.replacen("v1", "v2", 1),
            &format!("{good}.1"),
            &good.replace(".49152", ".80"),
            &good.replace(".49152", ".70000"),
            &good.replace(".49152", ".+4915"),
            &good.replace(&state.challenge, "short"),
            &"v1.".repeat(100),
        ] {
            assert!(LoginState::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn challenge_is_base64url_sha256() {
        // RFC 7636 appendix B.
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn tokens_never_travel_over_plain_http_beyond_this_computer() {
        assert!(BrokerClient::new("http://relay.example").is_err());
        assert!(BrokerClient::new("https://relay.example").is_ok());
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://[::1]:8080",
        ] {
            assert!(BrokerClient::new(local).is_ok(), "{local}");
        }
        assert!(crate::LoginService::new("http://login.example/login/v3/oauth", "k").is_err());
        let tokens = std::sync::Arc::new(crate::StaticToken::new(crate::AccessToken::new("t")));
        assert!(crate::Client::builder(tokens.clone())
            .base_url("http://api.example/control/api/v1")
            .build()
            .is_err());
        assert!(crate::Client::builder(tokens)
            .base_url("http://127.0.0.1:1/control/api/v1")
            .build()
            .is_ok());
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let printed = format!(
            "{:?} {:?}",
            Verifier::new("v-secret"),
            BrokerCode::new("b-secret")
        );
        assert!(!printed.contains("secret"), "{printed}");
    }
}
