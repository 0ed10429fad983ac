//! `roomtone://` links, from the OS or the demo, handed to sign-in.

use crate::state::AppState;
use crate::{error, events};
use tauri::Manager;
use tauri_specta::Event;

/// Hands `roomtone://` links to sign-in; a bad one becomes a `problem` event for the window.
pub(crate) fn deliver_links(app: &tauri::AppHandle, urls: impl IntoIterator<Item = String>) {
    let state = app.state::<AppState>();
    for url in urls {
        if let Err(err) = state.handle_deep_link(&url) {
            tracing::warn!(error = %err, "a deep link was refused");
            let _ = events::Problem(error::AppError::from(err)).emit(app);
        }
    }
}
