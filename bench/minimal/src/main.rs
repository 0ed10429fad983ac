//! A window with one line of HTML: what any Tauri 2 app costs before it does anything. Its
//! page reports its first paint like Roomtone's does (`bench/start.sh` reads it).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// The page painted: printed for `bench/start.sh` when `ROOMTONE_BENCH_MARKS` is set.
#[tauri::command]
fn painted(stage: String) {
    if std::env::var_os("ROOMTONE_BENCH_MARKS").is_some() {
        println!("painted {stage}");
    }
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![painted])
        .run(tauri::generate_context!())
        .expect("the minimal app starts");
}
