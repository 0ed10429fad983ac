//! The Roomtone desktop app: Tauri around the core.
//!
//! The map of the app:
//! - [`run`] builds the app: plugins (single-instance first, then deep links,
//!   logs, window state), the settings, the tray, the deep-link hand-over to sign-in, the
//!   commands and events, and close-to-tray.
//! - `commands`: thin Tauri commands, grouped per domain (`session_*`, `household_*`,
//!   `playback_*`, `volume_*`, `grouping_*`, `library_*`, `settings_*`); each is arguments
//!   in, one call into the core, a result out.
//! - [`events`]: what the webview hears — the state (a snapshot with a revision) and problems.
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
//! The webview's TypeScript bindings are generated from [`bindings`].

mod commands;
mod csp;
mod demo;
mod error;
#[cfg(test)]
mod fixtures;
mod hotkeys;
mod last_known;
mod marks;
pub mod media;
mod notify;
mod quick;
pub mod settings;
mod sleep;
mod start;
mod state;
pub mod tray;

use settings::SettingsFile;
use state::AppState;
use tauri::{Manager, WindowEvent};
use tauri_plugin_deep_link::DeepLinkExt;
use tauri_plugin_window_state::StateFlags;
use tauri_specta::{collect_commands, collect_events, Event};

/// Events the webview listens to.
pub mod events {
    use crate::error::AppError;
    use crate::state::Snapshot;
    use serde::Serialize;
    use specta::Type;

    /// The state changed (`state-changed`): the whole [`Snapshot`], with a higher revision.
    #[derive(Debug, Clone, Serialize, Type, tauri_specta::Event)]
    pub struct StateChanged(pub Snapshot);

    /// Something went wrong outside a command (a bad deep link, a tray action): `problem`.
    #[derive(Debug, Clone, Serialize, Type, tauri_specta::Event)]
    pub struct Problem(pub AppError);

    /// The tray's "Settings…" was chosen: the window opens its settings (`open-settings`).
    #[derive(Debug, Clone, Serialize, Type, tauri_specta::Event)]
    pub struct OpenSettings;
}

/// The commands and events the webview sees; the TypeScript bindings are made from this.
fn specta() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            commands::session_sign_in,
            commands::session_open_browser_again,
            commands::session_cancel_sign_in,
            commands::session_keep_for_this_run,
            commands::session_sign_out,
            commands::household_snapshot,
            commands::household_refresh,
            commands::view_focus,
            commands::view_unsaved,
            commands::control_perform,
            commands::volume_theater_options,
            commands::library_get,
            commands::settings_get,
            commands::settings_set,
            commands::settings_set_client_secret,
            commands::app_restart,
            commands::app_painted,
            commands::app_mark,
        ])
        .events(collect_events![
            events::StateChanged,
            events::Problem,
            events::OpenSettings
        ])
        // The webview only receives these types: one shape each, not serialize/deserialize pairs.
        .disable_serde_phases()
}

/// The TypeScript bindings of [`specta`], as committed in `ui/src/bindings.ts`.
pub fn bindings() -> String {
    let file = std::env::temp_dir().join(format!("roomtone-bindings-{}.ts", std::process::id()));
    specta()
        .export(
            specta_typescript::Typescript::default()
                .header("// Generated from the Rust types by `scripts/bindings`: do not edit.\n"),
            &file,
        )
        .expect("the bindings export");
    let text = std::fs::read_to_string(&file).expect("the exported bindings");
    let _ = std::fs::remove_file(&file);
    text
}

/// Hands `roomtone://` links to sign-in; a bad one becomes a `problem` event for the window.
fn deliver_links(app: &tauri::AppHandle, urls: impl IntoIterator<Item = String>) {
    let state = app.state::<AppState>();
    for url in urls {
        if let Err(err) = state.handle_deep_link(&url) {
            tracing::warn!(error = %err, "a deep link was refused");
            let _ = events::Problem(error::AppError::from(err)).emit(app);
        }
    }
}

/// Starts the app.
pub fn run() {
    marks::start_clock();
    let specta = specta();
    let sim_port = demo::SimPort::reserve();
    let mut context = tauri::generate_context!();
    csp::finish(
        context.config_mut(),
        sim_port.as_ref().map(demo::SimPort::port),
    );
    tauri::Builder::default()
        // First: a second launch (e.g. the OS opening a roomtone:// link) hands its
        // arguments to this instance; the deep-link feature turns them into open-url events.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            // Bring a hidden window back; a visible one is left alone (a deep link should
            // not yank focus, and window managers treat focus requests differently).
            if let Some(window) = app.get_webview_window("main") {
                if !window.is_visible().unwrap_or(true) {
                    tray::toggle_window(app);
                }
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(
            tauri_plugin_log::Builder::new()
                .level(log::LevelFilter::Info)
                .build(),
        )
        // The window's size and place are kept; whether it shows is Roomtone's choice
        // ("start hidden").
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(StateFlags::all() - StateFlags::VISIBLE)
                .build(),
        )
        .plugin(tauri_plugin_global_shortcut::Builder::new().build())
        .plugin(tauri_plugin_autostart::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            specta.mount_events(app);
            let file = SettingsFile::new(&app.path().app_config_dir()?);
            let (settings, problem) = file.load();
            let state = AppState::new(file, settings);
            if let Some(problem) = problem {
                state.notice(error::AppError::new(
                    roomtone_core::ErrorKind::Settings,
                    problem,
                ));
            }
            app.manage(state);
            app.manage(notify::Notifier::default());
            if let Some(port) = sim_port {
                app.manage(port);
            }
            app.manage(sleep::PageSleep::default());
            #[cfg(any(target_os = "linux", all(debug_assertions, windows)))]
            if let Err(err) = app.deep_link().register_all() {
                tracing::warn!(error = %err, "could not register the roomtone:// scheme");
            }
            let tray = tray::create(app.handle());
            if let Err(err) = &tray {
                tracing::warn!(error = %err, "no tray on this desktop; Roomtone runs without one");
            }
            media::create(app.handle());
            #[cfg(target_os = "linux")]
            if let Some(window) = app.get_webview_window("main") {
                lean_webkit(&window);
            }
            let state = app.state::<AppState>();
            state.on_apply(start::apply);
            state.apply(app.handle(), None);
            // The window opens unless Roomtone starts hidden (`--hidden` or the settings) and
            // there is a tray to bring it back from.
            let hidden = std::env::args().any(|a| a == "--hidden") || state.settings().start_hidden;
            if !(hidden && tray.is_ok()) {
                if let Some(window) = app.get_webview_window("main") {
                    window.show()?;
                }
            } else {
                app.state::<sleep::PageSleep>().hidden(app.handle());
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
                start::start(&handle).await;
                // A link that launched the app is handled once the core is ready.
                deliver_links(&handle, launched_with.into_iter().map(|u| u.to_string()));
            });
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps Roomtone in the tray when the settings say so and
            // there is a tray to come back from.
            if let WindowEvent::CloseRequested { api, .. } = event {
                let app = window.app_handle();
                let keep = app.state::<AppState>().settings().close_to_tray
                    && app.tray_by_id("main").is_some();
                if keep {
                    api.prevent_close();
                    tray::hide_window(app);
                }
            }
        })
        .run(context)
        .expect("Roomtone could not start its window");
}

/// WebKitGTK's default cache model is a web browser's: it keeps decoded pages and resources
/// for navigating back and forth. Roomtone is one page that never navigates; the
/// document-viewer model keeps the least (measured in `bench/memory.sh`).
#[cfg(target_os = "linux")]
fn lean_webkit(window: &tauri::WebviewWindow) {
    let tuned = window.with_webview(|webview| {
        use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
        if let Some(context) = webview.inner().context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    });
    if let Err(err) = tuned {
        tracing::debug!(error = %err, "the webview's cache model stays the default");
    }
}

#[cfg(test)]
mod tests {
    /// The committed bindings are what the Rust types make; `scripts/bindings` rewrites them.
    #[test]
    fn the_typescript_bindings_are_current() {
        let made = super::bindings();
        if std::env::var_os("ROOMTONE_WRITE_BINDINGS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/bindings.ts");
            std::fs::write(path, &made).expect("writing ui/src/bindings.ts");
            return;
        }
        let committed = include_str!("../../ui/src/bindings.ts");
        assert!(
            made == committed,
            "ui/src/bindings.ts is out of date: run scripts/bindings and commit the result"
        );
    }
}
