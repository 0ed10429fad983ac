//! Events the webview listens to.

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

/// How the hotkeys work changed after the settings were saved (`hotkeys-changed`): the
/// desktop's portal answered, or its shortcuts were changed in the desktop's settings. The
/// settings window reads the settings view again.
#[derive(Debug, Clone, Serialize, Type, tauri_specta::Event)]
pub struct HotkeysChanged;
