//! The Tauri commands: a few lines each — arguments in, one call into the core, result out.

use crate::error::AppError;
use crate::state::{AppState, SessionView};
use roomtone_core::household::HouseholdView;
use roomtone_core::Opener;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;
use url::Url;

/// Opens the Sonos login in the system browser. Only HTTPS (or this computer), and a
/// `BROWSER` command in the environment takes precedence, as on Linux (tests use it).
struct SystemBrowser(AppHandle);

impl Opener for SystemBrowser {
    fn open(&self, url: &Url) -> Result<(), String> {
        if !roomtone_sonos::secure_or_loopback(url) {
            return Err(format!(
                "refusing to open a non-HTTPS login page: {}",
                url.host_str().unwrap_or_default()
            ));
        }
        if let Some(browser) = std::env::var_os("BROWSER").filter(|b| !b.is_empty()) {
            return std::process::Command::new(browser)
                .arg(url.as_str())
                .spawn()
                .map(drop)
                .map_err(|e| e.to_string());
        }
        self.0
            .opener()
            .open_url(url.as_str(), None::<&str>)
            .map_err(|e| e.to_string())
    }
}

#[tauri::command]
pub async fn session_state(state: State<'_, AppState>) -> Result<SessionView, AppError> {
    Ok(state.view())
}

#[tauri::command]
pub async fn session_sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<SessionView, AppError> {
    let ready = state.ready()?;
    ready.controller.sign_in(&SystemBrowser(app)).await?;
    Ok(state.view())
}

#[tauri::command]
pub async fn session_sign_out(state: State<'_, AppState>) -> Result<SessionView, AppError> {
    state.ready()?.controller.sign_out()?;
    Ok(state.view())
}

#[tauri::command]
pub async fn household_snapshot(
    state: State<'_, AppState>,
) -> Result<Vec<HouseholdView>, AppError> {
    Ok(state.ready()?.controller.households().await?)
}

#[tauri::command]
pub async fn playback_toggle(group: String, state: State<'_, AppState>) -> Result<(), AppError> {
    Ok(state.ready()?.controller.toggle(&group.into()).await?)
}
