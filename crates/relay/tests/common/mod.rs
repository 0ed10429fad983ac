//! Shared setup: a simulator as the Sonos login service, and a relay in front of it.
#![allow(dead_code)]

pub mod sse;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use http_body_util::BodyExt;
use roomtone_relay::{app, Config, RateLimit, RelayState};
use roomtone_sim::config::{Config as SimConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use roomtone_sim::testing::{config as sim_config, TestSim};
use roomtone_sonos::broker::{LoginState, Verifier};
use roomtone_sonos::{ClientSecret, Secret};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tower::ServiceExt;

pub const PUBLIC_URL: &str = "https://relay.example";

/// A relay with a movable clock, in front of a simulator.
pub struct Setup {
    pub sim: TestSim,
    pub relay: Arc<RelayState>,
    /// Seconds added to the relay's clock.
    pub offset: Arc<AtomicI64>,
}

impl Setup {
    pub async fn new() -> Self {
        Self::with(|_| {}, true).await
    }

    pub async fn with(tweak: impl FnOnce(&mut Config), broker: bool) -> Self {
        Self::with_sim(|_| {}, tweak, broker).await
    }

    /// [`Setup::with`], and `tweak_sim` changes the simulator's configuration.
    pub async fn with_sim(
        tweak_sim: impl FnOnce(&mut SimConfig),
        tweak: impl FnOnce(&mut Config),
        broker: bool,
    ) -> Self {
        let mut sim_config = SimConfig {
            auto_consent: true,
            redirect_uris: vec![format!("{PUBLIC_URL}/oauth/callback")],
            ..sim_config()
        };
        tweak_sim(&mut sim_config);
        let sim = TestSim::start(sim_config).await;
        let secret = broker.then(|| ClientSecret::new(DEFAULT_CLIENT_SECRET));
        let mut config = Config::new(PUBLIC_URL.parse().unwrap(), DEFAULT_CLIENT_ID, secret);
        config.login_url = sim.login_url();
        config.control_url = sim.control_url();
        config.rate_limit = RateLimit {
            burst: 1000.0,
            per_second: 1000.0,
        };
        tweak(&mut config);
        let offset = Arc::new(AtomicI64::new(0));
        let clock = offset.clone();
        let relay = RelayState::with_clock(
            config,
            Arc::new(move || {
                SystemTime::now() + Duration::from_secs(clock.load(Ordering::SeqCst) as u64)
            }),
        )
        .unwrap();
        Self { sim, relay, offset }
    }

    /// Sends `request` through the relay's router, from `ip`.
    pub async fn send_from(
        &self,
        ip: [u8; 4],
        mut request: Request<Body>,
    ) -> (u16, axum::http::HeaderMap, String) {
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
        let response: Response<Body> = app(self.relay.clone()).oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    pub async fn send(&self, request: Request<Body>) -> (u16, axum::http::HeaderMap, String) {
        self.send_from([10, 0, 0, 1], request).await
    }

    pub async fn get(&self, uri: &str) -> (u16, axum::http::HeaderMap, String) {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post(
        &self,
        uri: &str,
        json: serde_json::Value,
    ) -> (u16, axum::http::HeaderMap, String) {
        self.send(
            Request::post(uri)
                .header("content-type", "application/json")
                .body(Body::from(json.to_string()))
                .unwrap(),
        )
        .await
    }

    /// A Sonos code for a sign-in with `state`, as the simulator's auto-consent grants it.
    pub async fn sonos_code(&self, state: &str) -> String {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = http
            .get(self.sim.login_url())
            .query(&[
                ("client_id", DEFAULT_CLIENT_ID),
                ("response_type", "code"),
                ("state", state),
                ("scope", "playback-control-all"),
                ("redirect_uri", &self.relay.redirect_uri()),
            ])
            .send()
            .await
            .unwrap();
        let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
        location
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned()
    }

    /// A whole sign-in up to the hand-off page: (verifier, state, page).
    pub async fn hand_off(&self) -> (Verifier, String, String) {
        let verifier = Verifier::random();
        let state = LoginState::new(&verifier, 49200).encode();
        let code = self.sonos_code(&state).await;
        let uri = format!(
            "/oauth/callback?{}",
            serde_urlencoded(&[("state", &state), ("code", &code)])
        );
        let (status, _, page) = self.get(&uri).await;
        assert_eq!(status, 200, "{page}");
        (verifier, state, page)
    }

    pub fn advance(&self, secs: i64) {
        self.offset.fetch_add(secs, Ordering::SeqCst);
    }
}

pub fn serde_urlencoded(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The `href` of the link whose text is `label`, unescaped.
pub fn link(page: &str, starts: &str) -> String {
    let at = page
        .find(&format!(r#"href="{starts}"#))
        .unwrap_or_else(|| panic!("no link to {starts} in {page}"));
    let rest = &page[at + 6..];
    rest[..rest.find('"').unwrap()].replace("&amp;", "&")
}

/// A query parameter of a URL.
pub fn param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Serves the relay of `setup` on a real listener: its address, a stop switch, the task.
pub async fn serve(
    setup: &Setup,
    tls: Option<roomtone_relay::RustlsConfig>,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    serve_relay(setup.relay.clone(), tls)
}

/// Serves `relay` on a real listener: its address, a stop switch, the task.
pub fn serve_relay(
    relay: Arc<RelayState>,
    tls: Option<roomtone_relay::RustlsConfig>,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(roomtone_relay::run(listener, relay, tls, async {
        let _ = stopped.await;
    }));
    (address, stop, task)
}

/// Signs in through the relay at `base` with `http`: the callback page, then the token call.
pub async fn sign_in(
    setup: &Setup,
    http: &reqwest::Client,
    base: &str,
) -> (String, serde_json::Value, Verifier) {
    let verifier = Verifier::random();
    let state = LoginState::new(&verifier, 49200).encode();
    let code = setup.sonos_code(&state).await;
    let page = http
        .get(format!("{base}/oauth/callback"))
        .query(&[("state", &state), ("code", &code)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let broker_code = param(&link(&page, "roomtone://"), "broker_code").unwrap();
    let tokens: serde_json::Value = http
        .post(format!("{base}/oauth/token"))
        .json(&serde_json::json!({"broker_code": broker_code, "verifier": verifier.expose()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(tokens["access_token"].is_string(), "{tokens}");
    (format!("{code} {broker_code}"), tokens, verifier)
}

/// Stops a relay served with [`serve`] when dropped.
pub struct Stop(pub Option<tokio::sync::oneshot::Sender<()>>);

impl Drop for Stop {
    fn drop(&mut self) {
        if let Some(stop) = self.0.take() {
            let _ = stop.send(());
        }
    }
}
