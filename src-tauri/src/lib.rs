//! The Roomtone desktop app: Tauri around the core.
//!
//! The map of the app:
//! - [`run`] builds the app: plugins (single-instance first, then deep links, the opener,
//!   logs, window state), the deep-link hand-over to sign-in, and the commands.
//! - `commands`: thin Tauri commands, grouped per domain (`session_*`, `household_*`,
//!   `playback_*`); each is arguments in, one call into the core, a result out.
//! - `demo`: demo mode — the simulator and a relay in this process on loopback, signed in
//!   through the real flow.
//! - `error`: the one error type that crosses into the webview, `{kind, message}`.
//! - `state`: what the app holds: the controller once it is ready, and whether it is a demo.

mod commands;
mod demo;
mod error;
mod state;

use state::AppState;
use tauri::{Emitter, Manager};
use tauri_plugin_deep_link::DeepLinkExt;

/// Events the webview listens to.
pub mod events {
    /// The session changed: `SessionView`.
    pub const SESSION: &str = "session";
    /// Something went wrong outside a command (a bad deep link): `AppError`.
    pub const PROBLEM: &str = "problem";
}

/// Hands `roomtone://` links to sign-in; a bad one becomes a `problem` event for the window.
fn deliver_links(app: &tauri::AppHandle, urls: impl IntoIterator<Item = String>) {
    let state = app.state::<AppState>();
    for url in urls {
        if let Err(err) = state.handle_deep_link(&url) {
            tracing::warn!(error = %err, "a deep link was refused");
            let _ = app.emit(events::PROBLEM, error::AppError::from(err));
        }
    }
}

/// Starts the app.
pub fn run() {
    tauri::Builder::default()
        // First: a second launch (e.g. the OS opening a roomtone:// link) hands its
        // arguments to this instance; the deep-link feature turns them into open-url events.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            // Bring a hidden window back; a visible one is left alone (a deep link should
            // not yank focus, and window managers treat focus requests differently).
            if let Some(window) = app.get_webview_window("main") {
                if !window.is_visible().unwrap_or(true) {
                    let _ = window.show();
                    let _ = window.set_focus();
                }
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(
            tauri_plugin_log::Builder::new()
                .level(log::LevelFilter::Info)
                .build(),
        )
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .manage(AppState::default())
        .setup(|app| {
            #[cfg(any(target_os = "linux", all(debug_assertions, windows)))]
            if let Err(err) = app.deep_link().register_all() {
                tracing::warn!(error = %err, "could not register the roomtone:// scheme");
            }
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |event| {
                deliver_links(&handle, event.urls().iter().map(|u| u.to_string()));
            });
            let handle = app.handle().clone();
            let launched_with = app
                .deep_link()
                .get_current()
                .ok()
                .flatten()
                .unwrap_or_default();
            tauri::async_runtime::spawn(async move {
                state::start(&handle).await;
                // A link that launched the app is handled once the core is ready.
                deliver_links(&handle, launched_with.into_iter().map(|u| u.to_string()));
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session_state,
            commands::session_sign_in,
            commands::session_sign_out,
            commands::household_snapshot,
            commands::playback_toggle,
        ])
        .run(tauri::generate_context!())
        .expect("Roomtone could not start its window");
}
