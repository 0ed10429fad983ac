//! Shared setup of the flow tests: the demo cloud (a simulator, a relay on a real listener
//! in front of it) and the core's sign-in and session, all in this process.
#![allow(dead_code)]

pub mod control;

use roomtone_core::{Clock, Mode, Opener, Refresher, Session, SignIn, TokenStore};
use roomtone_demo::{Cloud, Options};
use roomtone_sim::config::{Config as SimConfig, DEFAULT_CLIENT_ID};
use roomtone_sim::testing::{config as sim_config, TestSim};
use roomtone_sonos::broker::BrokerClient;
use roomtone_sonos::LoginService;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use url::Url;

/// A clock tests move.
#[derive(Default)]
pub struct TestClock(AtomicI64);

impl TestClock {
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }

    /// Puts the clock `by` behind the real one (a computer whose clock is slow).
    pub fn set_behind(&self, by: Duration) {
        self.0.store(-(by.as_millis() as i64), Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> SystemTime {
        let offset = self.0.load(Ordering::SeqCst);
        let by = Duration::from_millis(offset.unsigned_abs());
        if offset >= 0 {
            SystemTime::now() + by
        } else {
            SystemTime::now() - by
        }
    }
}

/// A TCP proxy on loopback in front of `target`: a network that can drop — every open
/// connection cut and new ones refused — and come back.
pub struct Proxy {
    pub url: String,
    cut: tokio::sync::watch::Sender<bool>,
}

impl Proxy {
    pub async fn start(target: std::net::SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (cut, _) = tokio::sync::watch::channel(false);
        let watching = cut.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if *watching.borrow() {
                    continue; // dropped: the connection is reset
                }
                let mut down = watching.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = down.wait_for(|cut| *cut) => {}
                    }
                });
            }
        });
        Self { url, cut }
    }

    /// Cuts every connection through it and refuses new ones.
    pub fn cut(&self) {
        self.cut.send_replace(true);
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        self.cut.send_replace(false);
    }
}

/// An opener that remembers the URL instead of opening a browser.
#[derive(Default)]
pub struct Remember(pub Mutex<Option<Url>>);

impl Opener for Remember {
    fn open(&self, url: &Url) -> Result<(), String> {
        *self.0.lock().unwrap() = Some(url.clone());
        Ok(())
    }
}

pub struct World {
    /// The simulator and the relay in front of it (the one demo cloud, without events:
    /// [`control::events_to_the_relay`] turns them on).
    pub cloud: Cloud,
    pub sim: TestSim,
    pub relay_url: String,
    pub clock: Arc<TestClock>,
    pub sign_in: Arc<SignIn>,
    pub http: reqwest::Client,
}

impl World {
    pub async fn start(tweak: impl FnOnce(&mut SimConfig)) -> Self {
        let mut sim = sim_config();
        tweak(&mut sim);
        let sim_clock = Arc::new(roomtone_sim::clock::Clock::frozen(1_790_000_000_000));
        let cloud = Cloud::start(Options {
            sim,
            clock: sim_clock.clone(),
            events: false,
            ..Options::default()
        })
        .await
        .unwrap();
        let sim = TestSim {
            sim: cloud.sim.clone(),
            url: cloud.sim_url.clone(),
            clock: sim_clock,
        };
        let relay_url = cloud.relay_url.clone();
        let clock = Arc::new(TestClock::default());
        let login = LoginService::new(&sim.login_url(), DEFAULT_CLIENT_ID).unwrap();
        let sign_in = SignIn::new(
            login,
            Mode::Broker(BrokerClient::new(&relay_url).unwrap()),
            clock.clone(),
        );
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            cloud,
            sim,
            relay_url,
            clock,
            sign_in,
            http,
        }
    }

    /// Starts the relay again where it was (after [`World::stop_relay`]).
    pub fn start_relay(&mut self) {
        self.cloud.start_relays().unwrap();
    }

    /// Stops the relay and waits until it no longer listens.
    pub async fn stop_relay(&mut self) {
        self.cloud.stop_relays().await.unwrap();
    }

    /// A session refreshing through this relay, over `store`.
    pub fn session(&self, store: Arc<dyn TokenStore>) -> Arc<Session> {
        Arc::new(Session::new(
            store,
            Refresher::Broker(BrokerClient::new(&self.relay_url).unwrap()),
            self.clock.clone(),
        ))
    }

    /// What a browser does with the login URL: the login service redirects to the relay,
    /// and the relay answers with its hand-off page.
    pub async fn browse(&self, login_url: &Url) -> String {
        let to_relay = self.http.get(login_url.clone()).send().await.unwrap();
        assert_eq!(
            to_relay.status(),
            302,
            "the login service redirects to the relay"
        );
        let relay_page = to_relay.headers()["location"].to_str().unwrap().to_owned();
        assert!(relay_page.starts_with(&self.relay_url), "{relay_page}");
        self.http
            .get(relay_page)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

/// The `href` that starts with `prefix`, unescaped.
pub fn link(page: &str, prefix: &str) -> String {
    let at = page
        .find(&format!(r#"href="{prefix}"#))
        .unwrap_or_else(|| panic!("no link to {prefix} in {page}"));
    let rest = &page[at + 6..];
    rest[..rest.find('"').unwrap()].replace("&amp;", "&")
}

/// A relay whose `/oauth/refresh` the test scripts: each request is counted, reported, and
/// held until the test releases it with the status it should answer.
pub struct FakeRelay {
    pub url: String,
    pub requests: Arc<std::sync::atomic::AtomicU32>,
    arrived: tokio::sync::mpsc::UnboundedReceiver<()>,
    release: tokio::sync::mpsc::UnboundedSender<u16>,
}

/// What the fake relay's handler shares with the test.
#[derive(Clone)]
struct FakeState {
    arrived: tokio::sync::mpsc::UnboundedSender<()>,
    release: Arc<tokio::sync::Mutex<tokio::sync::mpsc::UnboundedReceiver<u16>>>,
    requests: Arc<std::sync::atomic::AtomicU32>,
}

async fn fake_refresh(
    axum::extract::State(fake): axum::extract::State<FakeState>,
) -> impl axum::response::IntoResponse {
    let n = fake.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let _ = fake.arrived.send(());
    let status = fake.release.lock().await.recv().await.unwrap_or(503);
    let body = if status == 200 {
        serde_json::json!({"access_token": format!("fresh-{n}"), "refresh_token": "fresh-refresh", "expires_in": 3600})
    } else {
        serde_json::json!({"error": "sonos_unreachable", "message": "the Sonos login service could not be reached; try again in a moment"})
    };
    (
        axum::http::StatusCode::from_u16(status).unwrap(),
        axum::Json(body),
    )
}

impl FakeRelay {
    pub async fn start() -> Self {
        let (arrived, arrived_rx) = tokio::sync::mpsc::unbounded_channel();
        let (release, release_rx) = tokio::sync::mpsc::unbounded_channel::<u16>();
        let requests = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let state = FakeState {
            arrived,
            release: Arc::new(tokio::sync::Mutex::new(release_rx)),
            requests: requests.clone(),
        };
        let app = axum::Router::new()
            .route("/oauth/refresh", axum::routing::post(fake_refresh))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url,
            requests,
            arrived: arrived_rx,
            release,
        }
    }

    /// Waits until a refresh request has arrived.
    pub async fn arrived(&mut self) {
        self.arrived.recv().await.expect("the fake relay runs");
    }

    /// Lets one held request answer with `status` (200 grants fresh tokens).
    pub fn release(&self, status: u16) {
        self.release.send(status).unwrap();
    }

    pub fn session(&self, store: Arc<dyn TokenStore>, clock: Arc<TestClock>) -> Arc<Session> {
        Arc::new(Session::new(
            store,
            Refresher::Broker(BrokerClient::new(&self.url).unwrap()),
            clock,
        ))
    }
}

/// Tokens for a session against a fake relay, expiring in `secs`.
pub fn tokens(access: &str, secs: u64) -> roomtone_sonos::TokenSet {
    roomtone_sonos::TokenSet {
        access_token: roomtone_sonos::AccessToken::new(access),
        refresh_token: roomtone_sonos::RefreshToken::new(format!("{access}-refresh")),
        expires_at: SystemTime::now() + Duration::from_secs(secs),
        scope: None,
        refresh_rotated: false,
    }
}
