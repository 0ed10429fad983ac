//! What the app holds: the controller once it is ready (configured or demo), the settings
//! and what the OS refused of them, and the start-up notices. It depends on none of the
//! surfaces: [`crate::start`] starts the core and keeps them in step with it.

use crate::error::AppError;
use crate::publish::{Numbered, Published, Snapshot};
use crate::recent::RecentStream;
use crate::settings::{Settings, SettingsFile};
use roomtone_core::config::Overrides;
use roomtone_core::live::Live;
use roomtone_core::{Controller, CoreError, KeychainStore};
use roomtone_sonos::secret::ClientSecret;
use serde::Serialize;
use specta::Type;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use tauri::AppHandle;
use tauri_plugin_autostart::ManagerExt;

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
    /// Held from reading the settings to adopting the changed ones: two changes at once
    /// (the form saved while a stream is kept among those played lately) do not lose one.
    edits: Mutex<()>,
    notices: Mutex<Vec<AppError>>,
    /// The state as the webview was last told it.
    published: Published,
    /// The connection Roomtone started with: a saved one that differs needs a restart.
    connection_at_start: Overrides,
    /// The direct-mode client secret changed since the start.
    secret_changed: AtomicBool,
    /// What the OS refused when the settings were last applied.
    refused: Mutex<Refused>,
    /// The window painted its first frame (the demo starts after it).
    pub painted: tokio::sync::Notify,
    /// How settings are put in force ([`AppState::on_apply`]).
    apply: OnceLock<fn(&AppHandle, Option<&Settings>)>,
}

/// What the OS refused of the settings in force, per setting.
#[derive(Debug, Default)]
struct Refused {
    hotkeys: HotkeysStatus,
    /// Counts the times the hotkeys were put in force: an answer that comes late (from the
    /// desktop's portal) is kept only if nothing was put in force since it was asked for.
    hotkeys_generation: u64,
    start_at_login: Option<String>,
}

/// How the hotkeys in force work, and what the OS or the desktop refused of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HotkeysStatus {
    /// The mechanism in use, in words for a person; none while hotkeys are off or none work.
    pub via: Option<String>,
    /// What was refused, and what to do about it.
    pub problems: Vec<String>,
    /// The desktop has been asked and has not answered yet.
    pub pending: bool,
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
    /// How the hotkeys work here (the OS's hot keys, an X11 key grab, the desktop's
    /// shortcuts portal), while they are on.
    pub hotkeys_via: Option<String>,
    /// The desktop was asked for the hotkeys and has not answered: a `hotkeys-changed`
    /// event follows its answer.
    pub hotkeys_pending: bool,
    /// The connection (relay, client ID, direct mode) changed: it is used after a restart.
    pub restart_needed: bool,
    /// Where the settings file is.
    pub file: String,
    /// This Roomtone's version (the settings' About).
    pub version: String,
}

impl AppState {
    pub fn new(settings_file: SettingsFile, settings: Settings) -> Self {
        Self {
            ready: OnceLock::new(),
            settings_file,
            connection_at_start: settings.overrides(),
            settings: Mutex::new(settings),
            edits: Mutex::new(()),
            notices: Mutex::new(Vec::new()),
            published: Published::new(&Snapshot::starting(Vec::new())),
            secret_changed: AtomicBool::new(false),
            refused: Mutex::new(Refused::default()),
            painted: tokio::sync::Notify::new(),
            apply: OnceLock::new(),
        }
    }

    /// Adds a start-up problem to every snapshot from now on.
    pub fn notice(&self, problem: AppError) {
        tracing::warn!(kind = %problem.kind, problem = %problem.message, "start-up problem");
        self.notices.lock().expect("notices lock").push(problem);
    }

    /// The core started, or failed to start: once.
    pub fn set_ready(&self, started: Result<Ready, AppError>) {
        let _ = self.ready.set(started);
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
            _ => Snapshot::starting(notices),
        }
    }

    /// Tells the webview what changed since it was last told (nothing when nothing did), and
    /// answers the snapshot it was told.
    pub fn publish(&self, app: &AppHandle) -> Snapshot {
        let snapshot = self.snapshot();
        self.published.publish(app, &snapshot);
        snapshot
    }

    /// The state now, numbered: what the next `state-changed` event changes.
    pub fn published(&self, app: &AppHandle) -> Numbered {
        self.publish(app);
        self.published.current()
    }

    /// The core followed the group chosen for the quick controls through a regroup
    /// ([`roomtone_core::Live::chosen`]): the choice is kept under its new ID for the next start.
    pub fn keep_chosen(&self, live: &Live) {
        let Some(now) = &live.chosen else {
            return;
        };
        let moved = self.edit(|settings| match &settings.tray_group {
            Some(chosen) if chosen != now => Some(Settings {
                tray_group: Some(now.clone()),
                ..settings
            }),
            _ => None,
        });
        if let Err(err) = moved {
            tracing::warn!(error = %err.message, "could not keep the tray's group");
        }
    }

    pub fn settings(&self) -> Settings {
        self.settings.lock().expect("settings lock").clone()
    }

    /// The streams played lately, newest first.
    pub fn recent_streams(&self) -> Vec<RecentStream> {
        self.settings().recent_streams
    }

    /// Puts a stream just played first among the streams played lately (in the settings
    /// file), or takes one out; the list as it is then. The stream played either way: a file
    /// that cannot be written is logged, not an error of the stream.
    pub fn keep_recent(
        &self,
        app: &AppHandle,
        change: impl FnOnce(&[RecentStream]) -> Vec<RecentStream>,
    ) -> Vec<RecentStream> {
        let kept = self.save_settings(app, |current| Settings {
            recent_streams: change(&current.recent_streams),
            ..current
        });
        if let Err(err) = kept {
            tracing::warn!(error = %err.message, "the streams played lately could not be saved");
        }
        self.recent_streams()
    }

    /// Changes the settings in force with `change`, validates, saves and adopts them, then
    /// applies what changed: the tray, the hotkeys, start at login, the media session.
    pub fn save_settings(
        &self,
        app: &AppHandle,
        change: impl FnOnce(Settings) -> Settings,
    ) -> Result<Settings, AppError> {
        let Some((before, saved)) = self.edit(|current| Some(change(current)))? else {
            return Ok(self.settings());
        };
        self.apply(app, Some(&before));
        Ok(saved)
    }

    /// Reads the settings, changes them with `change` (none: nothing to change), saves and
    /// adopts them, with no other change in between: the settings before and after.
    fn edit(
        &self,
        change: impl FnOnce(Settings) -> Option<Settings>,
    ) -> Result<Option<(Settings, Settings)>, AppError> {
        let _editing = self.edits.lock().expect("edits lock");
        let Some(changed) = change(self.settings()) else {
            return Ok(None);
        };
        let saved = self
            .settings_file
            .save(changed)
            .map_err(|e| AppError::new(roomtone_core::ErrorKind::Settings, e))?;
        let before = std::mem::replace(
            &mut *self.settings.lock().expect("settings lock"),
            saved.clone(),
        );
        // The core's choice follows in the same turn: another change cannot slip between.
        if let Ok(ready) = self.ready() {
            ready.controller.set_chosen(saved.tray_group.as_ref());
        }
        Ok(Some((before, saved)))
    }

    /// Puts the settings in force (at start, `before` is none) through what [`on_apply`]
    /// gave: the OS side and the surfaces.
    ///
    /// [`on_apply`]: AppState::on_apply
    pub fn apply(&self, app: &AppHandle, before: Option<&Settings>) {
        if let Some(apply) = self.apply.get() {
            apply(app, before);
        }
    }

    /// How settings are put in force ([`crate::start::apply`]): given at setup, so that the
    /// state depends on none of the surfaces it feeds.
    pub fn on_apply(&self, apply: fn(&AppHandle, Option<&Settings>)) {
        let _ = self.apply.set(apply);
    }

    /// The hotkeys are being put in force: what is known of the previous ones is void, and
    /// answers to them are not kept ([`AppState::hotkeys_answered`]). Returns the generation
    /// to answer for.
    pub fn hotkeys_begin(&self) -> u64 {
        let mut refused = self.refused.lock().expect("refused lock");
        refused.hotkeys_generation += 1;
        refused.hotkeys = HotkeysStatus::default();
        refused.hotkeys_generation
    }

    /// Whether `generation` is the hotkeys in force (the portal's fallback asks, on Linux).
    #[cfg(target_os = "linux")]
    pub fn hotkeys_current(&self, generation: u64) -> bool {
        self.refused
            .lock()
            .expect("refused lock")
            .hotkeys_generation
            == generation
    }

    /// How the hotkeys of `generation` work: kept if they are still those in force (true).
    pub fn hotkeys_answered(&self, generation: u64, status: HotkeysStatus) -> bool {
        let mut refused = self.refused.lock().expect("refused lock");
        let current = refused.hotkeys_generation == generation;
        if current {
            refused.hotkeys = status;
        }
        current
    }

    /// What the OS said to turning start at login on or off.
    pub fn refused_start_at_login(&self, problem: Option<String>) {
        self.refused.lock().expect("refused lock").start_at_login = problem;
    }

    /// The settings for the settings window.
    pub fn settings_view(&self, app: &AppHandle) -> SettingsView {
        let mut settings = self.settings();
        // The OS's autostart entry is the truth (it can be removed outside Roomtone).
        if let Ok(on) = app.autolaunch().is_enabled() {
            settings.start_at_login = on;
        }
        let (hotkeys, start_at_login) = {
            let refused = self.refused.lock().expect("refused lock");
            (refused.hotkeys.clone(), refused.start_at_login.clone())
        };
        SettingsView {
            restart_needed: settings.overrides() != self.connection_at_start
                || self.secret_changed.load(Ordering::Relaxed),
            settings,
            client_secret_saved: keychain().load_client_secret().is_ok_and(|s| s.is_some()),
            problems: hotkeys.problems.into_iter().chain(start_at_login).collect(),
            hotkeys_via: hotkeys.via,
            hotkeys_pending: hotkeys.pending,
            file: self.settings_file.path().display().to_string(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
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

pub fn keychain() -> KeychainStore {
    KeychainStore::new(roomtone_core::store::DEFAULT_SERVICE)
}
