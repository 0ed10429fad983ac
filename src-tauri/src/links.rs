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

#[cfg(test)]
mod tests {
    use roomtone_core::signin::APP_SCHEME;

    /// The sign-in comes back through `roomtone://` on every OS: the deep-link plugin's
    /// schemes (Linux's desktop entry, Windows' registry in debug builds, the bundler's
    /// Info.plist), the macOS bundle's own Info.plist and the Windows installer's registry
    /// entry all name the scheme the core's sign-in expects.
    #[test]
    fn every_bundle_registers_the_scheme_the_sign_in_comes_back_on() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let conf: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("tauri.conf.json")).expect("tauri.conf.json"),
        )
        .expect("tauri.conf.json is JSON");
        assert_eq!(
            conf["plugins"]["deep-link"]["desktop"]["schemes"],
            serde_json::json!([APP_SCHEME])
        );

        let plist_path = conf["bundle"]["macOS"]["infoPlist"]
            .as_str()
            .expect("the macOS bundle's Info.plist is configured");
        let plist = plist::Value::from_file(root.join(plist_path)).expect("a property list");
        let types = plist
            .as_dictionary()
            .and_then(|d| d.get("CFBundleURLTypes"))
            .and_then(plist::Value::as_array)
            .expect("CFBundleURLTypes");
        let schemes: Vec<&str> = types
            .iter()
            .filter_map(plist::Value::as_dictionary)
            .filter_map(|t| t.get("CFBundleURLSchemes")?.as_array())
            .flatten()
            .filter_map(plist::Value::as_string)
            .collect();
        assert_eq!(schemes, [APP_SCHEME]);

        let nsis = std::fs::read_to_string(root.join("src-tauri/packaging/windows/installer.nsi"))
            .expect("the Windows installer's script");
        assert!(
            nsis.contains(&format!("!define SCHEME \"{APP_SCHEME}\"")),
            "the installer registers another scheme"
        );
        assert!(
            nsis.contains(r#"WriteRegStr HKCU "Software\Classes\${SCHEME}\shell\open\command" "" '"$INSTDIR\${EXE}" "%1"'"#),
            "a link opens the app with the URL as its argument (the running one gets it from the second instance)"
        );
    }
}
