//! Global hotkeys: off until turned on in the settings; then each configured shortcut runs
//! its quick control on the group the tray controls, whichever app is in front.

use crate::quick::{self, Quick};
use crate::settings::{HotkeyAction, Hotkeys};
use tauri::AppHandle;
use tauri_plugin_global_shortcut::{GlobalShortcutExt, ShortcutState};

/// Registers the shortcuts `hotkeys` asks for, in place of those registered before. Returns
/// what the OS refused, in words for a person; the others work.
pub fn apply(app: &AppHandle, hotkeys: &Hotkeys) -> Vec<String> {
    let shortcuts = app.global_shortcut();
    if let Err(err) = shortcuts.unregister_all() {
        tracing::warn!(error = %err, "could not release the previous hotkeys");
    }
    if !hotkeys.enabled {
        return Vec::new();
    }
    let parsed = match hotkeys.parsed() {
        Ok(parsed) => parsed,
        // The settings were validated when saved and loaded; this is a file edited since.
        Err(err) => return vec![format!("Hotkeys are off: {err}.")],
    };
    let mut refused = Vec::new();
    for (action, shortcut) in parsed {
        let quick = quick_for(action);
        let registered = shortcuts.on_shortcut(shortcut, move |app, _, event| {
            if event.state() == ShortcutState::Pressed {
                quick::perform(app, quick, "hotkey");
            }
        });
        if let Err(err) = registered {
            tracing::warn!(error = %err, action = action.label(), "a hotkey was refused");
            let text = hotkeys
                .bindings()
                .into_iter()
                .find_map(|(a, text)| (a == action).then_some(text))
                .unwrap_or_default();
            refused.push(refused_message(action, text, &err.to_string()));
        }
    }
    refused
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
fn refused_message(action: HotkeyAction, shortcut: &str, err: &str) -> String {
    let hint = if cfg!(target_os = "macos") {
        "Another app may use it, or macOS may need Roomtone allowed in System Settings → Privacy & Security → Accessibility"
    } else if cfg!(target_os = "linux") {
        "Another app may use it; on Wayland, global shortcuts reach only apps running under XWayland"
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
        );
        assert!(
            message.starts_with("The mute shortcut CommandOrControl+Alt+M could not be registered (HotKey already registered)."),
            "{message}"
        );
        assert!(message.ends_with("choose another shortcut."), "{message}");
        assert_eq!(quick_for(HotkeyAction::PlayPause), Quick::Toggle);
        assert_eq!(quick_for(HotkeyAction::Mute), Quick::Mute);
    }
}
