//! Roomtone's hosted HTTPS relay.
//!
//! Sonos accepts only a public HTTPS redirect URI, and its token calls need the client
//! secret, which must not ship inside a desktop app. The relay does both jobs for every
//! installed copy of Roomtone:
//! - `GET /oauth/callback` ([`oauth::callback`]): where Sonos sends the browser back. The
//!   Sonos code is sealed into a short-lived, single-use broker code bound to the sign-in's
//!   challenge ([`seal`]), and a small page ([`pages`]) opens `roomtone://oauth/callback`,
//!   with the app's loopback listener as the fallback.
//! - `POST /oauth/token` and `POST /oauth/refresh`: the token broker. A broker code is
//!   traded only with the verifier whose challenge it carries.
//! - `POST /events`, `GET /events/stream`, `GET /events/stats` ([`hub`]): Sonos event
//!   webhooks in, Server-Sent Events out to each app, for the households its token sees.
//! - `GET /healthz`.
//!
//! Without a client secret the relay runs redirect-only: the callback hands the Sonos code
//! straight to the app, for people who register their own integration (direct mode).
//!
//! [`app`] builds the router; [`run`] serves it on a bound listener, with TLS when given a
//! certificate, until a shutdown future completes. Every response carries strict security
//! headers; logs name the method, path and status, never a query string or a body.

pub mod bus;
pub mod config;
mod connections;
/// The JSON endpoints' failure.
mod error;
pub mod hub;
mod limits;
pub mod oauth;
pub mod pages;
/// The routes and their layers.
mod router;
pub mod seal;
/// Serving on a listener, plain or TLS.
mod server;
/// What every request shares.
mod state;

pub use config::Config;
pub use limits::RateLimit;

pub use error::ApiError;
pub use router::app;
pub use server::{install_crypto_provider, run, serve, serve_with, RustlsConfig, Serving};
pub use state::{Now, RelayState};
