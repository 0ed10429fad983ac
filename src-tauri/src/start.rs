//! Starting the core — configured, or the demo — and keeping every surface in step with it:
//! the one task that forwards the core's live state to the webview, the tray, the media
//! session and notifications, and putting the settings in force on the OS.

use crate::demo;
use crate::error::AppError;
use crate::last_known::LastKnown;
use crate::settings::Settings;
use crate::state::{keychain, AppState, Ready};
use roomtone_core::view::Household;
use roomtone_core::{Config, Controller, SystemClock};
use std::sync::Arc;
use tauri::{AppHandle, Manager};
use tauri_plugin_autostart::ManagerExt;

/// Starts the core: configured (environment over settings file over built-in defaults), or
/// the demo when nothing is configured or `--demo` is given. Then forwards every change of
/// the live state to the webview and the tray.
pub async fn start(app: &AppHandle) {
    let wants_demo = std::env::args().any(|a| a == "--demo");
    let state = app.state::<AppState>();
    let keychain = keychain();
    let overrides = state
        .settings()
        .overrides()
        .or(roomtone_core::config::Overrides::built_in());
    let configured = Config::resolve(
        |name| std::env::var(name).ok(),
        &overrides,
        || Ok(keychain.load_client_secret()?),
    );
    let nothing_configured = overrides.client_id.is_none()
        && std::env::var_os(roomtone_core::config::env::CLIENT_ID).is_none();
    let started = match configured {
        Ok(config) if !wants_demo => {
            Controller::new(&config, Arc::new(keychain), Arc::new(SystemClock))
                .map(|controller| Ready {
                    controller: Arc::new(controller),
                    demo: false,
                })
                .map_err(AppError::from)
        }
        // Half a configuration is a mistake to show, not a reason for the demo.
        Err(err) if !wants_demo && !nothing_configured => Err(AppError::from(err)),
        _ => {
            // The demo's simulator, relay and sign-in compete with the webview for the CPU:
            // they start once the window has painted (or after a moment, without a window).
            let _ = tokio::time::timeout(
                std::time::Duration::from_millis(1500),
                state.painted.notified(),
            )
            .await;
            demo::start(app).await
        }
    };
    if let Err(err) = &started {
        state.notice(err.clone());
    }
    state.set_ready(started);
    crate::releases::start(
        app,
        state.ready().is_ok_and(|r| r.demo),
        state.settings().check_updates,
    );
    let Ok(ready) = state.ready() else {
        state.publish(app);
        return;
    };
    let controller = ready.controller.clone();
    // What Sonos said last time shows at once; the first read replaces it.
    let last_known = app
        .path()
        .app_cache_dir()
        .map(|dir| LastKnown(dir.join("last-household.json")))
        .ok()
        .filter(|_| !ready.demo);
    controller.set_chosen(state.settings().tray_group.as_ref());
    if let Some(households) = last_known.as_ref().and_then(LastKnown::load) {
        controller.seed(households);
    }
    // Sleep timers: kept between runs (and shared with `roomtone-cli sleep`) but in the
    // demo, whose household is new on every start.
    if !ready.demo {
        controller.keep_sleep_timers(roomtone_core::sleep::Timers::for_service(
            roomtone_core::store::DEFAULT_SERVICE,
        ));
    }
    tauri::async_runtime::spawn(controller.clone().run_sleep_timers(false));
    tauri::async_runtime::spawn(controller.clone().follow_session());
    // Live updates: Sonos's events through the relay's stream, while signed in.
    tauri::async_runtime::spawn(controller.clone().follow_events());
    let mut changes = controller.watch();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut saved: Option<Vec<Household>> = None;
        loop {
            let state = app.state::<AppState>();
            // The window first: what it shows is the figure people see.
            let snapshot = state.publish(&app);
            crate::marks::sent(&snapshot.live);
            state.keep_chosen(&snapshot.live);
            crate::tray::update(&app, &snapshot.live);
            crate::media::update(&app, &snapshot.live);
            crate::notify::follow(&app, &snapshot.live);
            if let Some(file) = &last_known {
                file.follow(&snapshot.live, &mut saved);
            }
            if changes.changed().await.is_err() {
                return;
            }
            changes.borrow_and_update();
        }
    });
}

/// Puts the settings in force (at start, `before` is none): the hotkeys, start at login,
/// and the tray and media session drawn again; what the OS refuses is kept for the settings
/// window and logged. Given to the state at setup ([`AppState::on_apply`]).
pub fn apply(app: &AppHandle, before: Option<&Settings>) {
    let state = app.state::<AppState>();
    let now = state.settings();
    if before.map(|b| &b.hotkeys) != Some(&now.hotkeys) {
        crate::hotkeys::apply(app, &now.hotkeys);
    }
    // Start at login follows the saved settings, against what the OS has (its entry can
    // be removed outside Roomtone); at start, the OS's entry is left as it is.
    if before.is_some() {
        let on = app.autolaunch().is_enabled().ok();
        state.refused_start_at_login(if on == Some(now.start_at_login) {
            None
        } else {
            start_at_login(app, now.start_at_login).err()
        });
    }
    if let Some(updates) = app.state::<crate::releases::AppUpdates>().get() {
        updates.set_automatic(now.check_updates);
        // Turned on: a look now, not a day from now.
        if before.is_some_and(|b| !b.check_updates) && now.check_updates {
            tauri::async_runtime::spawn(async move { updates.check().await });
        }
    }
    let live = state.snapshot().live;
    crate::tray::update(app, &live);
    crate::media::update(app, &live);
}

/// Turns the OS's autostart entry on or off.
fn start_at_login(app: &AppHandle, on: bool) -> Result<(), String> {
    let autolaunch = app.autolaunch();
    let done = if on {
        autolaunch.enable()
    } else {
        autolaunch.disable()
    };
    done.map_err(|err| {
        let what = if on { "turn on" } else { "turn off" };
        tracing::warn!(error = %err, "start at login");
        format!("Roomtone could not {what} starting at login ({err}); try again, or use your desktop's startup settings.")
    })
}
