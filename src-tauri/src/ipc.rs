//! The commands and events the webview sees, and the TypeScript bindings made from them
//! (`ui/src/bindings.ts`).

use crate::{commands, events};
use tauri_specta::{collect_commands, collect_events};

/// The commands and events the webview sees; the TypeScript bindings are made from this.
pub(crate) fn specta() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            commands::session_sign_in,
            commands::session_open_browser_again,
            commands::session_cancel_sign_in,
            commands::session_keep_for_this_run,
            commands::session_sign_out,
            commands::household_snapshot,
            commands::household_refresh,
            commands::view_focus,
            commands::view_unsaved,
            commands::control_perform,
            commands::volume_theater_options,
            commands::volume_room_settings,
            commands::library_get,
            commands::library_playlist,
            commands::library_play_stream,
            commands::library_recent_streams,
            commands::library_forget_stream,
            commands::settings_get,
            commands::settings_set,
            commands::settings_set_client_secret,
            commands::updates_get,
            commands::updates_check,
            commands::updates_install,
            commands::app_restart,
            commands::app_painted,
            commands::app_mark,
        ])
        .events(collect_events![
            events::StateChanged,
            events::Problem,
            events::OpenSettings,
            events::HotkeysChanged,
            events::UpdateChanged
        ])
        // The webview only receives these types: one shape each, not serialize/deserialize pairs.
        .disable_serde_phases()
}

/// The TypeScript bindings of [`specta`], as committed in `ui/src/bindings.ts`.
pub fn bindings() -> String {
    let file = std::env::temp_dir().join(format!("roomtone-bindings-{}.ts", std::process::id()));
    specta()
        .export(
            specta_typescript::Typescript::default()
                .header("// Generated from the Rust types by `scripts/bindings`: do not edit.\n"),
            &file,
        )
        .expect("the bindings export");
    let text = std::fs::read_to_string(&file).expect("the exported bindings");
    let _ = std::fs::remove_file(&file);
    text
}

#[cfg(test)]
mod tests {
    /// The committed bindings are what the Rust types make; `scripts/bindings` rewrites them.
    #[test]
    fn the_typescript_bindings_are_current() {
        let made = super::bindings();
        if std::env::var_os("ROOMTONE_WRITE_BINDINGS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/bindings.ts");
            std::fs::write(path, &made).expect("writing ui/src/bindings.ts");
            return;
        }
        let committed = include_str!("../../ui/src/bindings.ts");
        assert!(
            made == committed,
            "ui/src/bindings.ts is out of date: run scripts/bindings and commit the result"
        );
    }
}
