//! Tray quick controls: the icon's tooltip says what plays; the menu has the now-playing
//! line, play/pause, next, previous, volume up and down (the settings' step), mute, a
//! "Room" submenu choosing the group the tray controls, "Ring a chime" in one of its rooms
//! (those whose speakers take audio clips; the others say why), "Sleep timer" for the group
//! (with the time left in its title), "Pause everything" in its household, show/hide, sign
//! out and quit.
//!
//! The menu is a function of the live state and the settings ([`model`], tested without a
//! window) and is rebuilt when either changes — no polling. On Linux the tray is only a
//! menu (tray click events are not emitted there); on macOS and Windows a left click
//! toggles the window and a right click opens the menu. On macOS the icon is a template
//! image, drawn in the menu bar's colour.

use crate::events::{OpenSettings, Problem};
use crate::quick::{self, Quick};
use crate::settings::Settings;
use crate::sleep::{PageSleep, Woken};
use crate::state::AppState;
use roomtone_core::live::Live;
use roomtone_core::sleep::{self, SleepAfter};
use roomtone_core::Action;
use roomtone_sonos::{GroupId, PlayerId};
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

mod model;

use model::{model, Controls, TrayModel};

const TRAY: &str = "main";

/// Menu item IDs.
mod id {
    pub const TOGGLE: &str = "toggle";
    pub const NEXT: &str = "next";
    pub const PREVIOUS: &str = "previous";
    pub const VOLUME_UP: &str = "volume-up";
    pub const VOLUME_DOWN: &str = "volume-down";
    pub const MUTE: &str = "mute";
    pub const PAUSE_ALL: &str = "pause-all";
    pub const WINDOW: &str = "window";
    pub const SETTINGS: &str = "settings";
    pub const SIGN_OUT: &str = "sign-out";
    pub const QUIT: &str = "quit";
    /// Followed by a group ID.
    pub const ROOM: &str = "room:";
    /// Followed by a room (player) ID.
    pub const CHIME: &str = "chime:";
    /// Followed by minutes, `end` or `off`.
    pub const SLEEP: &str = "sleep:";
}

fn menu<R: Runtime>(app: &AppHandle<R>, m: &TrayModel, visible: bool) -> tauri::Result<Menu<R>> {
    let item = |id: &str, text: &str, enabled: bool| {
        MenuItem::with_id(app, id, text, enabled, None::<&str>)
    };
    let c = m.controls.as_ref();
    let can = |f: fn(&Controls) -> bool| c.is_some_and(f);
    let playing = can(|c| c.playing);
    let step = c.map_or(2, |c| c.step);
    let rooms = Submenu::with_id(app, "rooms", "Room", !m.rooms.is_empty())?;
    for (group, name, chosen) in &m.rooms {
        let entry = CheckMenuItem::with_id(
            app,
            format!("{}{group}", id::ROOM),
            name,
            true,
            *chosen,
            None::<&str>,
        )?;
        rooms.append(&entry)?;
    }
    let chimes = Submenu::with_id(app, "chimes", "Ring a chime", m.chimes.iter().any(|c| c.2))?;
    for (room, label, can) in &m.chimes {
        chimes.append(&item(&format!("{}{room}", id::CHIME), label, *can)?)?;
    }
    let sleeps = Submenu::with_id(
        app,
        "sleep",
        m.sleep.as_ref().map_or("Sleep timer", |s| s.title.as_str()),
        m.sleep.is_some(),
    )?;
    for minutes in sleep::CHOICES {
        let label = format!("In {minutes} minutes");
        sleeps.append(&item(&format!("{}{minutes}", id::SLEEP), &label, true)?)?;
    }
    let end = m.sleep.as_ref().is_some_and(|s| s.end_of_track);
    sleeps.append(&item(
        &format!("{}end", id::SLEEP),
        "At the end of this track",
        end,
    )?)?;
    sleeps.append(&PredefinedMenuItem::separator(app)?)?;
    let set = m.sleep.as_ref().is_some_and(|s| s.set);
    sleeps.append(&item(&format!("{}off", id::SLEEP), "Turn off", set)?)?;
    let menu = Menu::with_items(
        app,
        &[
            &item("headline", &m.headline, false)?,
            &PredefinedMenuItem::separator(app)?,
            &item(
                id::TOGGLE,
                if playing { "Pause" } else { "Play" },
                c.is_some(),
            )?,
            &item(id::NEXT, "Next", can(|c| c.can_skip))?,
            &item(id::PREVIOUS, "Previous", can(|c| c.can_skip_back))?,
            &PredefinedMenuItem::separator(app)?,
            &item(
                id::VOLUME_UP,
                &format!("Volume up (+{step})"),
                can(|c| !c.fixed),
            )?,
            &item(
                id::VOLUME_DOWN,
                &format!("Volume down (−{step})"),
                can(|c| !c.fixed),
            )?,
            &CheckMenuItem::with_id(
                app,
                id::MUTE,
                "Mute",
                can(|c| !c.fixed),
                can(|c| c.muted),
                None::<&str>,
            )?,
            &item(
                id::PAUSE_ALL,
                "Pause everything",
                m.pause_all.as_ref().is_some_and(|p| p.1),
            )?,
            &sleeps,
            &rooms,
            &chimes,
            &PredefinedMenuItem::separator(app)?,
            &item(
                id::WINDOW,
                if visible {
                    "Hide Roomtone"
                } else {
                    "Show Roomtone"
                },
                true,
            )?,
            &item(id::SETTINGS, "Settings…", true)?,
            &item(id::SIGN_OUT, "Sign out", m.signed_in)?,
            &item(id::QUIT, "Quit Roomtone", true)?,
        ],
    )?;
    Ok(menu)
}

/// What the tray shows now, with whether the window was visible (its show/hide item).
#[derive(Default)]
struct Drawn(std::sync::Mutex<Option<(TrayModel, bool)>>);

fn window_visible<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.get_webview_window("main")
        .and_then(|w| w.is_visible().ok())
        .unwrap_or(false)
}

/// Creates the tray icon. Without a tray on this desktop, Roomtone runs without one.
pub fn create(app: &AppHandle) -> tauri::Result<TrayIcon> {
    app.manage(Drawn::default());
    let state = app.state::<AppState>();
    let live = state.snapshot().live;
    let model = model(&live, &state.settings());
    let mut builder = TrayIconBuilder::with_id(TRAY)
        .tooltip(&model.tooltip)
        .menu(&menu(app, &model, window_visible(app))?)
        .show_menu_on_left_click(false)
        .on_menu_event(on_menu)
        .on_tray_icon_event(|tray, event| {
            if toggles(&event) {
                toggle_window(tray.app_handle());
            }
        });
    // macOS's menu bar takes a template image (black and alpha), which it draws in the menu
    // bar's own colour, light or dark; elsewhere the app's icon.
    if cfg!(target_os = "macos") {
        builder = builder.icon(TEMPLATE_ICON).icon_as_template(true);
    } else if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)
}

/// A left click (on its release) shows or hides the window, on Windows and macOS (Linux's
/// trays send no clicks); the right button opens the menu.
fn toggles(event: &TrayIconEvent) -> bool {
    matches!(
        event,
        TrayIconEvent::Click {
            button: MouseButton::Left,
            button_state: MouseButtonState::Up,
            ..
        }
    )
}

/// The app's mark as a macOS menu-bar template: 44×44 (22 pt at 2×), drawn by
/// `icons/tray-template.py`.
const TEMPLATE_ICON: tauri::image::Image<'static> =
    tauri::include_image!("icons/tray-template.png");

/// Rebuilds the tray from `live` and the settings in force, and tells the core whether the
/// window is shown.
pub fn update(app: &AppHandle, live: &Live) {
    rebuild(app, live, window_visible(app));
}

/// [`update`] with the window's visibility known: right after a hide or show, the window
/// still answers with the old one until the event loop has carried it out.
fn rebuild(app: &AppHandle, live: &Live, visible: bool) {
    // Without Sonos's events, the core polls often only while the window is shown.
    if let Ok(controller) = app.state::<AppState>().controller() {
        controller.set_watching(visible);
    }
    let Some(tray) = app.tray_by_id(TRAY) else {
        return;
    };
    let state = app.state::<AppState>();
    let m = model(live, &state.settings());
    // Most changes (a room's volume, a position) do not touch the tray: rebuild only when
    // what it shows differs.
    {
        let shown = app.state::<Drawn>();
        let mut shown = shown.0.lock().unwrap_or_else(|e| e.into_inner());
        if shown.as_ref() == Some(&(m.clone(), visible)) {
            return;
        }
        *shown = Some((m.clone(), visible));
    }
    match menu(app, &m, visible) {
        Ok(menu) => {
            let _ = tray.set_menu(Some(menu));
        }
        Err(err) => tracing::warn!(error = %err, "could not rebuild the tray menu"),
    }
    let _ = tray.set_tooltip(Some(&m.tooltip));
}

/// Shows a hidden window (focused) or hides a shown one.
pub fn toggle_window(app: &AppHandle) {
    match app.get_webview_window("main") {
        Some(window) if window.is_visible().unwrap_or(false) => hide_window(app),
        _ => show_window(app),
    }
}

/// Hides the window (to the tray); its page sleeps after a while ([`PageSleep`]).
pub fn hide_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.hide();
    }
    app.state::<PageSleep>().hidden(app);
    rebuild(app, &app.state::<AppState>().snapshot().live, false);
}

/// Shows the window, in front and focused.
pub fn show_window(app: &AppHandle) {
    show(app, false);
}

/// Shows the window, waking its page (with the settings open when `settings`).
fn show(app: &AppHandle, settings: bool) -> Woken {
    let mut woken = Woken::No;
    if let Some(window) = app.get_webview_window("main") {
        woken = app.state::<PageSleep>().shown(&window, settings);
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
    rebuild(app, &app.state::<AppState>().snapshot().live, true);
    woken
}

/// Shows the window with the settings open.
pub fn open_settings(app: &AppHandle) {
    // A page woken from sleep opens them from its address.
    if show(app, true) == Woken::No {
        let _ = OpenSettings.emit(app);
    }
}

fn on_menu(app: &AppHandle, event: MenuEvent) {
    let which = event.id().as_ref().to_owned();
    let state = app.state::<AppState>();
    match which.as_str() {
        id::WINDOW => return toggle_window(app),
        id::SETTINGS => return open_settings(app),
        id::QUIT => return app.exit(0),
        id::SIGN_OUT => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let state = app.state::<AppState>();
                let done = match state.controller() {
                    Ok(controller) => controller.sign_out().await.map_err(Into::into),
                    Err(err) => Err(err),
                };
                if let Err(err) = done {
                    let _ = Problem(err).emit(&app);
                }
            });
            return;
        }
        _ => {}
    }
    if let Some(group) = which.strip_prefix(id::ROOM) {
        let chosen = state.save_settings(app, |current| Settings {
            tray_group: Some(GroupId::from(group)),
            ..current
        });
        if let Err(err) = chosen {
            let _ = Problem(err).emit(app);
        }
        return update(app, &state.snapshot().live);
    }
    if which == id::PAUSE_ALL {
        let model = model(&state.snapshot().live, &state.settings());
        if let Some((household, _)) = model.pause_all {
            return quick::perform_action(app, Action::PauseAll { household }, "tray");
        }
        return;
    }
    if let Some(when) = which.strip_prefix(id::SLEEP) {
        let model = model(&state.snapshot().live, &state.settings());
        let after = match when {
            "end" => SleepAfter::EndOfTrack,
            "off" => SleepAfter::Off,
            minutes => match minutes.parse() {
                Ok(minutes) => SleepAfter::Minutes { minutes },
                Err(_) => return,
            },
        };
        if let Some(sleep) = model.sleep {
            let group = sleep.group;
            return quick::perform_action(app, Action::Sleep { group, after }, "tray");
        }
        return;
    }
    if let Some(room) = which.strip_prefix(id::CHIME) {
        let chime = Action::Chime {
            room: PlayerId::from(room),
            url: None,
            volume: None,
        };
        return quick::perform_action(app, chime, "tray");
    }
    let quick = match which.as_str() {
        id::TOGGLE => Quick::Toggle,
        id::NEXT => Quick::Next,
        id::PREVIOUS => Quick::Previous,
        id::VOLUME_UP => Quick::VolumeUp,
        id::VOLUME_DOWN => Quick::VolumeDown,
        id::MUTE => Quick::Mute,
        _ => return,
    };
    quick::perform(app, quick, "tray");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_macos_tray_icon_is_a_template_black_with_alpha_at_menu_bar_size() {
        let icon = TEMPLATE_ICON;
        assert_eq!((icon.width(), icon.height()), (44, 44));
        let pixels: Vec<&[u8]> = icon.rgba().chunks(4).collect();
        assert_eq!(pixels.len(), 44 * 44);
        assert!(pixels.iter().all(|p| p[..3] == [0, 0, 0]), "only black");
        let drawn = pixels.iter().filter(|p| p[3] > 127).count();
        // The ring and the triangle: a mark, neither empty nor a filled square.
        assert!((200..1000).contains(&drawn), "{drawn} pixels drawn");
        assert_eq!(pixels[0][3], 0, "a transparent corner");
    }

    #[test]
    fn a_left_click_toggles_the_window_and_other_clicks_do_not() {
        use tauri::tray::TrayIconId;
        let click = |button, button_state| TrayIconEvent::Click {
            id: TrayIconId::new(TRAY),
            position: tauri::PhysicalPosition::new(0.0, 0.0),
            rect: tauri::Rect::default(),
            button,
            button_state,
        };
        assert!(toggles(&click(MouseButton::Left, MouseButtonState::Up)));
        assert!(!toggles(&click(MouseButton::Left, MouseButtonState::Down)));
        assert!(!toggles(&click(MouseButton::Right, MouseButtonState::Up)));
    }
}
