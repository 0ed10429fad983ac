//! What the app holds: the controller once it is ready (configured or demo), the settings,
//! and the one task that forwards the core's live state to the webview and the tray.

use crate::demo;
use crate::error::AppError;
use crate::events::StateChanged;
use crate::settings::{Settings, SettingsFile};
use roomtone_core::config::Overrides;
use roomtone_core::live::{Live, SessionPhase, Sync};
use roomtone_core::view::Household;
use roomtone_core::{Config, Controller, CoreError, KeychainStore, SystemClock};
use roomtone_sonos::secret::ClientSecret;
use serde::Serialize;
use specta::Type;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use tauri::{AppHandle, Manager};
use tauri_plugin_autostart::ManagerExt;
use tauri_specta::Event;

/// The core, once started.
pub struct Ready {
    pub controller: Arc<Controller>,
    /// Demo mode: the simulated cloud runs in this process.
    pub demo: bool,
}

/// See the module documentation.
pub struct AppState {
    ready: OnceLock<Result<Ready, AppError>>,
    settings_file: SettingsFile,
    settings: Mutex<Settings>,
    notices: Mutex<Vec<AppError>>,
    /// The connection Roomtone started with: a saved one that differs needs a restart.
    connection_at_start: Overrides,
    /// The direct-mode client secret changed since the start.
    secret_changed: AtomicBool,
    /// What the OS refused when the settings were last applied.
    refused: Mutex<Refused>,
    /// The window painted its first frame (the demo starts after it).
    pub painted: tokio::sync::Notify,
}

/// What the OS refused of the settings in force, per setting.
#[derive(Debug, Default)]
struct Refused {
    hotkeys: Vec<String>,
    start_at_login: Option<String>,
}

/// The settings as the settings window shows them.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub settings: Settings,
    /// A direct-mode client secret is in the keychain (the secret itself never leaves it).
    pub client_secret_saved: bool,
    /// What the OS refused of these settings, in words for a person.
    pub problems: Vec<String>,
    /// The connection (relay, client ID, direct mode) changed: it is used after a restart.
    pub restart_needed: bool,
    /// Where the settings file is.
    pub file: String,
}

/// What the webview shows: the core's live state, and whether it is the demo household.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub demo: bool,
    pub live: Live,
    /// Problems found at start that last until fixed (a broken settings file, a half-done
    /// configuration), so a window opened later still sees them.
    pub notices: Vec<AppError>,
}

impl AppState {
    pub fn new(settings_file: SettingsFile, settings: Settings) -> Self {
        Self {
            ready: OnceLock::new(),
            settings_file,
            connection_at_start: settings.overrides(),
            settings: Mutex::new(settings),
            notices: Mutex::new(Vec::new()),
            secret_changed: AtomicBool::new(false),
            refused: Mutex::new(Refused::default()),
            painted: tokio::sync::Notify::new(),
        }
    }

    /// Adds a start-up problem to every snapshot from now on.
    pub fn notice(&self, problem: AppError) {
        tracing::warn!(kind = %problem.kind, problem = %problem.message, "start-up problem");
        self.notices.lock().expect("notices lock").push(problem);
    }

    /// The core, or why it is not there (still starting, or it failed to start).
    pub fn ready(&self) -> Result<&Ready, AppError> {
        match self.ready.get() {
            Some(Ok(ready)) => Ok(ready),
            Some(Err(err)) => Err(err.clone()),
            None => Err(AppError::new(
                roomtone_core::ErrorKind::Starting,
                "Roomtone is still starting",
            )),
        }
    }

    /// The controller, for a command.
    pub fn controller(&self) -> Result<&Controller, AppError> {
        Ok(&self.ready()?.controller)
    }

    pub fn handle_deep_link(&self, link: &str) -> Result<(), CoreError> {
        let ready = self.ready().map_err(|_| CoreError::NoPendingSignIn)?;
        ready.controller.handle_deep_link(link)
    }

    /// The current snapshot; before the core is ready, a "starting" one with revision 0.
    pub fn snapshot(&self) -> Snapshot {
        let notices = self.notices.lock().expect("notices lock").clone();
        match self.ready.get() {
            Some(Ok(ready)) => Snapshot {
                demo: ready.demo,
                live: ready.controller.live(),
                notices,
            },
            _ => Snapshot {
                demo: false,
                notices,
                live: Live::starting(),
            },
        }
    }

    /// The core followed the group chosen for the quick controls through a regroup
    /// ([`roomtone_core::Live::chosen`]): the choice is kept under its new ID for the next start.
    fn keep_chosen(&self, live: &Live) {
        let settings = self.settings();
        let (Some(chosen), Some(now)) = (&settings.tray_group, &live.chosen) else {
            return;
        };
        if chosen == now {
            return;
        }
        let moved = Settings {
            tray_group: Some(now.clone()),
            ..settings
        };
        match self.settings_file.save(moved) {
            Ok(saved) => *self.settings.lock().expect("settings lock") = saved,
            Err(err) => tracing::warn!(error = %err, "could not keep the tray's group"),
        }
    }

    pub fn settings(&self) -> Settings {
        self.settings.lock().expect("settings lock").clone()
    }

    /// Validates, saves and adopts `settings`, then applies what changed: the tray, the
    /// hotkeys, start at login, the media session.
    pub fn save_settings(&self, app: &AppHandle, settings: Settings) -> Result<Settings, AppError> {
        let saved = self
            .settings_file
            .save(settings)
            .map_err(|e| AppError::new(roomtone_core::ErrorKind::Settings, e))?;
        let before = std::mem::replace(
            &mut *self.settings.lock().expect("settings lock"),
            saved.clone(),
        );
        if let Ok(ready) = self.ready() {
            ready.controller.set_chosen(saved.tray_group.as_deref());
        }
        self.apply(app, Some(&before));
        Ok(saved)
    }

    /// Puts the settings in force (at start, `before` is none); what the OS refuses is kept
    /// for the settings window and logged.
    pub fn apply(&self, app: &AppHandle, before: Option<&Settings>) {
        let now = self.settings();
        let mut refused = self.refused.lock().expect("refused lock");
        if before.map(|b| &b.hotkeys) != Some(&now.hotkeys) {
            refused.hotkeys = crate::hotkeys::apply(app, &now.hotkeys);
        }
        // Start at login follows the saved settings, against what the OS has (its entry can
        // be removed outside Roomtone); at start, the OS's entry is left as it is.
        if before.is_some() {
            let on = app.autolaunch().is_enabled().ok();
            refused.start_at_login = if on == Some(now.start_at_login) {
                None
            } else {
                start_at_login(app, now.start_at_login).err()
            };
        }
        drop(refused);
        let live = self.snapshot().live;
        crate::tray::update(app, &live);
        crate::media::update(app, &live);
    }

    /// The settings for the settings window.
    pub fn settings_view(&self, app: &AppHandle) -> SettingsView {
        let mut settings = self.settings();
        // The OS's autostart entry is the truth (it can be removed outside Roomtone).
        if let Ok(on) = app.autolaunch().is_enabled() {
            settings.start_at_login = on;
        }
        SettingsView {
            restart_needed: settings.overrides() != self.connection_at_start
                || self.secret_changed.load(Ordering::Relaxed),
            settings,
            client_secret_saved: keychain().load_client_secret().is_ok_and(|s| s.is_some()),
            problems: {
                let refused = self.refused.lock().expect("refused lock");
                refused
                    .hotkeys
                    .iter()
                    .chain(&refused.start_at_login)
                    .cloned()
                    .collect()
            },
            file: self.settings_file.path().display().to_string(),
        }
    }

    /// Keeps (or, with none, removes) the direct-mode client secret in the keychain.
    pub fn set_client_secret(&self, secret: Option<ClientSecret>) -> Result<(), AppError> {
        let keychain = keychain();
        match secret {
            Some(secret) => keychain.save_client_secret(&secret),
            None => keychain.clear_client_secret(),
        }
        .map_err(|e| AppError::from(CoreError::from(e)))?;
        self.secret_changed.store(true, Ordering::Relaxed);
        Ok(())
    }
}

fn keychain() -> KeychainStore {
    KeychainStore::new(roomtone_core::store::DEFAULT_SERVICE)
}

/// Turns the OS's autostart entry on or off.
fn start_at_login(app: &AppHandle, on: bool) -> Result<(), String> {
    let autolaunch = app.autolaunch();
    let done = if on {
        autolaunch.enable()
    } else {
        autolaunch.disable()
    };
    done.map_err(|err| {
        let what = if on { "turn on" } else { "turn off" };
        tracing::warn!(error = %err, "start at login");
        format!("Roomtone could not {what} starting at login ({err}); try again, or use your desktop's startup settings.")
    })
}

/// Starts the core: configured (environment over settings file over built-in defaults), or
/// the demo when nothing is configured or `--demo` is given. Then forwards every change of
/// the live state to the webview and the tray.
pub async fn start(app: &AppHandle) {
    let wants_demo = std::env::args().any(|a| a == "--demo");
    let state = app.state::<AppState>();
    let keychain = keychain();
    let overrides = state
        .settings()
        .overrides()
        .or(roomtone_core::config::Overrides::built_in());
    let configured = Config::resolve(
        |name| std::env::var(name).ok(),
        &overrides,
        || Ok(keychain.load_client_secret()?),
    );
    let nothing_configured = overrides.client_id.is_none()
        && std::env::var_os(roomtone_core::config::env::CLIENT_ID).is_none();
    let started = match configured {
        Ok(config) if !wants_demo => {
            Controller::new(&config, Arc::new(keychain), Arc::new(SystemClock))
                .map(|controller| Ready {
                    controller: Arc::new(controller),
                    demo: false,
                })
                .map_err(AppError::from)
        }
        // Half a configuration is a mistake to show, not a reason for the demo.
        Err(err) if !wants_demo && !nothing_configured => Err(AppError::from(err)),
        _ => {
            // The demo's simulator, relay and sign-in compete with the webview for the CPU:
            // they start once the window has painted (or after a moment, without a window).
            let _ = tokio::time::timeout(
                std::time::Duration::from_millis(1500),
                state.painted.notified(),
            )
            .await;
            demo::start(app).await
        }
    };
    if let Err(err) = &started {
        state.notice(err.clone());
    }
    let _ = state.ready.set(started);
    let Ok(ready) = state.ready() else {
        let _ = StateChanged(state.snapshot()).emit(app);
        return;
    };
    let controller = ready.controller.clone();
    // What Sonos said last time shows at once; the first read replaces it.
    let last_known = app
        .path()
        .app_cache_dir()
        .map(|dir| LastKnown(dir.join("last-household.json")))
        .ok()
        .filter(|_| !ready.demo);
    controller.set_chosen(state.settings().tray_group.as_deref());
    if let Some(households) = last_known.as_ref().and_then(LastKnown::load) {
        controller.seed(households);
    }
    tauri::async_runtime::spawn(controller.clone().follow_session());
    // Live updates: Sonos's events through the relay's stream, while signed in.
    tauri::async_runtime::spawn(controller.clone().follow_events());
    let mut changes = controller.watch();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut saved: Option<Vec<Household>> = None;
        loop {
            let state = app.state::<AppState>();
            let snapshot = state.snapshot();
            state.keep_chosen(&snapshot.live);
            crate::tray::update(&app, &snapshot.live);
            crate::media::update(&app, &snapshot.live);
            crate::notify::follow(&app, &snapshot.live);
            if let Some(file) = &last_known {
                file.follow(&snapshot.live, &mut saved);
            }
            let _ = StateChanged(snapshot).emit(&app);
            if changes.changed().await.is_err() {
                return;
            }
            changes.borrow_and_update();
        }
    });
}

/// The households as Sonos last described them, in the app's cache folder, so the next start
/// shows them before the network answers. Room names and what played — never a token.
struct LastKnown(PathBuf);

impl LastKnown {
    fn load(&self) -> Option<Vec<Household>> {
        serde_json::from_slice(&std::fs::read(&self.0).ok()?).ok()
    }

    /// Keeps the file in step with `live`: written when a fresh read differs from what was
    /// saved, removed on sign-out.
    fn follow(&self, live: &Live, saved: &mut Option<Vec<Household>>) {
        match (&live.session.state, &live.sync) {
            (SessionPhase::SignedOut, _) if saved.take().is_some() || self.0.exists() => {
                let _ = std::fs::remove_file(&self.0);
            }
            (SessionPhase::SignedIn, Sync::Ready) if saved.as_ref() != Some(&live.households) => {
                if let Err(err) = self.save(&live.households) {
                    tracing::warn!(error = %err, "could not keep the household for the next start");
                }
                *saved = Some(live.households.clone());
            }
            _ => {}
        }
    }

    fn save(&self, households: &[Household]) -> std::io::Result<()> {
        if let Some(folder) = self.0.parent() {
            std::fs::create_dir_all(folder)?;
        }
        let temporary = self.0.with_extension("json.tmp");
        std::fs::write(&temporary, serde_json::to_vec(households)?)?;
        std::fs::rename(&temporary, &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roomtone_core::SessionState;

    fn live(signed_in: bool, sync: Sync, names: &[&str]) -> Live {
        let session = if signed_in {
            SessionState::SignedIn { persistent: true }
        } else {
            SessionState::SignedOut { reason: None }
        };
        let mut live = Live::new(&session);
        live.sync = sync;
        live.households = names
            .iter()
            .map(|id| Household {
                id: (*id).into(),
                groups: Vec::new(),
            })
            .collect();
        live
    }

    #[test]
    fn the_last_known_household_is_kept_when_read_and_forgotten_on_sign_out() {
        let dir = std::env::temp_dir().join(format!("roomtone-last-known-{}", std::process::id()));
        let file = LastKnown(dir.join("cache").join("last-household.json"));
        let mut saved = None;
        // Not read yet, or read and failing: nothing written.
        file.follow(&live(true, Sync::Loading, &["a"]), &mut saved);
        assert!(file.load().is_none());
        // A fresh read is written, and read back at the next start.
        file.follow(&live(true, Sync::Ready, &["a"]), &mut saved);
        assert_eq!(file.load().unwrap()[0].id, "a");
        file.follow(&live(true, Sync::Ready, &["b"]), &mut saved);
        assert_eq!(file.load().unwrap()[0].id, "b");
        // Signing out removes it.
        file.follow(&live(false, Sync::Idle, &[]), &mut saved);
        assert!(!file.0.exists() && file.load().is_none());
        // A file that cannot be read is no household, not an error.
        std::fs::write(&file.0, "not json").unwrap();
        assert!(file.load().is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}
