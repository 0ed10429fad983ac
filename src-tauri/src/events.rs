//! Events the webview listens to.

use crate::error::AppError;
use crate::patch::Op;
use serde::Serialize;
use specta::Type;

/// The state changed (`state-changed`): what differs from the snapshot numbered `base`,
/// making the one numbered `seq` (`crate::publish`). A window whose snapshot has another
/// number asks for the whole one again (`household_snapshot`).
#[derive(Debug, Clone, Serialize, Type, tauri_specta::Event)]
pub struct StateChanged {
    pub base: u32,
    pub seq: u32,
    pub ops: Vec<Op>,
}

/// What Roomtone's own updates are doing changed (`update-changed`).
#[derive(Debug, Clone, Serialize, Type, tauri_specta::Event)]
pub struct UpdateChanged(pub roomtone_core::releases::UpdateState);

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
