//! Starting the app: the plugins, the settings, the tray, the deep-link hand-over to
//! sign-in, the commands and events, and close-to-tray.

use crate::links::deliver_links;
use crate::settings::SettingsFile;
use crate::state::AppState;
use crate::{csp, demo, error, hotkeys, ipc, marks, media, notify, releases, sleep, start, tray};
use tauri::{Manager, WindowEvent};
use tauri_plugin_deep_link::DeepLinkExt;
use tauri_plugin_window_state::StateFlags;

/// Starts the app.
pub fn run() {
    marks::start_clock();
    #[cfg(target_os = "linux")]
    paint_on_the_cpu();
    let specta = ipc::specta();
    let sim_port = demo::SimPort::reserve();
    let mut context = tauri::generate_context!();
    csp::finish(
        context.config_mut(),
        sim_port.as_ref().map(demo::SimPort::port),
    );
    let builder = tauri::Builder::default();
    #[cfg(feature = "notifications")]
    let builder = builder.plugin(tauri_plugin_notification::init());
    builder
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
        // Roomtone's own updates (`releases`); the webview has no access to its commands.
        .plugin(tauri_plugin_updater::Builder::new().build())
        // Start at login: a LaunchAgent on macOS (the builder's default, with no Apple
        // Events prompt, unlike the AppleScript launcher), the Run key under HKCU on Windows,
        // an XDG autostart entry on Linux.
        .plugin(tauri_plugin_autostart::Builder::new().build())
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
            app.manage(releases::AppUpdates::default());
            app.manage(hotkeys::InForce::default());
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
        .build(context)
        .expect("Roomtone could not start its window")
        .run(|app, event| {
            // macOS: a click on the Dock icon while the window is hidden in the tray (Cmd+W
            // or the close button, with close-to-tray) brings it back, as Mac apps do.
            #[cfg(target_os = "macos")]
            if let tauri::RunEvent::Reopen {
                has_visible_windows: false,
                ..
            } = event
            {
                tray::show_window(app);
            }
            #[cfg(not(target_os = "macos"))]
            let _ = (app, event);
        });
}

/// Turns WebKitGTK's accelerated compositing off before any webview exists: Roomtone's page
/// is a few cards, sliders and text, with no animation or 3D to hand to a GPU, and WebKitGTK
/// composites through OpenGL — on the many Linux desktops where that is Mesa's software
/// renderer (llvmpipe: no GPU driver, a virtual machine, a remote session), each repaint of
/// the progress bar was rasterised there, at about 100 MiB more memory and three times the
/// idle CPU of painting on the CPU (`bench/memory.sh`). WebKit reads the choice from its
/// environment when its web process starts (switched later, through the webview's settings,
/// the page never painted). `ROOMTONE_WEBVIEW_COMPOSITING=on`, or the variable already set,
/// leaves WebKit's own choice.
#[cfg(target_os = "linux")]
fn paint_on_the_cpu() {
    if compositing_off(|name| std::env::var_os(name)) {
        // At the start of `run`, before Tauri, GTK or any other thread.
        std::env::set_var(NO_COMPOSITING, "1");
    }
}

/// WebKitGTK's switch (read by its web process) for painting without compositing.
#[cfg(target_os = "linux")]
const NO_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Whether Roomtone turns compositing off, given the environment: unless asked to keep it
/// (`ROOMTONE_WEBVIEW_COMPOSITING=on`) or WebKit's variable is set already (the person's
/// own choice, either way).
#[cfg(target_os = "linux")]
fn compositing_off(env: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    env("ROOMTONE_WEBVIEW_COMPOSITING").is_none_or(|v| v != "on") && env(NO_COMPOSITING).is_none()
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

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn env<'a>(set: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| {
            set.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn compositing_is_off_unless_asked_for_or_already_chosen() {
        assert!(compositing_off(env(&[])));
        assert!(compositing_off(env(&[(
            "ROOMTONE_WEBVIEW_COMPOSITING",
            "off"
        )])));
        assert!(!compositing_off(env(&[(
            "ROOMTONE_WEBVIEW_COMPOSITING",
            "on"
        )])));
        // The person's own WebKit setting stands, whichever it is.
        assert!(!compositing_off(env(&[(NO_COMPOSITING, "0")])));
        assert!(!compositing_off(env(&[(NO_COMPOSITING, "1")])));
    }
}
