//! Global hotkeys: off until turned on in the settings; then each configured shortcut runs
//! its quick control on the group the tray controls, whichever app is in front.
//!
//! How depends on the desktop. Windows and macOS have system-wide hot keys and an X11
//! session has key grabs (all three through tauri-plugin-global-shortcut, at once). A
//! Wayland desktop gives no app the keys of another: there the desktop's global-shortcuts
//! portal is asked for them ([`portal`], its answer comes later), and without one an X11 grab
//! through XWayland is the fallback, which works only while an X11 app is in front. The
//! settings window says which is in use and what was refused.

#[cfg(target_os = "linux")]
mod portal;

#[cfg(target_os = "linux")]
use crate::events::HotkeysChanged;
use crate::quick::{self, Quick};
use crate::settings::{HotkeyAction, Hotkeys};
use crate::state::{AppState, HotkeysStatus};
use tauri::{AppHandle, Manager};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutState};
#[cfg(target_os = "linux")]
use tauri_specta::Event as _;

/// The hotkeys in force: the shortcuts grabbed, and on Wayland the task that holds the
/// portal's session.
#[derive(Default)]
pub struct InForce {
    /// What [`grab`] registered, released by name: the plugin's `unregister_all` holds its
    /// lock while the X11 thread answers, and that thread takes the lock to deliver a press.
    grabbed: std::sync::Mutex<Vec<Shortcut>>,
    #[cfg(target_os = "linux")]
    portal: std::sync::Mutex<Option<portal::Running>>,
}

/// How hotkeys are had on this desktop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mechanism {
    /// The OS's own: Windows' and macOS's hot keys, an X11 session's key grab.
    Native,
    /// A Wayland session: the desktop's portal, and an X11 grab through XWayland when there
    /// is no portal and `x11` (an X display) is there.
    #[cfg(target_os = "linux")]
    Portal { x11: bool },
}

/// The mechanism for a session with these environment variables.
fn mechanism(var: impl Fn(&str) -> Option<String>) -> Mechanism {
    #[cfg(target_os = "linux")]
    {
        let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
        if set("WAYLAND_DISPLAY") || var("XDG_SESSION_TYPE").as_deref() == Some("wayland") {
            return Mechanism::Portal {
                x11: set("DISPLAY"),
            };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = var;
    Mechanism::Native
}

/// Which grab: the OS's own, or an X11 one standing in for a portal on Wayland.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grab {
    Native,
    XWayland,
}

/// Puts `hotkeys` in force in place of those before, and tells the state how they work and
/// what was refused. On Wayland the desktop answers later: the state says it is pending,
/// and a `hotkeys-changed` event follows the answer. Called on the main thread.
pub fn apply(app: &AppHandle, hotkeys: &Hotkeys) {
    let state = app.state::<AppState>();
    let in_force = app.state::<InForce>();
    let generation = state.hotkeys_begin();
    // The previous portal session ends with its stop; the next one is asked for once it has.
    #[cfg(target_os = "linux")]
    let previous = in_force
        .portal
        .lock()
        .expect("hotkeys lock")
        .take()
        .map(portal::Running::stop);
    release(app, &in_force);
    if !hotkeys.enabled {
        state.hotkeys_answered(generation, HotkeysStatus::default());
        return;
    }
    match mechanism(|name| std::env::var(name).ok()) {
        Mechanism::Native => {
            state.hotkeys_answered(generation, grab(app, hotkeys, Grab::Native));
        }
        #[cfg(target_os = "linux")]
        Mechanism::Portal { x11 } => {
            state.hotkeys_answered(generation, portal::asked());
            let running = portal::start(app, generation, hotkeys.clone(), x11, previous);
            *in_force.portal.lock().expect("hotkeys lock") = Some(running);
        }
    }
}

/// Releases what [`grab`] registered.
fn release(app: &AppHandle, in_force: &InForce) {
    let grabbed = std::mem::take(&mut *in_force.grabbed.lock().expect("hotkeys lock"));
    if grabbed.is_empty() {
        return;
    }
    if let Err(err) = app.global_shortcut().unregister_multiple(grabbed) {
        tracing::warn!(error = %err, "could not release the previous hotkeys");
    }
}

/// Registers the shortcuts through tauri-plugin-global-shortcut: how they work, and what
/// the OS refused (the others work). On the main thread.
fn grab(app: &AppHandle, hotkeys: &Hotkeys, how: Grab) -> HotkeysStatus {
    let parsed = match hotkeys.parsed() {
        Ok(parsed) => parsed,
        // The settings were validated when saved and loaded; this is a file edited since.
        Err(err) => return invalid(&err),
    };
    let shortcuts = app.global_shortcut();
    let in_force = app.state::<InForce>();
    let mut problems = Vec::new();
    for (action, text, shortcut) in parsed {
        let quick = quick_for(action);
        let registered = shortcuts.on_shortcut(shortcut, move |app, _, event| {
            if event.state() == ShortcutState::Pressed {
                quick::perform(app, quick, "hotkey");
            }
        });
        match registered {
            Ok(()) => in_force
                .grabbed
                .lock()
                .expect("hotkeys lock")
                .push(shortcut),
            Err(err) => {
                tracing::warn!(error = %err, action = action.label(), "a hotkey was refused");
                problems.push(refused_message(action, text, &err.to_string(), how));
            }
        }
    }
    HotkeysStatus {
        via: Some(grab_via(how).to_owned()),
        problems,
        pending: false,
    }
}

/// The desktop's portal answered for the hotkeys of `generation`: kept if they are still
/// those in force, and the settings window told.
#[cfg(target_os = "linux")]
fn answer(app: &AppHandle, generation: u64, status: HotkeysStatus) {
    if app.state::<AppState>().hotkeys_answered(generation, status) {
        let _ = HotkeysChanged.emit(app);
    }
}

/// A Wayland session without the portal: an X11 grab through XWayland when there is an X
/// display (on the main thread, where the hotkeys are put in force, so it cannot cross
/// hotkeys put in force since), else why hotkeys cannot work here.
#[cfg(target_os = "linux")]
fn without_portal(app: &AppHandle, generation: u64, hotkeys: &Hotkeys, x11: bool) {
    if !x11 {
        return answer(
            app,
            generation,
            portal::refused(&roomtone_portal::PortalError::Absent),
        );
    }
    let handle = app.clone();
    let hotkeys = hotkeys.clone();
    let queued = app.run_on_main_thread(move || {
        if handle.state::<AppState>().hotkeys_current(generation) {
            let status = grab(&handle, &hotkeys, Grab::XWayland);
            answer(&handle, generation, status);
        }
    });
    if let Err(err) = queued {
        tracing::warn!(error = %err, "the X11 fallback for the hotkeys could not run");
    }
}

/// Hotkeys that cannot be put in force as written.
fn invalid(err: &str) -> HotkeysStatus {
    HotkeysStatus {
        via: None,
        problems: vec![format!("Hotkeys are off: {err}.")],
        pending: false,
    }
}

fn grab_via(how: Grab) -> &'static str {
    match how {
        Grab::XWayland => "Through an X11 key grab in XWayland: this desktop has no global-shortcuts portal, so the shortcuts work only while an X11 app is in front.",
        Grab::Native if cfg!(target_os = "windows") => {
            "Through Windows' system-wide hot keys: the shortcuts work whichever app is in front."
        }
        Grab::Native if cfg!(target_os = "macos") => {
            "Through macOS's system-wide hot keys: the shortcuts work whichever app is in front."
        }
        Grab::Native => {
            "Through the X server's key grab: the shortcuts work whichever app is in front."
        }
    }
}

fn quick_for(action: HotkeyAction) -> Quick {
    match action {
        HotkeyAction::PlayPause => Quick::Toggle,
        HotkeyAction::Next => Quick::Next,
        HotkeyAction::Previous => Quick::Previous,
        HotkeyAction::VolumeUp => Quick::VolumeUp,
        HotkeyAction::VolumeDown => Quick::VolumeDown,
        HotkeyAction::Mute => Quick::Mute,
    }
}

/// Why a shortcut does not work, and what to do about it.
fn refused_message(action: HotkeyAction, shortcut: &str, err: &str, how: Grab) -> String {
    let hint = if how == Grab::XWayland {
        "Another X11 app may use it"
    } else if cfg!(target_os = "macos") {
        "Another app, or one of macOS's own shortcuts (System Settings → Keyboard → Keyboard Shortcuts), may use it"
    } else {
        "Another app may use it"
    };
    format!(
        "The {} shortcut {shortcut} could not be registered ({err}). {hint}; choose another shortcut.",
        action.label()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_shortcut_says_which_and_what_to_do() {
        let message = refused_message(
            HotkeyAction::Mute,
            "CommandOrControl+Alt+M",
            "HotKey already registered",
            Grab::Native,
        );
        assert!(
            message.starts_with("The mute shortcut CommandOrControl+Alt+M could not be registered (HotKey already registered)."),
            "{message}"
        );
        assert!(message.ends_with("choose another shortcut."), "{message}");
        let xwayland = refused_message(
            HotkeyAction::Next,
            "Ctrl+Alt+Right",
            "taken",
            Grab::XWayland,
        );
        assert!(
            xwayland.contains("Another X11 app may use it"),
            "{xwayland}"
        );
    }

    #[test]
    fn each_action_runs_its_quick_control() {
        let quick: Vec<Quick> = HotkeyAction::ALL.into_iter().map(quick_for).collect();
        assert_eq!(
            quick,
            [
                Quick::Toggle,
                Quick::Next,
                Quick::Previous,
                Quick::VolumeUp,
                Quick::VolumeDown,
                Quick::Mute
            ]
        );
    }

    #[test]
    fn a_file_edited_since_turns_the_hotkeys_off_and_says_why() {
        let status = invalid("the mute shortcut \"Q\" needs Ctrl, Alt, Shift or Super");
        assert_eq!(status.via, None);
        assert_eq!(
            status.problems,
            ["Hotkeys are off: the mute shortcut \"Q\" needs Ctrl, Alt, Shift or Super."]
        );
        assert!(!status.pending);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_wayland_session_asks_the_portal_and_an_x11_one_grabs() {
        let session = |vars: &'static [(&'static str, &'static str)]| {
            mechanism(move |name| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            })
        };
        assert_eq!(session(&[("DISPLAY", ":0")]), Mechanism::Native);
        assert_eq!(
            session(&[("DISPLAY", ":0"), ("XDG_SESSION_TYPE", "x11")]),
            Mechanism::Native
        );
        assert_eq!(
            session(&[("WAYLAND_DISPLAY", "wayland-0"), ("DISPLAY", ":0")]),
            Mechanism::Portal { x11: true }
        );
        assert_eq!(
            session(&[("WAYLAND_DISPLAY", "wayland-0")]),
            Mechanism::Portal { x11: false }
        );
        // A Wayland session's app started with WAYLAND_DISPLAY cleared (to force XWayland)
        // still has only XWayland's grab: the portal is asked first.
        assert_eq!(
            session(&[("XDG_SESSION_TYPE", "wayland"), ("DISPLAY", ":1")]),
            Mechanism::Portal { x11: true }
        );
        assert_eq!(
            session(&[("WAYLAND_DISPLAY", ""), ("DISPLAY", ":0")]),
            Mechanism::Native
        );
        assert!(grab_via(Grab::Native).starts_with("Through the X server's key grab"));
        assert!(grab_via(Grab::XWayland).contains("only while an X11 app is in front"));
    }
}
