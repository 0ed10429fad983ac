//! Quick controls: what the tray, the global hotkeys and the OS media session (media keys,
//! `playerctl`, the Windows and macOS media overlays) do to the group the tray controls.
//! One path for all three: the group is the core's controlled one
//! ([`roomtone_core::Live::controlled`]), the control is one of the core's actions, and a
//! failure reaches the window as a `problem`.

use crate::error::AppError;
use crate::events::Problem;
use crate::state::AppState;
use roomtone_core::Action;
use roomtone_sonos::GroupId;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

/// A quick control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quick {
    Toggle,
    Play,
    Pause,
    Next,
    Previous,
    /// Up by the settings' volume step.
    VolumeUp,
    /// Down by the settings' volume step.
    VolumeDown,
    /// Mute if not muted, else unmute.
    Mute,
    /// To this volume, 0–100.
    SetVolume(u8),
    /// To this position in the track.
    SeekTo(u32),
    /// Forward (or back, when negative) by this many milliseconds from where the track is now.
    SeekBy(i64),
}

impl Quick {
    /// The core's action for this control on `group`, the group the quick controls control;
    /// `step` is the settings' volume step.
    pub fn action(self, group: GroupId, step: u8) -> Action {
        let step = i16::from(step);
        match self {
            Quick::Toggle => Action::Toggle { group },
            Quick::Play => Action::Play { group },
            Quick::Pause => Action::Pause { group },
            Quick::Next => Action::Next { group },
            Quick::Previous => Action::Previous { group },
            Quick::VolumeUp => Action::AdjustGroupVolume { group, delta: step },
            Quick::VolumeDown => Action::AdjustGroupVolume {
                group,
                delta: -step,
            },
            Quick::Mute => Action::ToggleGroupMute { group },
            Quick::SetVolume(volume) => Action::SetGroupVolume { group, volume },
            Quick::SeekTo(position_millis) => Action::Seek {
                group,
                position_millis,
            },
            Quick::SeekBy(delta_millis) => Action::SeekBy {
                group,
                delta_millis,
            },
        }
    }
}

/// Performs `quick` on the group the core says the quick controls control, in the
/// background. `from` names the source in the log ("tray", "hotkey", "media session").
pub fn perform(app: &AppHandle, quick: Quick, from: &'static str) {
    let state = app.state::<AppState>();
    let live = state.snapshot().live;
    let Some(group) = live.controlled.clone() else {
        tracing::info!(?quick, from, "a quick control with no group to control");
        return;
    };
    perform_action(
        app,
        quick.action(group, state.settings().tray_volume_step),
        from,
    );
}

/// Performs `action` through the core in the background; a failure reaches the window as a
/// `problem`.
pub fn perform_action(app: &AppHandle, action: Action, from: &'static str) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let what = action.what();
        let done = match state.controller() {
            Ok(controller) => controller.perform(action).await.map_err(AppError::from),
            Err(err) => Err(err),
        };
        if let Err(err) = done {
            tracing::warn!(error = %err.message, what, from, "a quick control failed");
            let _ = Problem(err).emit(&app);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quick_control_is_an_action_of_the_core() {
        let g = || GroupId::from("G");
        assert_eq!(
            Quick::VolumeDown.action(g(), 4),
            Action::AdjustGroupVolume {
                group: g(),
                delta: -4
            }
        );
        assert_eq!(
            Quick::Mute.action(g(), 4),
            Action::ToggleGroupMute { group: g() }
        );
        assert_eq!(
            Quick::SeekBy(-5_000).action(g(), 4),
            Action::SeekBy {
                group: g(),
                delta_millis: -5_000
            }
        );
    }
}
