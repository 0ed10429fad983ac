//! What the app holds: the controller once it is ready (configured or demo), and the
//! session's state forwarded to the webview as events.

use crate::demo;
use crate::error::AppError;
use crate::events;
use roomtone_core::{Config, Controller, CoreError, KeychainStore, SessionState, SystemClock};
use serde::Serialize;
use std::sync::{Arc, OnceLock};
use tauri::{AppHandle, Emitter, Manager};

/// The core, once started.
pub struct Ready {
    pub controller: Arc<Controller>,
    /// Demo mode: the simulated cloud runs in this process.
    pub demo: bool,
}

/// See the module documentation.
#[derive(Default)]
pub struct AppState {
    ready: OnceLock<Result<Ready, AppError>>,
}

/// The session as the webview sees it: no tokens, ever.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// `starting`, `signedIn` or `signedOut`.
    pub state: &'static str,
    /// False when the sign-in lives for this run only.
    pub persistent: bool,
    /// Why the session ended by itself.
    pub reason: Option<String>,
    /// Demo mode: the simulated household.
    pub demo: bool,
}

impl AppState {
    /// The core, or why it is not there (still starting, or it failed to start).
    pub fn ready(&self) -> Result<&Ready, AppError> {
        match self.ready.get() {
            Some(Ok(ready)) => Ok(ready),
            Some(Err(err)) => Err(err.clone()),
            None => Err(AppError::new("starting", "Roomtone is still starting")),
        }
    }

    pub fn handle_deep_link(&self, link: &str) -> Result<(), CoreError> {
        let ready = self.ready().map_err(|_| CoreError::NoPendingSignIn)?;
        ready.controller.handle_deep_link(link)
    }

    pub fn view(&self) -> SessionView {
        match self.ready.get() {
            Some(Ok(ready)) => view(&ready.controller.session(), ready.demo),
            _ => SessionView {
                state: "starting",
                persistent: false,
                reason: None,
                demo: false,
            },
        }
    }
}

fn view(state: &SessionState, demo: bool) -> SessionView {
    match state {
        SessionState::SignedIn { persistent } => SessionView {
            state: "signedIn",
            persistent: *persistent,
            reason: None,
            demo,
        },
        SessionState::SignedOut { reason } => SessionView {
            state: "signedOut",
            persistent: false,
            reason: reason.clone(),
            demo,
        },
    }
}

/// Starts the core: configured from the environment, or the demo when nothing is
/// configured or `--demo` is given. Then forwards every session change to the webview.
pub async fn start(app: &AppHandle) {
    let wants_demo = std::env::args().any(|a| a == "--demo");
    let started = match Config::from_env() {
        Ok(config) if !wants_demo => Controller::new(
            &config,
            Arc::new(KeychainStore::new(roomtone_core::store::DEFAULT_SERVICE)),
            Arc::new(SystemClock),
        )
        .map(|controller| Ready {
            controller: Arc::new(controller),
            demo: false,
        })
        .map_err(AppError::from),
        _ => demo::start(app).await,
    };
    let state = app.state::<AppState>();
    let _ = state.ready.set(started);
    let _ = app.emit(events::SESSION, state.view());
    if let Ok(ready) = state.ready() {
        let mut changes = ready.controller.watch_session();
        let demo = ready.demo;
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            while changes.changed().await.is_ok() {
                let current = changes.borrow_and_update().clone();
                let _ = app.emit(events::SESSION, view(&current, demo));
            }
        });
    }
}
