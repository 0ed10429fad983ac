//! The `roomtone` binary: everything is in the library.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    roomtone_app::run();
}
