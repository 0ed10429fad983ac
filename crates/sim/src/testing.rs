//! Test support shared by this crate's tests, the client's contract tests and later suites:
//! a real HTTP event receiver on loopback, and shortcuts to the admin API.

use crate::clock::Clock;
use crate::config::Config;
use crate::instance::Sim;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Mutex, Notify};

/// One event as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    /// A header's value as text ("" when missing).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("event bodies are JSON")
    }
}

/// How the receiver answers the next attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Ok,
    /// Answer 500.
    Fail,
    /// Never answer (until the sender gives up).
    Stall,
}

struct SinkState {
    tx: mpsc::UnboundedSender<Received>,
    /// Answers for the next attempts, in order; afterwards `Ok`.
    script: Mutex<Vec<Answer>>,
    attempts: AtomicU32,
    never: Notify,
}

/// A real HTTP server on loopback that records every event POSTed to it.
pub struct EventSink {
    pub url: String,
    rx: mpsc::UnboundedReceiver<Received>,
    state: Arc<SinkState>,
}

impl std::fmt::Debug for EventSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSink")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// How long a test waits for an event before failing (a guard, not a synchronisation).
pub const EVENT_WAIT: Duration = Duration::from_secs(10);

impl EventSink {
    /// Starts a receiver on `127.0.0.1:0`.
    pub async fn start() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let state = Arc::new(SinkState {
            tx,
            script: Mutex::new(Vec::new()),
            attempts: AtomicU32::new(0),
            never: Notify::new(),
        });
        let app = Router::new()
            .route("/events", post(receive))
            .with_state(state.clone());
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let url = format!("http://{}/events", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, rx, state }
    }

    /// The next event that was answered with 200; panics after [`EVENT_WAIT`].
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(EVENT_WAIT, self.rx.recv())
            .await
            .expect("an event arrived in time")
            .expect("the receiver is running")
    }

    /// The next event of type `event_type`, skipping others.
    pub async fn next_of(&mut self, event_type: &str) -> Received {
        loop {
            let event = self.next().await;
            if event.header("x-sonos-type") == event_type {
                return event;
            }
        }
    }

    /// Answer the next attempts as `script` says.
    pub async fn script(&self, script: Vec<Answer>) {
        *self.state.script.lock().await = script;
    }

    /// Every POST received so far, answered or not.
    pub fn attempts(&self) -> u32 {
        self.state.attempts.load(Ordering::SeqCst)
    }
}

async fn receive(
    State(state): State<Arc<SinkState>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    state.attempts.fetch_add(1, Ordering::SeqCst);
    let answer = {
        let mut script = state.script.lock().await;
        if script.is_empty() {
            Answer::Ok
        } else {
            script.remove(0)
        }
    };
    match answer {
        Answer::Ok => {
            let _ = state.tx.send(Received { headers, body });
            StatusCode::OK
        }
        Answer::Fail => StatusCode::INTERNAL_SERVER_ERROR,
        Answer::Stall => {
            state.never.notified().await;
            StatusCode::OK
        }
    }
}

/// A configuration for tests: fast buffering and event retries, a registered redirect URI.
pub fn config() -> Config {
    Config {
        redirect_uris: vec!["https://relay.example/oauth/callback".into()],
        buffering: Duration::from_millis(20),
        event_retry_interval: Duration::from_millis(20),
        event_timeout: Duration::from_millis(500),
        audio_clip_duration: Duration::from_millis(50),
        ..Config::default()
    }
}

/// A running simulator for a test, with a frozen clock unless `clock` says otherwise.
pub struct TestSim {
    pub sim: Arc<Sim>,
    pub url: String,
    pub clock: Arc<Clock>,
}

impl std::fmt::Debug for TestSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestSim")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl TestSim {
    /// Starts `config` with a frozen clock at a fixed instant.
    pub async fn start(config: Config) -> Self {
        Self::with_clock(config, Arc::new(Clock::frozen(1_790_000_000_000))).await
    }

    /// Starts `config` with `clock`.
    pub async fn with_clock(config: Config, clock: Arc<Clock>) -> Self {
        let (sim, url) = crate::server::spawn(config, clock.clone())
            .await
            .expect("simulator starts");
        Self { sim, url, clock }
    }

    /// The Control API base URL.
    pub fn control_url(&self) -> String {
        format!("{}/control/api/v1", self.url)
    }

    /// The login service base URL.
    pub fn login_url(&self) -> String {
        format!("{}/login/v3/oauth", self.url)
    }

    /// A fresh token pair `(access, refresh)` minted through the admin API's shortcut.
    pub fn mint_tokens(&self) -> (String, String) {
        let mut world = self.sim.world();
        let world = &mut *world;
        let granted = world.tokens.grant_new(
            &mut world.rng,
            self.clock.now(),
            self.sim.config.access_token_lifetime_secs,
        );
        (granted.access_token, granted.refresh_token)
    }
}
