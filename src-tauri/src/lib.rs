//! The Roomtone desktop app: Tauri around the core.
//!
//! The map of the app:
//! - [`run`] (`app`) builds the app: plugins (single-instance first, then deep links,
//!   logs, window state), the settings, the tray, the deep-link hand-over to sign-in
//!   (`links`), the commands and events, and close-to-tray.
//! - `commands`: thin Tauri commands, grouped per domain (`session_*`, `household_*`,
//!   `playback_*`, `volume_*`, `grouping_*`, `library_*`, `settings_*`); each is arguments
//!   in, one call into the core, a result out.
//! - [`events`]: what the webview hears — the state (what changed, numbered: `publish`, with
//!   `patch`) and problems.
//! - `state`: what the app holds — the controller once it is ready, the settings, start-up
//!   problems — and the task that forwards the core's live state to the webview, the tray,
//!   the media session and the notifications.
//! - [`settings`]: the settings file in the OS config folder.
//! - [`tray`]: tray quick controls, a function of the live state and the settings; it also
//!   decides which group the quick controls act on.
//! - `quick`: the quick controls (play/pause, next, volume…) the tray, the global hotkeys
//!   (`hotkeys`) and the OS media session ([`media`]: MPRIS, SMTC, Now Playing) share.
//! - `notify`: a notification when the track changes (off by default).
//! - `sleep`: the page sleeps while the window is hidden (its web process ends), and wakes
//!   when it shows.
//! - `demo`: demo mode — the simulator and a relay in this process on loopback, signed in
//!   through the real flow.
//! - `csp`: the window's content security policy, finished at start (artwork from https and
//!   the demo simulator's own port).
//! - `marks`: the benchmarks' marks (`ROOMTONE_BENCH_MARKS`), printed on standard output.
//! - `error`: the one error type that crosses into the webview, `{kind, message}`.
//!
//! The webview's TypeScript bindings are generated from [`bindings`] (`ipc`: the commands
//! and events the webview sees).

/// Starting the app.
mod app;
mod commands;
mod csp;
mod demo;
mod error;
pub mod events;
#[cfg(test)]
mod fixtures;
mod hotkeys;
/// The commands and events the webview sees, and the bindings made from them.
mod ipc;
mod last_known;
/// `roomtone://` links handed to sign-in.
mod links;
mod marks;
pub mod media;
mod notify;
/// What changed between two snapshots, as the webview applies it.
mod patch;
mod publish;
mod quick;
/// The streams played lately, kept in the settings file.
pub mod recent;
mod releases;
pub mod settings;
mod sleep;
mod start;
mod state;
pub mod tray;

pub use app::run;
pub use ipc::bindings;
