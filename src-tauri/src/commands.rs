//! The Tauri commands, grouped per domain (`session_*`, `household_*`, `playback_*`,
//! `volume_*`, `grouping_*`, `library_*`, `settings_*`): a few lines each — arguments in,
//! one call into the core, a result out. What an action changed reaches the webview as a
//! `state-changed` event, so most return nothing.

use crate::error::AppError;
use crate::settings::Settings;
use crate::state::SettingsView;
use crate::state::{AppState, Snapshot};
use roomtone_core::browser::SystemBrowser;
use roomtone_core::view::{Library, LoadAction, TheaterOptions};
use roomtone_core::PlayMode;
use roomtone_sonos::secret::ClientSecret;
use roomtone_sonos::{FavoriteId, GroupId, HouseholdId, PlayerId, PlaylistId};
use tauri::{AppHandle, State};

type Done<T = ()> = Result<T, AppError>;

/// Signs in through the browser; returns once the sign-in is kept (or failed).
#[tauri::command]
#[specta::specta]
pub async fn session_sign_in(state: State<'_, AppState>) -> Done {
    Ok(state.controller()?.sign_in(&SystemBrowser).await?)
}

/// Opens the waiting sign-in's login page in the browser again.
#[tauri::command]
#[specta::specta]
pub fn session_open_browser_again(state: State<'_, AppState>) -> Done {
    Ok(state.controller()?.reopen_sign_in(&SystemBrowser)?)
}

/// Stops a sign-in that waits for the browser.
#[tauri::command]
#[specta::specta]
pub fn session_cancel_sign_in(state: State<'_, AppState>) -> Done {
    state.controller()?.cancel_sign_in();
    Ok(())
}

/// Without a keychain: stay signed in until Roomtone quits.
#[tauri::command]
#[specta::specta]
pub fn session_keep_for_this_run(state: State<'_, AppState>) -> Done {
    Ok(state.controller()?.keep_for_this_run()?)
}

/// Signs out and forgets the tokens.
#[tauri::command]
#[specta::specta]
pub async fn session_sign_out(state: State<'_, AppState>) -> Done {
    Ok(state.controller()?.sign_out().await?)
}

/// The state now. Listen to `state-changed` first, then ask: keep the higher revision.
#[tauri::command]
#[specta::specta]
pub fn household_snapshot(state: State<'_, AppState>) -> Snapshot {
    state.snapshot()
}

/// Reads every household from Sonos again.
#[tauri::command]
#[specta::specta]
pub async fn household_refresh(state: State<'_, AppState>) -> Done {
    Ok(state.controller()?.refresh().await?)
}

/// The group the window shows: without an event stream it is read every few seconds, the
/// rest every minute.
#[tauri::command]
#[specta::specta]
pub fn view_focus(group: Option<String>, state: State<'_, AppState>) -> Done {
    state.controller()?.set_focus(group.as_deref());
    Ok(())
}

/// The window holds a form that may be unsaved (the settings open): while it does, its page
/// does not sleep when the window hides, so nothing typed is lost.
#[tauri::command]
#[specta::specta]
pub fn view_unsaved(unsaved: bool, sleep: State<'_, crate::sleep::PageSleep>) {
    sleep.set_unsaved(unsaved);
}

#[tauri::command]
#[specta::specta]
pub async fn playback_toggle(group: String, state: State<'_, AppState>) -> Done {
    Ok(state.controller()?.toggle(&GroupId::from(group)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn playback_play(group: String, state: State<'_, AppState>) -> Done {
    Ok(state.controller()?.play(&GroupId::from(group)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn playback_pause(group: String, state: State<'_, AppState>) -> Done {
    Ok(state.controller()?.pause(&GroupId::from(group)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn playback_next(group: String, state: State<'_, AppState>) -> Done {
    Ok(state.controller()?.next(&GroupId::from(group)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn playback_previous(group: String, state: State<'_, AppState>) -> Done {
    Ok(state.controller()?.previous(&GroupId::from(group)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn playback_seek(
    group: String,
    position_millis: u32,
    state: State<'_, AppState>,
) -> Done {
    let controller = state.controller()?;
    Ok(controller
        .seek(&GroupId::from(group), position_millis)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn playback_set_mode(
    group: String,
    mode: PlayMode,
    on: bool,
    state: State<'_, AppState>,
) -> Done {
    let controller = state.controller()?;
    Ok(controller
        .set_play_mode(&GroupId::from(group), mode, on)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn volume_set_group(group: String, volume: u8, state: State<'_, AppState>) -> Done {
    let controller = state.controller()?;
    Ok(controller
        .set_group_volume(&GroupId::from(group), volume)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn volume_adjust_group(group: String, delta: i16, state: State<'_, AppState>) -> Done {
    let controller = state.controller()?;
    Ok(controller
        .adjust_group_volume(&GroupId::from(group), delta)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn volume_mute_group(group: String, muted: bool, state: State<'_, AppState>) -> Done {
    let controller = state.controller()?;
    Ok(controller
        .set_group_mute(&GroupId::from(group), muted)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn volume_set_room(room: String, volume: u8, state: State<'_, AppState>) -> Done {
    let controller = state.controller()?;
    Ok(controller
        .set_room_volume(&PlayerId::from(room), volume)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn volume_mute_room(room: String, muted: bool, state: State<'_, AppState>) -> Done {
    let controller = state.controller()?;
    Ok(controller
        .set_room_mute(&PlayerId::from(room), muted)
        .await?)
}

/// Makes `group` exactly these rooms.
#[tauri::command]
#[specta::specta]
pub async fn grouping_set_members(
    group: String,
    rooms: Vec<String>,
    state: State<'_, AppState>,
) -> Done {
    let rooms = rooms.into_iter().map(PlayerId::from).collect();
    let controller = state.controller()?;
    Ok(controller
        .set_group_members(&GroupId::from(group), rooms)
        .await?)
}

/// Makes a new group of these rooms.
#[tauri::command]
#[specta::specta]
pub async fn grouping_create(
    household: String,
    rooms: Vec<String>,
    state: State<'_, AppState>,
) -> Done {
    let rooms = rooms.into_iter().map(PlayerId::from).collect();
    let controller = state.controller()?;
    Ok(controller
        .create_group(&HouseholdId::from(household), rooms)
        .await?)
}

/// Plays a room's line-in on the group.
#[tauri::command]
#[specta::specta]
pub async fn playback_line_in(group: String, room: String, state: State<'_, AppState>) -> Done {
    let (group, room) = (GroupId::from(group), PlayerId::from(room));
    Ok(state.controller()?.play_line_in(&group, &room).await?)
}

/// Plays the TV of a home-theater room.
#[tauri::command]
#[specta::specta]
pub async fn playback_tv(room: String, state: State<'_, AppState>) -> Done {
    Ok(state.controller()?.play_tv(&PlayerId::from(room)).await?)
}

/// A home-theater room's night mode and speech enhancement.
#[tauri::command]
#[specta::specta]
pub async fn volume_theater_options(
    room: String,
    state: State<'_, AppState>,
) -> Done<TheaterOptions> {
    Ok(state
        .controller()?
        .theater_options(&PlayerId::from(room))
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn volume_set_theater_options(
    room: String,
    options: TheaterOptions,
    state: State<'_, AppState>,
) -> Done<TheaterOptions> {
    let controller = state.controller()?;
    Ok(controller
        .set_theater_options(&PlayerId::from(room), options)
        .await?)
}

/// A household's favorites and playlists.
#[tauri::command]
#[specta::specta]
pub async fn library_get(household: String, state: State<'_, AppState>) -> Done<Library> {
    let controller = state.controller()?;
    Ok(controller.library(&HouseholdId::from(household)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn library_play_favorite(
    group: String,
    favorite: String,
    action: LoadAction,
    state: State<'_, AppState>,
) -> Done {
    let (group, favorite) = (GroupId::from(group), FavoriteId::from(favorite));
    Ok(state
        .controller()?
        .load_favorite(&group, favorite, action)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn library_play_playlist(
    group: String,
    playlist: String,
    action: LoadAction,
    state: State<'_, AppState>,
) -> Done {
    let (group, playlist) = (GroupId::from(group), PlaylistId::from(playlist));
    Ok(state
        .controller()?
        .load_playlist(&group, playlist, action)
        .await?)
}

/// The settings in force, for the settings window.
#[tauri::command]
#[specta::specta]
pub fn settings_get(app: AppHandle, state: State<'_, AppState>) -> SettingsView {
    state.settings_view(&app)
}

/// Validates, saves and applies the settings: the tray, hotkeys, start at login and the
/// media session at once; the connection (relay, client ID, direct mode) at the next start.
#[tauri::command]
#[specta::specta]
pub fn settings_set(
    settings: Settings,
    app: AppHandle,
    state: State<'_, AppState>,
) -> Done<SettingsView> {
    state.save_settings(&app, settings)?;
    Ok(state.settings_view(&app))
}

/// Keeps your own integration's client secret (direct mode) in the keychain; a blank one
/// removes it. It is never sent back to the window.
#[tauri::command]
#[specta::specta]
pub fn settings_set_client_secret(
    secret: String,
    app: AppHandle,
    state: State<'_, AppState>,
) -> Done<SettingsView> {
    let secret = secret.trim();
    state.set_client_secret((!secret.is_empty()).then(|| ClientSecret::new(secret)))?;
    Ok(state.settings_view(&app))
}

/// Restarts Roomtone (to use a new connection).
#[tauri::command]
#[specta::specta]
pub fn app_restart(app: AppHandle) {
    app.restart();
}

/// A paint stage of the window, for the start-up figures.
#[derive(Debug, Clone, Copy, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Painted {
    /// The first frame with content (the household, sign-in, or "starting").
    First,
    /// The first frame showing a household.
    Household,
}

/// The window painted `stage`: logged with the time since start, and printed on standard
/// output when `ROOMTONE_BENCH_MARKS` is set (`bench/start.sh` reads it). Answers whether
/// marks are on: the window then marks each group volume it shows ([`app_mark`]).
#[tauri::command]
#[specta::specta]
pub fn app_painted(stage: Painted, state: State<'_, AppState>) -> bool {
    if let Painted::First = stage {
        state.painted.notify_one();
    }
    let millis = crate::marks::since_start().map(|t| t.as_millis());
    tracing::info!(?stage, ?millis, "the window painted");
    let stage = match stage {
        Painted::First => "first",
        Painted::Household => "household",
    };
    crate::marks::print(format_args!("painted {stage}"));
    crate::marks::enabled()
}

/// How far a shown change has gone, for the event-to-window figures.
#[derive(Debug, Clone, Copy, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Shown {
    /// The DOM shows it.
    Dom,
    /// The frame after it was painted.
    Painted,
}

/// The window shows `volume` on `group` (`stage`): printed when `ROOMTONE_BENCH_MARKS` is
/// set (`bench/ui-events.sh` reads it), else ignored.
#[tauri::command]
#[specta::specta]
pub fn app_mark(stage: Shown, group: String, volume: u8) {
    let stage = match stage {
        Shown::Dom => "dom",
        Shown::Painted => "painted",
    };
    crate::marks::print(format_args!(
        "mark {stage} group={} volume={volume}",
        group.chars().take(80).collect::<String>()
    ));
}
