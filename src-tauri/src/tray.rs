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
//! toggles the window.

use crate::events::{OpenSettings, Problem};
use crate::quick::{self, Quick};
use crate::settings::Settings;
use crate::sleep::{PageSleep, Woken};
use crate::state::AppState;
use roomtone_core::live::{Live, ReadState, SessionPhase};
use roomtone_core::sleep::{self, SleepAfter};
use roomtone_core::Action;
use roomtone_sonos::{GroupId, HouseholdId, PlayerId};
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;

const TRAY: &str = "main";

/// What the tray shows, from the live state and the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayModel {
    pub tooltip: String,
    /// The first, disabled line of the menu.
    pub headline: String,
    /// The group the tray controls, if any.
    pub controls: Option<Controls>,
    /// Every group, for the "Room" submenu: (id, name, chosen).
    pub rooms: Vec<(GroupId, String, bool)>,
    /// The controlled group's household, for "Pause everything", and whether any of its
    /// groups plays.
    pub pause_all: Option<(HouseholdId, bool)>,
    /// The controlled group's rooms, for "Ring a chime": (id, label, can ring one).
    pub chimes: Vec<(PlayerId, String, bool)>,
    /// The controlled group's sleep timer.
    pub sleep: Option<SleepMenu>,
    pub signed_in: bool,
}

/// The "Sleep timer" submenu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SleepMenu {
    pub group: GroupId,
    /// "Sleep timer", or with the time left: "Sleep timer: 28 min left".
    pub title: String,
    /// It plays a track with an end to sleep at.
    pub end_of_track: bool,
    /// A timer is set (it can be turned off).
    pub set: bool,
}

/// The controlled group's buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Controls {
    pub group: GroupId,
    pub playing: bool,
    pub can_skip: bool,
    pub can_skip_back: bool,
    pub muted: bool,
    /// A fixed-volume group has no volume buttons.
    pub fixed: bool,
    pub step: u8,
}

/// See [`TrayModel`]: the tray controls the core's [`Live::controlled`] group.
pub fn model(live: &Live, settings: &Settings) -> TrayModel {
    let group = live.controlled();
    let signed_in = live.session.state == SessionPhase::SignedIn;
    let headline = match (live.session.state, group) {
        (SessionPhase::Starting, _) => "Roomtone is starting…".to_owned(),
        (SessionPhase::SignedOut, _) => "Not signed in to Sonos".to_owned(),
        (SessionPhase::SignedIn, None)
            if matches!(live.sync, ReadState::Loading | ReadState::Idle) =>
        {
            "Reading your rooms…".into()
        }
        (SessionPhase::SignedIn, None) => "No rooms found".to_owned(),
        (SessionPhase::SignedIn, Some(g)) => {
            let what = match &g.now_playing {
                Some(now) if g.state.is_playing() => now.line(),
                Some(now) => format!("{} (paused)", now.line()),
                None => "nothing playing".to_owned(),
            };
            format!("{}: {what}", g.name)
        }
    };
    TrayModel {
        tooltip: format!("Roomtone — {headline}"),
        controls: group.map(|g| Controls {
            group: g.id.clone(),
            playing: g.state.is_playing(),
            can_skip: g.actions.can_skip,
            can_skip_back: g.actions.can_skip_back,
            muted: g.volume.muted,
            fixed: g.volume.fixed,
            step: settings.tray_volume_step,
        }),
        rooms: live
            .groups()
            .map(|g| {
                let chosen = group.is_some_and(|c| c.id == g.id);
                (g.id.clone(), g.name.clone(), chosen)
            })
            .collect(),
        pause_all: group.and_then(|g| {
            let household = live
                .households
                .iter()
                .find(|h| h.groups.iter().any(|x| x.id == g.id))?;
            let playing = household.groups.iter().any(|x| x.state.is_playing());
            Some((household.id.clone(), playing))
        }),
        chimes: group.map_or_else(Vec::new, |g| {
            g.rooms
                .iter()
                .map(|r| match r.can_chime {
                    true => (r.id.clone(), r.name.clone(), true),
                    false => (
                        r.id.clone(),
                        format!("{} (its speaker takes no chimes)", r.name),
                        false,
                    ),
                })
                .collect()
        }),
        sleep: group.map(|g| {
            let timer = live.sleep_of(&g.id);
            SleepMenu {
                group: g.id.clone(),
                title: timer.map_or_else(
                    || "Sleep timer".to_owned(),
                    |t| format!("Sleep timer: {}", t.left),
                ),
                end_of_track: sleep::ends_with_track(g),
                set: timer.is_some(),
            }
        }),
        headline,
        signed_in,
    }
}

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
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                toggle_window(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)
}

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
        let settings = Settings {
            tray_group: Some(GroupId::from(group)),
            ..state.settings()
        };
        if let Err(err) = state.save_settings(app, settings) {
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
    use crate::fixtures::{group, live};
    use roomtone_core::view::PlayState;

    /// The tray of `live`, with the core's controlled group `controlled`.
    fn at(live: &Live, settings: &Settings) -> TrayModel {
        model(live, settings)
    }

    fn controlling(mut live: Live, id: &str) -> Live {
        live.controlled = Some(id.into());
        live
    }

    #[test]
    fn the_tray_shows_and_controls_the_group_the_core_says() {
        let l = live(vec![
            group("a", "Office", PlayState::Paused, Some("Flywheel")),
            group("b", "Kitchen", PlayState::Playing, Some("Blue Hour")),
            group("c", "Den", PlayState::Idle, None),
        ]);
        let m = at(&controlling(l.clone(), "b"), &Settings::default());
        assert_eq!(m.headline, "Kitchen: Blue Hour — Forty Rooms");
        assert_eq!(m.tooltip, "Roomtone — Kitchen: Blue Hour — Forty Rooms");
        assert!(m.controls.as_ref().unwrap().playing);
        let chosen: Vec<_> = m
            .rooms
            .iter()
            .filter(|r| r.2)
            .map(|r| r.1.as_str())
            .collect();
        assert_eq!(chosen, ["Kitchen"]);

        let step = Settings {
            tray_volume_step: 5,
            ..Settings::default()
        };
        let m = at(&controlling(l.clone(), "a"), &step);
        assert_eq!(m.headline, "Office: Flywheel — Forty Rooms (paused)");
        assert_eq!(m.controls.as_ref().unwrap().step, 5);

        assert_eq!(m.pause_all, Some(("h".into(), true)), "the Kitchen plays");
        let quiet = live(vec![group(
            "a",
            "Office",
            PlayState::Paused,
            Some("Flywheel"),
        )]);
        let m = at(&controlling(quiet, "a"), &Settings::default());
        assert_eq!(m.pause_all, Some(("h".into(), false)), "nothing to pause");

        let m = at(&controlling(l.clone(), "c"), &Settings::default());
        assert_eq!(m.headline, "Den: nothing playing");
        assert!(
            m.controls.unwrap().fixed,
            "no volume buttons for a fixed volume"
        );
    }

    #[test]
    fn the_sleep_menu_says_the_time_left_and_offers_the_end_of_a_track_with_one() {
        let mut kitchen = group("b", "Kitchen", PlayState::Playing, Some("Blue Hour"));
        let l = controlling(live(vec![kitchen.clone()]), "b");
        let m = at(&l, &Settings::default()).sleep.unwrap();
        assert_eq!(m.title, "Sleep timer");
        assert!(!m.set && !m.end_of_track, "no position: no end known");

        kitchen.now_playing.as_mut().unwrap().duration_millis = Some(200_000);
        kitchen.position = Some(roomtone_core::view::Position {
            millis: 1_000,
            read_at: 0,
        });
        let mut l = controlling(live(vec![kitchen]), "b");
        l.sleep = vec![roomtone_core::sleep::SleepTimer {
            group: "b".into(),
            ends_at: 0,
            end_of_track: false,
            minutes_left: 28,
            fading: false,
            left: "28 min left".into(),
        }];
        let m = at(&l, &Settings::default()).sleep.unwrap();
        assert_eq!(m.title, "Sleep timer: 28 min left");
        assert!(m.set && m.end_of_track);
        l.sleep[0].left = "fading out".into();
        let m = at(&l, &Settings::default()).sleep.unwrap();
        assert_eq!(m.title, "Sleep timer: fading out");
    }

    #[test]
    fn the_chime_menu_offers_the_rooms_that_can_ring_one_and_says_why_not() {
        let room = |id: &str, name: &str, can_chime| roomtone_core::view::Room {
            id: id.into(),
            name: name.into(),
            volume: Default::default(),
            line_in: false,
            home_theater: false,
            tv_power: false,
            can_chime,
        };
        let mut kitchen = group("b", "Kitchen + 1", PlayState::Playing, Some("Blue Hour"));
        kitchen.rooms = vec![room("P1", "Kitchen", true), room("P2", "Den", false)];
        let m = at(&controlling(live(vec![kitchen]), "b"), &Settings::default());
        assert_eq!(
            m.chimes,
            [
                (PlayerId::from("P1"), "Kitchen".to_owned(), true),
                (
                    PlayerId::from("P2"),
                    "Den (its speaker takes no chimes)".to_owned(),
                    false
                ),
            ]
        );
        let nothing = at(&live(Vec::new()), &Settings::default());
        assert!(nothing.chimes.is_empty(), "no group, no chimes");
        assert_eq!(nothing.pause_all, None);
    }

    #[test]
    fn a_pending_change_shows_in_the_tray_as_in_the_window() {
        // The core shows a pending pause in the households every surface reads.
        let mut l = controlling(
            live(vec![group(
                "b",
                "Kitchen",
                PlayState::Paused,
                Some("Blue Hour"),
            )]),
            "b",
        );
        l.pending.push(roomtone_core::pending::Pending {
            target: "b".into(),
            state: Some(PlayState::Paused),
            volume: None,
            muted: None,
        });
        let m = at(&l, &Settings::default());
        assert_eq!(m.headline, "Kitchen: Blue Hour — Forty Rooms (paused)");
        assert!(!m.controls.unwrap().playing, "the button offers play");
    }

    #[test]
    fn signed_out_and_starting_trays_say_so_and_control_nothing() {
        let mut l = live(Vec::new());
        l.session.state = SessionPhase::SignedOut;
        let m = at(&l, &Settings::default());
        assert_eq!(m.headline, "Not signed in to Sonos");
        assert!(m.controls.is_none() && !m.signed_in && m.rooms.is_empty());
        l.session.state = SessionPhase::Starting;
        assert_eq!(
            at(&l, &Settings::default()).headline,
            "Roomtone is starting…"
        );
        l.session.state = SessionPhase::SignedIn;
        l.sync = ReadState::Loading;
        assert_eq!(at(&l, &Settings::default()).headline, "Reading your rooms…");
        l.sync = ReadState::Ready;
        assert_eq!(at(&l, &Settings::default()).headline, "No rooms found");
    }
}
