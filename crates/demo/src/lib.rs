//! One demo cloud: the simulated Sonos cloud ([`roomtone_sim`]) and a relay
//! ([`roomtone_relay`]) in front of it, on loopback in this process, and a core signed in
//! to them through the real flow — authorize, the relay's hand-off page, the `roomtone://`
//! link, the broker code — with the simulator consenting by itself and [`Autopilot`]
//! standing in for the browser. No account, nothing in the keychain.
//!
//! The app's demo mode, `roomtone-cli --demo`, `bench/load` and the tests start it the
//! same way: [`Cloud::start`], then [`sign_in`].

/// The browser's part of the sign-in, played by this process.
mod browser;
/// The simulator and the relays, started and stopped together.
mod cloud;

pub use browser::{app_link, follow, sign_in, Autopilot};
pub use cloud::{Cloud, Options};
