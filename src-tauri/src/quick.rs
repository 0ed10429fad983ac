//! Quick controls: what the tray, the global hotkeys and the OS media session (media keys,
//! `playerctl`, the Windows and macOS media overlays) do to the group the tray controls.
//! One path for all three: the group is chosen once ([`crate::tray::controlled`]), the
//! action is one call into the core, and a failure reaches the window as a `problem`.

use crate::error::AppError;
use crate::events::Problem;
use crate::state::AppState;
use roomtone_core::view::Group;
use roomtone_core::Controller;
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
    /// Forward (or back, when negative) by this many milliseconds from the last known position.
    SeekBy(i64),
}

/// Performs `quick` on the group the tray controls, in the background. `from` names the
/// source in the log ("tray", "hotkey", "media session").
pub fn perform(app: &AppHandle, quick: Quick, from: &'static str) {
    let state = app.state::<AppState>();
    let settings = state.settings();
    let live = state.snapshot().live;
    let Some(group) = state.controlled(&live) else {
        tracing::info!(?quick, from, "a quick control with no group to control");
        return;
    };
    let step = settings.tray_volume_step;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let done = match state.controller() {
            Ok(controller) => act(controller, quick, &group, step).await,
            Err(err) => Err(err),
        };
        if let Err(err) = done {
            tracing::warn!(error = %err.message, ?quick, from, "a quick control failed");
            let _ = Problem(err).emit(&app);
        }
    });
}

async fn act(
    controller: &Controller,
    quick: Quick,
    group: &Group,
    step: u8,
) -> Result<(), AppError> {
    let id = GroupId::from(group.id.as_str());
    let step = i16::from(step);
    match quick {
        Quick::Toggle => controller.toggle(&id).await?,
        Quick::Play => controller.play(&id).await?,
        Quick::Pause => controller.pause(&id).await?,
        Quick::Next => controller.next(&id).await?,
        Quick::Previous => controller.previous(&id).await?,
        Quick::VolumeUp => controller.adjust_group_volume(&id, step).await?,
        Quick::VolumeDown => controller.adjust_group_volume(&id, -step).await?,
        Quick::Mute => controller.set_group_mute(&id, !group.volume.muted).await?,
        Quick::SetVolume(volume) => controller.set_group_volume(&id, volume.min(100)).await?,
        Quick::SeekTo(millis) => controller.seek(&id, millis).await?,
        Quick::SeekBy(delta) => {
            let at = i64::from(group.position_millis.unwrap_or(0)) + delta;
            let end = group
                .now_playing
                .as_ref()
                .and_then(|n| n.duration_millis)
                .map_or(i64::from(u32::MAX), i64::from);
            let to = u32::try_from(at.clamp(0, end)).unwrap_or(0);
            controller.seek(&id, to).await?
        }
    }
    Ok(())
}
