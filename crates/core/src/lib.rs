//! Roomtone's controller, shared by the desktop app and `roomtone-cli`.
//!
//! The map of the crate:
//! - [`signin`]: sign-in attempts — state and verifier, the loopback listener, deep links,
//!   and trading what comes back for tokens (through the relay, or directly).
//! - [`session`]: the signed-in session — the token lifecycle behind every Control API call
//!   ([`Session`] is the client's `TokenSource`), refresh, sign-out.
//! - [`store`]: where tokens live between runs — the OS keychain, or memory for this run.
//! - [`turns`]: one refresh at a time across processes sharing the keychain.
//! - [`controller`]: what the app's windows and tray call: sign in and out, read, and
//!   [`Controller::perform`] every [`action`]; it keeps the [`live`] state they all follow,
//!   in the shape of [`view`], with [`pending`] changes shown and groups [`follow`]ed across
//!   regroups.
//! - [`updates`]: live updates — the relay's event stream, subscriptions, polling without one.
//! - [`artwork`]: which artwork URLs a surface may load.
//! - [`config`]: where Roomtone finds Sonos and the relay.
//! - [`browser`]: the system browser for the login, without Roomtone's secrets.
//! - [`household`]: reading a household in one go.
//! - [`named`]: finding a group or room by the name a person uses.
//! - [`chime`], [`stream`], [`media_url`]: chimes, stream URLs and the URLs a speaker fetches.
//! - [`sleep`]: sleep timers, run by the core and kept between runs.
//! - [`releases`]: Roomtone's own updates — when to look, what to say, installing on the
//!   person's word.
//! - `calls`: which Control API call each action is.
//! - [`error`]: the core's error type.

pub mod action;
pub mod artwork;
pub mod browser;
mod calls;
pub mod chime;
pub mod config;
pub mod controller;
pub mod error;
pub mod follow;
pub mod household;
pub mod live;
pub mod media_url;
pub mod named;
pub mod pending;
pub mod releases;
pub mod session;
pub mod signin;
pub mod sleep;
pub mod store;
pub mod stream;
pub mod turns;
pub mod updates;
pub mod view;

pub use action::{Action, Done, PlayMode};
pub use config::Config;
pub use controller::Controller;
pub use error::{CoreError, ErrorKind, Result};
pub use live::Live;
pub use session::{Clock, Refresher, Session, SessionState, SystemClock};
pub use signin::{Attempt, Mode, Opener, SignIn};
pub use store::{Issuer, KeychainStore, MemoryStore, StoreError, StoredTokens, TokenStore};
