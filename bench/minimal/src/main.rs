//! A window with one line of HTML: what any Tauri 2 app costs before it does anything.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the minimal app starts");
}
