//! Signing in (docs/architecture.md, "Sign-in").
//!
//! [`SignIn::begin`] makes an attempt: a random verifier kept in memory only, a `state`
//! carrying its challenge and the port of a one-shot loopback listener on `127.0.0.1`, and
//! the Sonos login URL, which an injected [`Opener`] shows the person. The attempt
//! completes on the first callback whose `state` matches — from a deep link the app hands
//! to [`SignIn::handle_deep_link`], or from the loopback listener — compared in constant
//! time, used once, within 10 minutes. Anything else is refused with a reason and the
//! attempt stays open. [`Attempt::finish`] then trades what came back for tokens: a broker
//! code at the relay (broker mode), or a Sonos code at the login service (direct mode).

use crate::error::{CoreError, Result};
use crate::session::Clock;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use roomtone_sonos::broker::{BrokerClient, BrokerCode, LoginState, Verifier};
use roomtone_sonos::{AuthorizationCode, ClientSecret, LoginService, Secret, TokenSet};
use serde::Deserialize;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;
use url::Url;

/// How long an attempt waits for its callback.
pub const ATTEMPT_LIFETIME: Duration = Duration::from_secs(600);

/// The URL scheme of the app's deep links.
pub const APP_SCHEME: &str = "roomtone";

/// Shows the person a URL: the system browser in the app, a printed line in the CLI.
pub trait Opener: Send + Sync {
    fn open(&self, url: &Url) -> std::result::Result<(), String>;
}

/// How a sign-in is finished.
#[derive(Clone)]
pub enum Mode {
    /// The relay wraps the Sonos code into a broker code and trades it (the default).
    Broker(BrokerClient),
    /// The person's own integration: Sonos redirects to `redirect_uri` (which forwards to
    /// the app), and the app trades the code with the secret from the keychain.
    Direct {
        secret: ClientSecret,
        redirect_uri: String,
    },
}

impl fmt::Debug for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mode::Broker(relay) => f.debug_tuple("Broker").field(relay).finish(),
            Mode::Direct { redirect_uri, .. } => f
                .debug_struct("Direct")
                .field("redirect_uri", redirect_uri)
                .finish_non_exhaustive(),
        }
    }
}

impl Mode {
    fn redirect_uri(&self) -> String {
        match self {
            Mode::Broker(relay) => relay.redirect_uri(),
            Mode::Direct { redirect_uri, .. } => redirect_uri.clone(),
        }
    }
}

/// What a callback carries, from a deep link or the loopback listener.
#[derive(Debug, Default, Deserialize)]
pub struct CallbackParams {
    state: Option<String>,
    broker_code: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

/// What came back, once its `state` matched.
enum Outcome {
    BrokerCode(BrokerCode),
    Code(AuthorizationCode),
    Refused(String),
}

/// The attempt waiting for its callback.
struct Pending {
    /// Which attempt: a dropped or timed-out attempt removes only itself.
    id: u64,
    state: String,
    verifier: Verifier,
    deadline: std::time::SystemTime,
    done: oneshot::Sender<(Outcome, Verifier)>,
}

/// Starts and completes sign-ins. One attempt waits at a time; a new one replaces it.
pub struct SignIn {
    login: LoginService,
    mode: Mode,
    clock: Arc<dyn Clock>,
    pending: Mutex<Option<Pending>>,
    /// The last attempt's ID.
    attempts: std::sync::atomic::AtomicU64,
}

impl fmt::Debug for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignIn")
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// A sign-in in progress.
pub struct Attempt {
    /// The Sonos login URL the person must visit.
    pub url: Url,
    /// The loopback listener's port.
    pub port: u16,
    id: u64,
    done: oneshot::Receiver<(Outcome, Verifier)>,
    stop_listener: Option<oneshot::Sender<()>>,
    sign_in: Arc<SignIn>,
}

impl fmt::Debug for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attempt")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl SignIn {
    /// Sign-ins at `login` (the Sonos login service of the integration's client ID).
    pub fn new(login: LoginService, mode: Mode, clock: Arc<dyn Clock>) -> Arc<Self> {
        Arc::new(Self {
            login,
            mode,
            clock,
            pending: Mutex::new(None),
            attempts: Default::default(),
        })
    }

    /// Starts an attempt: binds the loopback listener and shows the login URL via `opener`.
    /// When the opener fails, the attempt still waits (the person can open the URL).
    pub async fn begin(self: &Arc<Self>, opener: &dyn Opener) -> Result<Attempt> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| {
                CoreError::Local(format!("could not listen on the loopback interface: {e}"))
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| CoreError::Local(e.to_string()))?
            .port();
        let verifier = Verifier::random();
        let state = LoginState::new(&verifier, port).encode();
        let url = self.login.authorize_url(&state, &self.mode.redirect_uri());
        let (done, waiting) = oneshot::channel();
        let id = self
            .attempts
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(Pending {
            id,
            state,
            verifier,
            deadline: self.clock.now() + ATTEMPT_LIFETIME,
            done,
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let router = axum::Router::new()
            .route("/oauth/callback", axum::routing::get(loopback))
            .with_state(self.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        if let Err(why) = opener.open(&url) {
            tracing::warn!(%why, "could not open the browser");
        }
        Ok(Attempt {
            url,
            port,
            id,
            done: waiting,
            stop_listener: Some(stop),
            sign_in: self.clone(),
        })
    }

    /// Hands over a deep link (`roomtone://oauth/callback?…`) the OS delivered to the app.
    pub fn handle_deep_link(&self, link: &str) -> Result<()> {
        let url = Url::parse(link).map_err(|_| CoreError::InvalidCallback("not a URL".into()))?;
        if url.scheme() != APP_SCHEME
            || url.host_str() != Some("oauth")
            || url.path() != "/callback"
        {
            return Err(CoreError::InvalidCallback(format!(
                "unexpected link {}://{}{}",
                url.scheme(),
                url.host_str().unwrap_or_default(),
                url.path()
            )));
        }
        let mut params = CallbackParams::default();
        for (key, value) in url.query_pairs() {
            let slot = match key.as_ref() {
                "state" => &mut params.state,
                "broker_code" => &mut params.broker_code,
                "code" => &mut params.code,
                "error" => &mut params.error,
                _ => continue,
            };
            if slot.is_some() {
                return Err(CoreError::InvalidCallback(format!("{key} appears twice")));
            }
            *slot = Some(value.into_owned());
        }
        self.deliver(params)
    }

    /// Completes the waiting attempt with `params`, or says why not.
    fn deliver(&self, params: CallbackParams) -> Result<()> {
        let state = params
            .state
            .as_deref()
            .ok_or_else(|| CoreError::InvalidCallback("no state".into()))?;
        if state.len() > 512 {
            return Err(CoreError::InvalidCallback("the state is too long".into()));
        }
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let waiting = pending.as_ref().ok_or(CoreError::NoPendingSignIn)?;
        if !Secret::ct_eq(&ClientSecret::new(waiting.state.clone()), state) {
            return Err(CoreError::StateMismatch);
        }
        if self.clock.now() > waiting.deadline {
            return Err(CoreError::AttemptExpired);
        }
        let outcome = match (&self.mode, params.error, params.broker_code, params.code) {
            (_, Some(error), _, _) => Outcome::Refused(error.chars().take(64).collect()),
            (Mode::Broker(_), None, Some(code), _) if !code.is_empty() && code.len() <= 2048 => {
                Outcome::BrokerCode(BrokerCode::new(code))
            }
            (Mode::Direct { .. }, None, _, Some(code)) if !code.is_empty() && code.len() <= 512 => {
                Outcome::Code(AuthorizationCode::new(code))
            }
            _ => {
                return Err(CoreError::InvalidCallback(
                    "the link carries no code for this sign-in mode".into(),
                ))
            }
        };
        let taken = pending.take().expect("checked above");
        // Nobody waits any more (the attempt was dropped): say so rather than pretend.
        taken
            .done
            .send((outcome, taken.verifier))
            .map_err(|_| CoreError::Cancelled)
    }

    /// Gives up on the waiting attempt.
    pub fn cancel(&self) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }

    /// Gives up on attempt `id`, if it is still the one waiting.
    fn forget(&self, id: u64) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.as_ref().is_some_and(|p| p.id == id) {
            pending.take();
        }
    }

    async fn exchange(&self, outcome: Outcome, verifier: Verifier) -> Result<TokenSet> {
        let now = self.clock.now();
        match (outcome, &self.mode) {
            (Outcome::Refused(error), _) => Err(CoreError::AccessDenied(error)),
            (Outcome::BrokerCode(code), Mode::Broker(relay)) => {
                Ok(relay.exchange(&code, &verifier, now).await?)
            }
            (
                Outcome::Code(code),
                Mode::Direct {
                    secret,
                    redirect_uri,
                },
            ) => Ok(self
                .login
                .exchange_code(secret, &code, redirect_uri, now)
                .await?),
            _ => Err(CoreError::InvalidCallback(
                "the code does not fit the sign-in mode".into(),
            )),
        }
    }
}

impl Attempt {
    /// Waits for the callback (at most until the attempt expires) and trades it for tokens.
    pub async fn finish(mut self) -> Result<TokenSet> {
        let waited = tokio::time::timeout(ATTEMPT_LIFETIME, &mut self.done).await;
        if let Some(stop) = self.stop_listener.take() {
            let _ = stop.send(());
        }
        match waited {
            Ok(Ok((outcome, verifier))) => self.sign_in.exchange(outcome, verifier).await,
            Ok(Err(_)) => Err(CoreError::Cancelled),
            Err(_) => {
                self.sign_in.forget(self.id);
                Err(CoreError::AttemptExpired)
            }
        }
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        if let Some(stop) = self.stop_listener.take() {
            let _ = stop.send(());
        }
        // A dropped attempt takes its verifier with it (a finished one is gone already).
        self.sign_in.forget(self.id);
    }
}

/// The loopback listener's one route: the relay's page links here when the app did not open.
async fn loopback(
    State(sign_in): State<Arc<SignIn>>,
    Query(params): Query<CallbackParams>,
) -> Response {
    let (title, text) = match sign_in.deliver(params) {
        Ok(()) => (
            "Back to Roomtone",
            "Roomtone has what it needs and is finishing signing in. You can close this tab."
                .to_owned(),
        ),
        Err(err) => ("Not signed in", format!("{err}.")),
    };
    let html = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} — Roomtone</title><style>body{{font:16px/1.5 system-ui,sans-serif;display:grid;place-items:center;min-height:100vh;margin:0;background:#f5f4f1;color:#1c1c1e}}main{{background:#fff;padding:32px 36px;border-radius:16px;max-width:420px}}</style></head><body><main><h1>{title}</h1><p>{}</p></main></body></html>"#,
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    );
    let mut response = Html(html).into_response();
    let headers = response.headers_mut();
    headers.insert("cache-control", "no-store".parse().expect("static"));
    headers.insert("referrer-policy", "no-referrer".parse().expect("static"));
    headers.insert(
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
            .parse()
            .expect("static"),
    );
    response
}
