//! A typed client of the Sonos login service and the Sonos cloud Control API.
//!
//! The map of the crate:
//! - [`ids`]: `HouseholdId`, `GroupId`, `PlayerId`… — transparent string newtypes.
//! - [`secret`]: tokens, codes and the client secret, with redacted `Debug`.
//! - [`models`]: every Control API object, decoded tolerantly (unknown fields ignored,
//!   unknown enum values kept).
//! - [`Client`] and its handlers in [`api`], one per namespace:
//!   `client.playback().play(&group)`. Bearer tokens come from a [`TokenSource`]; a 401 is
//!   traded for one refreshed token and one retry; transient failures of calls that are safe
//!   to repeat are retried with backoff and jitter.
//! - [`login`]: the authorize URL and the token endpoint (code exchange and refresh).
//! - [`broker`]: the token protocol between the app and Roomtone's relay, and a client of it.
//! - [`stream`]: the relay's event stream to the app — its frames, and a bounded reader.
//! - [`events`]: event webhook deliveries decoded and their signatures computed and checked;
//!   the [`events::Namespace`]s.
//! - [`Error`]: one error type, cut by what a caller does next.
//!
//! Base URLs are injectable ([`ClientBuilder::base_url`], [`LoginService::new`]); the
//! defaults are the real Sonos URLs.

pub mod api;
pub mod broker;
mod client;
mod error;
pub mod events;
pub mod ids;
pub mod login;
pub mod models;
mod open_enum;
pub mod secret;
pub mod stream;

/// Whether `url` may carry tokens or secrets: HTTPS, or plain HTTP to this computer only.
pub fn secure_or_loopback(url: &url::Url) -> bool {
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    };
    url.scheme() == "https" || (url.scheme() == "http" && loopback)
}

pub use client::{
    parse_retry_after, Client, ClientBuilder, RetryPolicy, StaticToken, TokenSource,
    DEFAULT_CONTROL_URL,
};
pub use error::{Error, Result};
pub use ids::{AudioClipId, FavoriteId, GroupId, HouseholdId, PlayerId, PlaylistId, SessionId};
pub use login::{LoginService, TokenSet, DEFAULT_LOGIN_URL};
pub use secret::{AccessToken, AuthorizationCode, ClientSecret, RefreshToken, Secret};
