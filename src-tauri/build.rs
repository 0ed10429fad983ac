//! Tauri's build step, with the capabilities beside the app's source.
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*"),
    )
    .expect("the Tauri build step succeeds");
}
