//! A faithful local simulator of the Sonos cloud, for tests, the demo mode and benchmarks.
//!
//! The map of the crate, from the bottom up (each module depends only on those above it):
//! - [`config`]: what an instance is configured with; REFERENCE.md's unknowns are settings.
//! - [`clock`]: wall time plus an offset, or frozen time; everything time-based reads it.
//! - [`catalog`]: the fictional music library and the artwork the simulator draws.
//! - [`error`]: Control API errors as Sonos sends them, and the success answers.
//! - [`faults`]: injected latency, errors and event mishaps.
//! - [`tokens`]: codes, access tokens, refresh-token families.
//! - [`household`]: players, groups, playback, volume and the rules that change them.
//! - [`webhooks`]: the events Sonos sends: subscriptions, signing, and the delivery task.
//! - [`instance`]: a running simulator ([`Sim`]): the one lock-protected [`World`], and how
//!   requests act on it.
//! - `login`, `control`, `admin`: the HTTP routes — the login service at `/login/v3/oauth`,
//!   the Control API at `/control/api/v1` (one child module per namespace), and the
//!   simulator's own admin API at `/sim/admin`.
//! - [`server`]: the router of all routes, and serving it on a listener.
//! - [`testing`]: test support: a real HTTP event receiver, and shortcuts to the admin API.
//!
//! [`Sim::start`] builds an instance and its background tasks; [`app`] is its router;
//! [`run`] serves it on a bound listener until a shutdown future completes; [`spawn`] does
//! both on a loopback port.

mod admin;
pub mod catalog;
pub mod clock;
pub mod config;
mod control;
pub mod error;
pub mod faults;
pub mod household;
pub mod instance;
mod login;
pub mod server;
pub mod testing;
pub mod tokens;
pub mod webhooks;

pub use household::Ctx;
pub use instance::{Sim, World};
pub use server::{app, run, spawn};
