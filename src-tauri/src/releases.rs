//! Roomtone's own updates through Tauri's updater (`tauri-plugin-updater`): the
//! [`ReleaseSource`] the core's [`Updates`] asks, and how a running app starts them. The
//! rules (when, what to say, installing on the person's word) are the core's
//! (`roomtone_core::releases`).
//!
//! - The manifest is the release workflow's `latest.json` (`plugins.updater.endpoints` in
//!   tauri.conf.json; `ROOMTONE_UPDATE_URL` over it). Every package is checked against the
//!   public key in tauri.conf.json (`plugins.updater.pubkey`) before it is installed; a
//!   build without one (unsigned, or built from source) never checks.
//! - In debug builds only, for the tests' own signed releases (`e2e/updates.py`):
//!   `ROOMTONE_UPDATE_PUBKEY` replaces the key, and `ROOMTONE_UPDATE_TARGET` names the file
//!   an install replaces instead of the running binary. A release build trusts nothing but
//!   its own key and replaces only itself.
//! - Nothing of this reaches the webview but the core's state: no URL, no signature.

use crate::events::UpdateChanged;
use roomtone_core::releases::{
    How, Offer, Policy, ReleaseSource, UpdateError, UpdateState, Updates,
};
use std::sync::{Arc, OnceLock};
use tauri::{AppHandle, Manager};
use tauri_plugin_updater::{Update, UpdaterExt};
use tauri_specta::Event;

/// The updates once started (see [`start`]); before, nothing has been checked.
#[derive(Default)]
pub struct AppUpdates(OnceLock<Arc<Updates<PluginSource>>>);

impl AppUpdates {
    pub fn state(&self) -> UpdateState {
        self.0.get().map_or(UpdateState::Waiting, |u| u.state())
    }

    pub fn get(&self) -> Option<Arc<Updates<PluginSource>>> {
        self.0.get().cloned()
    }
}

/// The release source behind Tauri's updater. The update found by the last check is kept
/// for the install, so what is installed is what was offered.
pub struct PluginSource {
    app: AppHandle,
    pubkey: String,
    found: tokio::sync::Mutex<Option<Update>>,
}

/// The public key releases are checked with: tauri.conf.json's, or in a debug build
/// `ROOMTONE_UPDATE_PUBKEY`. Empty when the build has none.
fn pubkey(app: &AppHandle) -> String {
    if cfg!(debug_assertions) {
        if let Ok(key) = std::env::var("ROOMTONE_UPDATE_PUBKEY") {
            return key;
        }
    }
    app.config()
        .plugins
        .0
        .get("updater")
        .and_then(|c| c.get("pubkey"))
        .and_then(|k| k.as_str())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// How this copy is updated, from what its installer marked in the binary.
fn how() -> How {
    use tauri::utils::{config::BundleType, platform::bundle_type};
    match bundle_type() {
        Some(BundleType::Deb) => How::PackageManager {
            format: "deb".into(),
        },
        Some(BundleType::Rpm) => How::PackageManager {
            format: "rpm".into(),
        },
        // The per-user installer of scripts/windows-build, not Tauri's: no updater artifact
        // is made for it yet.
        None if cfg!(windows) => How::Download,
        _ => How::InApp,
    }
}

impl PluginSource {
    fn updater(&self) -> Result<tauri_plugin_updater::Updater, UpdateError> {
        let mut builder = self.app.updater_builder().pubkey(self.pubkey.clone());
        if let Ok(url) = std::env::var("ROOMTONE_UPDATE_URL") {
            let url = url
                .parse()
                .map_err(|e| UpdateError::Server(format!("ROOMTONE_UPDATE_URL: {e}")))?;
            builder = builder.endpoints(vec![url]).map_err(plugin_error)?;
        }
        if cfg!(debug_assertions) {
            if let Some(target) = std::env::var_os("ROOMTONE_UPDATE_TARGET") {
                builder = builder.executable_path(target);
            }
        }
        builder
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(plugin_error)
    }
}

impl ReleaseSource for PluginSource {
    async fn check(&self) -> Result<Option<Offer>, UpdateError> {
        let found = self.updater()?.check().await.map_err(plugin_error)?;
        let offer = found.as_ref().map(|update| Offer {
            version: update.version.clone(),
            date: update
                .date
                .map(|d| format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())),
            notes: update.body.clone().filter(|n| !n.trim().is_empty()),
        });
        *self.found.lock().await = found;
        Ok(offer)
    }

    async fn install(
        &self,
        offer: &Offer,
        progress: impl Fn(u64, Option<u64>) + Send + Sync + 'static,
    ) -> Result<(), UpdateError> {
        let update = self
            .found
            .lock()
            .await
            .clone()
            .filter(|u| u.version == offer.version)
            .ok_or_else(|| UpdateError::Server("the offer is no longer there".into()))?;
        let mut received = 0u64;
        // Verified against the key before it is returned (and again by `install`).
        let bytes = update
            .download(
                |chunk, total| {
                    received += chunk as u64;
                    progress(received, total);
                },
                || {},
            )
            .await
            .map_err(plugin_error)?;
        update.install(bytes).map_err(plugin_error)
    }
}

/// The updater's error as the core's kinds, in words for a person.
fn plugin_error(err: tauri_plugin_updater::Error) -> UpdateError {
    use tauri_plugin_updater::Error as E;
    match err {
        E::Minisign(_)
        | E::Base64(_)
        | E::SignatureUtf8(_)
        | E::SignedVersionMismatch { .. }
        | E::MissingSignedVersion => UpdateError::Signature,
        E::Reqwest(e) => UpdateError::Network(e.without_url().to_string()),
        E::Network(e) => UpdateError::Network(e),
        E::ReleaseNotFound
        | E::Serialization(_)
        | E::Semver(_)
        | E::UrlParse(_)
        | E::TargetNotFound(_)
        | E::TargetsNotFound(_)
        | E::InsecureTransportProtocol
        | E::EmptyEndpoints => UpdateError::Server(err.to_string()),
        other => UpdateError::Install(other.to_string()),
    }
}

/// Starts the updates once the core knows whether this is the demo: the first check now,
/// then daily; every change goes to the windows as `update-changed`.
pub fn start(app: &AppHandle, demo: bool, automatic: bool) {
    let source = PluginSource {
        app: app.clone(),
        pubkey: pubkey(app),
        found: tokio::sync::Mutex::new(None),
    };
    let policy = Policy {
        demo,
        automatic,
        has_key: !source.pubkey.is_empty(),
        version: app.package_info().version.to_string(),
        how: how(),
    };
    let updates = Arc::new(Updates::new(source, policy));
    if app.state::<AppUpdates>().0.set(updates.clone()).is_err() {
        return;
    }
    let mut changes = updates.subscribe();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        while changes.changed().await.is_ok() {
            let state = changes.borrow_and_update().clone();
            if let Err(err) = UpdateChanged(state).emit(&handle) {
                tracing::warn!(error = %err, "could not tell the window about the update");
            }
        }
    });
    // Tell the window the state it starts from (it may have asked before this existed).
    let _ = UpdateChanged(updates.state()).emit(app);
    tauri::async_runtime::spawn(async move { updates.run().await });
}
