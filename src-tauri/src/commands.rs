//! The Tauri commands, grouped per domain (`session_*`, `household_*`, `control_perform`
//! for every action, `volume_*` and `library_*` reads, `settings_*`): a few lines each —
//! arguments in, one call into the core, a result out. What an action changed reaches the webview as a
//! `state-changed` event, so most return nothing.

use crate::error::AppError;
use crate::publish::Numbered;
use crate::recent::{self, RecentStream};
use crate::releases::AppUpdates;
use crate::settings::Settings;
use crate::state::AppState;
use crate::state::SettingsView;
use roomtone_core::browser::SystemBrowser;
use roomtone_core::releases::UpdateState;
use roomtone_core::view::{Library, Playlist, RoomSettings, TheaterOptions};
use roomtone_core::{Action, Done, ErrorKind};
use roomtone_sonos::secret::ClientSecret;
use roomtone_sonos::{GroupId, HouseholdId, PlayerId, PlaylistId};
use tauri::{AppHandle, State};

type Answer<T = ()> = Result<T, AppError>;

/// Signs in through the browser; returns once the sign-in is kept (or failed).
#[tauri::command]
#[specta::specta]
pub async fn session_sign_in(state: State<'_, AppState>) -> Answer {
    Ok(state.controller()?.sign_in(&SystemBrowser).await?)
}

/// Opens the waiting sign-in's login page in the browser again.
#[tauri::command]
#[specta::specta]
pub fn session_open_browser_again(state: State<'_, AppState>) -> Answer {
    Ok(state.controller()?.reopen_sign_in(&SystemBrowser)?)
}

/// Stops a sign-in that waits for the browser.
#[tauri::command]
#[specta::specta]
pub fn session_cancel_sign_in(state: State<'_, AppState>) -> Answer {
    state.controller()?.cancel_sign_in();
    Ok(())
}

/// Without a keychain: stay signed in until Roomtone quits.
#[tauri::command]
#[specta::specta]
pub fn session_keep_for_this_run(state: State<'_, AppState>) -> Answer {
    Ok(state.controller()?.keep_for_this_run()?)
}

/// Signs out and forgets the tokens.
#[tauri::command]
#[specta::specta]
pub async fn session_sign_out(state: State<'_, AppState>) -> Answer {
    Ok(state.controller()?.sign_out().await?)
}

/// The state now, numbered. Listen to `state-changed` first, then ask; apply the changes
/// whose `base` is this number, and ask again on a gap.
#[tauri::command]
#[specta::specta]
pub fn household_snapshot(app: AppHandle, state: State<'_, AppState>) -> Numbered {
    state.published(&app)
}

/// Reads every household from Sonos again.
#[tauri::command]
#[specta::specta]
pub async fn household_refresh(state: State<'_, AppState>) -> Answer {
    Ok(state.controller()?.refresh().await?)
}

/// The group the window shows: without an event stream it is read every few seconds, the
/// rest every minute.
#[tauri::command]
#[specta::specta]
pub fn view_focus(group: Option<GroupId>, state: State<'_, AppState>) -> Answer {
    state.controller()?.set_focus(group.as_ref());
    Ok(())
}

/// The window holds a form that may be unsaved (the settings open): while it does, its page
/// does not sleep when the window hides, so nothing typed is lost.
#[tauri::command]
#[specta::specta]
pub fn view_unsaved(unsaved: bool, sleep: State<'_, crate::sleep::PageSleep>) {
    sleep.set_unsaved(unsaved);
}

/// Does what the person asked (play, pause, a volume, a regroup, a favorite, …): the
/// core's one action path, the same as the tray's, the media keys' and the hotkeys'. What it
/// changes shows at once in `state-changed` (pending); a refusal takes it back.
#[tauri::command]
#[specta::specta]
pub async fn control_perform(action: Action, state: State<'_, AppState>) -> Answer<Done> {
    Ok(state.controller()?.perform(action).await?)
}

/// A home-theater room's night mode and speech enhancement.
#[tauri::command]
#[specta::specta]
pub async fn volume_theater_options(
    room: PlayerId,
    state: State<'_, AppState>,
) -> Answer<TheaterOptions> {
    Ok(state.controller()?.theater_options(&room).await?)
}

/// A room's volume limit, fixed volume and mono (its player settings).
#[tauri::command]
#[specta::specta]
pub async fn volume_room_settings(
    room: PlayerId,
    state: State<'_, AppState>,
) -> Answer<RoomSettings> {
    Ok(state.controller()?.room_settings(&room).await?)
}

/// A household's favorites and playlists.
#[tauri::command]
#[specta::specta]
pub async fn library_get(household: HouseholdId, state: State<'_, AppState>) -> Answer<Library> {
    Ok(state.controller()?.library(&household).await?)
}

/// Plays a stream URL on a group (a playback session), and keeps it first among the
/// streams played lately; answers that list.
#[tauri::command]
#[specta::specta]
pub async fn library_play_stream(
    group: GroupId,
    url: String,
    name: Option<String>,
    app: AppHandle,
    state: State<'_, AppState>,
) -> Answer<Vec<RecentStream>> {
    let play = Action::PlayStream {
        group,
        url: url.clone(),
        name: name.clone(),
    };
    state.controller()?.perform(play).await?;
    Ok(state.keep_recent(&app, |list| recent::remember(list, &url, name.as_deref())))
}

/// The streams played lately, newest first.
#[tauri::command]
#[specta::specta]
pub fn library_recent_streams(state: State<'_, AppState>) -> Vec<RecentStream> {
    state.recent_streams()
}

/// Takes a stream out of the streams played lately; answers the list.
#[tauri::command]
#[specta::specta]
pub fn library_forget_stream(
    url: String,
    app: AppHandle,
    state: State<'_, AppState>,
) -> Vec<RecentStream> {
    state.keep_recent(&app, |list| recent::forget(list, &url))
}

/// A Sonos playlist's tracks, to see before playing it.
#[tauri::command]
#[specta::specta]
pub async fn library_playlist(
    household: HouseholdId,
    playlist: PlaylistId,
    state: State<'_, AppState>,
) -> Answer<Playlist> {
    Ok(state.controller()?.playlist(&household, &playlist).await?)
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
) -> Answer<SettingsView> {
    // The form does not edit the streams played lately: they stay as the app kept them.
    state.save_settings(&app, |current| Settings {
        recent_streams: current.recent_streams,
        ..settings
    })?;
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
) -> Answer<SettingsView> {
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
pub enum MarkStage {
    /// The DOM shows it.
    Dom,
    /// The frame after it was painted.
    Painted,
}

/// The window shows `volume` on `group` (`stage`): printed when `ROOMTONE_BENCH_MARKS` is
/// set (`bench/ui-events.sh` reads it), else ignored.
#[tauri::command]
#[specta::specta]
pub fn app_mark(stage: MarkStage, group: GroupId, volume: u8) {
    let stage = match stage {
        MarkStage::Dom => "dom",
        MarkStage::Painted => "painted",
    };
    crate::marks::print(format_args!(
        "mark {stage} group={} volume={volume}",
        crate::marks::group_field(group.as_str())
    ));
}

/// What Roomtone's own updates are doing; `update-changed` follows each change.
#[tauri::command]
#[specta::specta]
pub fn updates_get(updates: State<'_, AppUpdates>) -> UpdateState {
    updates.state()
}

/// Looks for a new release now ("Check now").
#[tauri::command]
#[specta::specta]
pub async fn updates_check(updates: State<'_, AppUpdates>) -> Answer {
    if let Some(updates) = updates.get() {
        updates.check().await;
    }
    Ok(())
}

/// Installs the release on offer, on the person's word; what went wrong is the error.
#[tauri::command]
#[specta::specta]
pub async fn updates_install(updates: State<'_, AppUpdates>) -> Answer {
    let updates = updates.get().ok_or_else(|| {
        AppError::new(
            ErrorKind::Invalid,
            "Roomtone is still starting: try again in a moment.",
        )
    })?;
    updates
        .install()
        .await
        .map_err(|message| AppError::new(ErrorKind::Invalid, message))
}
