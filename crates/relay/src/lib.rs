//! Roomtone's hosted HTTPS relay.
//!
//! Sonos accepts only a public HTTPS redirect URI, and its token calls need the client
//! secret, which must not ship inside a desktop app. The relay does both jobs for every
//! installed copy of Roomtone:
//! - `GET /oauth/callback` ([`oauth::callback`]): where Sonos sends the browser back. The
//!   Sonos code is sealed into a short-lived, single-use broker code bound to the sign-in's
//!   challenge ([`seal`]), and a small page ([`pages`]) opens `roomtone://oauth/callback`,
//!   with the app's loopback listener as the fallback.
//! - `POST /oauth/token` and `POST /oauth/refresh`: the token broker. A broker code is
//!   traded only with the verifier whose challenge it carries.
//! - `POST /events`, `GET /events/stream`, `GET /events/stats` ([`hub`]): Sonos event
//!   webhooks in, Server-Sent Events out to each app, for the households its token sees.
//! - `GET /healthz`.
//!
//! Without a client secret the relay runs redirect-only: the callback hands the Sonos code
//! straight to the app, for people who register their own integration (direct mode).
//!
//! [`app`] builds the router; [`run`] serves it on a bound listener, with TLS when given a
//! certificate, until a shutdown future completes. Every response carries strict security
//! headers; logs name the method, path and status, never a query string or a body.

pub mod bus;
pub mod config;
mod connections;
pub mod hub;
mod limits;
pub mod oauth;
pub mod pages;
pub mod seal;

pub use config::Config;
pub use limits::RateLimit;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use limits::Limiter;
use roomtone_sonos::LoginService;
use seal::{Sealer, UsedCodes};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// The time source; tests move it.
pub type Now = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Everything a request needs.
pub struct RelayState {
    pub config: Config,
    /// The Sonos login service, for code exchange and refresh.
    pub login: LoginService,
    sealer: Sealer,
    used: UsedCodes,
    limiter: Limiter,
    now: Now,
    /// Sonos events in, event streams out.
    pub hub: Arc<hub::Hub>,
    /// The event streams' limits and caches.
    pub(crate) streams: hub::stream::Streams,
}

impl std::fmt::Debug for RelayState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl RelayState {
    /// A relay for `config`, with the wall clock.
    pub fn new(config: Config) -> Result<Arc<Self>, roomtone_sonos::Error> {
        Self::with_clock(config, Arc::new(SystemTime::now))
    }

    /// A relay for `config`, with `now` as its clock.
    pub fn with_clock(config: Config, now: Now) -> Result<Arc<Self>, roomtone_sonos::Error> {
        let login = LoginService::new(&config.login_url, config.client_id.clone())?;
        Ok(Arc::new(Self {
            sealer: Sealer::new(&config.seal_key),
            used: UsedCodes::default(),
            limiter: Limiter::new(config.rate_limit),
            streams: hub::stream::Streams::new(&config.event_limits),
            hub: match &config.redis {
                Some(client) => hub::Hub::with_redis(
                    config.event_limits,
                    client.clone(),
                    bus::bus_key(&config.seal_key),
                ),
                None => Arc::new(hub::Hub::new(config.event_limits)),
            },
            login,
            now,
            config,
        }))
    }

    /// The redirect URI registered with Sonos: `<public-url>/oauth/callback`.
    pub fn redirect_uri(&self) -> String {
        self.config.redirect_uri()
    }

    fn unix_now(&self) -> u64 {
        oauth::unix((self.now)())
    }
}

/// A failure of a JSON endpoint: a status, a stable `error` and a human `message`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("the broker code is not one this relay issued, or it was altered")]
    InvalidBrokerCode,
    #[error("the broker code expired; sign in again")]
    ExpiredBrokerCode,
    #[error("the broker code was already used; sign in again")]
    UsedBrokerCode,
    #[error("the relay cannot check the broker code right now; try again in a moment")]
    StorageUnavailable,
    #[error("the verifier does not match the sign-in that produced this broker code")]
    VerifierMismatch,
    #[error("Sonos refused the sign-in ({0}); sign in again")]
    SonosRefused(String),
    #[error("Sonos refused the refresh token; sign in again")]
    RefreshRejected,
    #[error("the relay's Sonos credentials were refused; its operator must fix them (your sign-in is unaffected)")]
    RelayMisconfigured,
    #[error("the Sonos login service could not be reached; try again in a moment")]
    SonosUnreachable,
    #[error("this relay only forwards the redirect (no client secret); use direct mode")]
    RedirectOnly,
    #[error("too many requests from this address; try again in {retry_after} s")]
    RateLimited { retry_after: u64 },
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::InvalidRequest(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            ApiError::InvalidBrokerCode => (StatusCode::BAD_REQUEST, "invalid_broker_code"),
            ApiError::ExpiredBrokerCode => (StatusCode::BAD_REQUEST, "expired_broker_code"),
            ApiError::UsedBrokerCode => (StatusCode::BAD_REQUEST, "used_broker_code"),
            ApiError::StorageUnavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable")
            }
            ApiError::VerifierMismatch => (StatusCode::BAD_REQUEST, "verifier_mismatch"),
            ApiError::SonosRefused(_) => (StatusCode::BAD_REQUEST, "sonos_refused"),
            ApiError::RefreshRejected => (StatusCode::BAD_REQUEST, "refresh_rejected"),
            ApiError::RelayMisconfigured => (StatusCode::BAD_GATEWAY, "relay_misconfigured"),
            ApiError::SonosUnreachable => (StatusCode::BAD_GATEWAY, "sonos_unreachable"),
            ApiError::RedirectOnly => (StatusCode::NOT_IMPLEMENTED, "redirect_only"),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = self.parts();
        let mut response = (
            status,
            Json(roomtone_sonos::broker::BrokerError {
                error: error.into(),
                message: self.to_string(),
            }),
        )
            .into_response();
        if let ApiError::RateLimited { retry_after } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}

/// The relay's routes, with its security headers, request log, and body and time limits.
pub fn app(relay: Arc<RelayState>) -> Router {
    // The event stream lives as long as the app is connected: no request timeout there.
    let streams = Router::new().route(roomtone_sonos::stream::PATH, get(hub::stream::stream));
    // Sonos's `groups` events list every player of a household: a larger body than the rest.
    let webhook = Router::new()
        .route("/events", post(hub::webhook::receive))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(256 * 1024))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(20),
        ));
    Router::new()
        .route("/oauth/callback", get(oauth::callback))
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/refresh", post(oauth::refresh))
        .route("/healthz", get(oauth::healthz))
        .route("/events/stats", get(hub::stats))
        .fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                Json(roomtone_sonos::broker::BrokerError {
                    error: "not_found".into(),
                    message: "no such route".into(),
                }),
            )
        })
        // Innermost first: the limits' own answers (413, 408) still get the headers and a log line.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(16 * 1024))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(20),
        ))
        .merge(webhook)
        .merge(streams)
        .layer(middleware::from_fn_with_state(
            relay.config.public_url.scheme() == "https",
            security_headers,
        ))
        .layer(middleware::from_fn(log_request))
        .with_state(relay)
}

/// `Strict-Transport-Security` for a relay reached over HTTPS: a year, this host only (the
/// operator's other subdomains are not the relay's to decide), no preload.
const HSTS: HeaderValue = HeaderValue::from_static("max-age=31536000");

/// Every response: no caching, no referrer, no sniffing, no framing; JSON may load nothing;
/// HTTPS only from now on when the public URL is HTTPS (`https`).
async fn security_headers(State(https): State<bool>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'",
        ));
    response
}

/// One line per request: method, path (never the query, which carries codes), status, time.
async fn log_request(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(%method, path = %path.chars().take(100).collect::<String>(), status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    response
}

/// TLS for [`run`]: a certificate chain and key in PEM files.
pub use axum_server::tls_rustls::RustlsConfig;

/// Serves the relay on `listener` until `shutdown` completes, then lets requests in flight
/// finish (up to 10 s). With `tls`, it speaks HTTPS; without, plain HTTP for a TLS proxy.
pub async fn run(
    listener: std::net::TcpListener,
    relay: Arc<RelayState>,
    tls: Option<RustlsConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let serving = Serving {
        header_read_timeout: relay.config.header_read_timeout,
        // Behind a trusted proxy every connection is the proxy's (see `connections`).
        connections_per_ip: (!relay.config.trust_forwarded_for)
            .then_some(relay.config.connections_per_ip),
    };
    serve_with(listener, app(relay), serving, tls, shutdown).await
}

/// How connections are served.
#[derive(Debug, Clone, Copy)]
pub struct Serving {
    /// [`Config::header_read_timeout`].
    pub header_read_timeout: Duration,
    /// [`Config::connections_per_ip`]; `None`: no cap.
    pub connections_per_ip: Option<usize>,
}

/// [`run`] with the routes given: [`app`] with layers of the caller's around it (the demo's
/// benchmark marks). `header_timeout` is [`Config::header_read_timeout`]; no cap on
/// connections per address (the demo serves loopback only).
pub async fn serve(
    listener: std::net::TcpListener,
    app: Router,
    header_timeout: Duration,
    tls: Option<RustlsConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let serving = Serving {
        header_read_timeout: header_timeout,
        connections_per_ip: None,
    };
    serve_with(listener, app, serving, tls, shutdown).await
}

/// [`serve`] with every option.
///
/// HTTP/1.1 only, also over TLS (ALPN offers `http/1.1` alone; `tls` is changed to say
/// so): the relay's answers are small, and its one long request, the event stream, is one
/// per app — HTTP/2's multiplexing buys nothing here, while its server side has no
/// header-read timeout, keeps idle connections open with pings a slow client answers, and
/// brings its own floods (rapid reset, CONTINUATION). One protocol, one set of timeouts.
pub async fn serve_with(
    listener: std::net::TcpListener,
    app: Router,
    serving: Serving,
    tls: Option<RustlsConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    // Served over TLS here: HTTPS only from now on, whatever the public URL says.
    let app = match tls {
        Some(_) => app.layer(middleware::map_response(|mut response: Response| async {
            response
                .headers_mut()
                .insert(header::STRICT_TRANSPORT_SECURITY, HSTS);
            response
        })),
        None => app,
    };
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    // A client that sends its request line and headers slower than this (slowloris), or
    // keeps an idle connection without a next request, is disconnected; the request timeout
    // covers the rest.
    let http1 = |builder: &mut hyper_util::server::conn::auto::Builder<_>| {
        *builder = builder.clone().http1_only();
        builder
            .http1()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(serving.header_read_timeout);
    };
    let cap = connections::PerAddress::new(serving.connections_per_ip.unwrap_or(usize::MAX));
    match tls {
        Some(tls) => {
            let mut only_http1 = (*tls.get_inner()).clone();
            only_http1.alpn_protocols = vec![b"http/1.1".to_vec()];
            tls.reload_from_config(Arc::new(only_http1));
            let mut server = axum_server::from_tcp_rustls(listener, tls.clone())
                .map(|_| axum_server::tls_rustls::RustlsAcceptor::new(tls).acceptor(cap));
            http1(server.http_builder());
            server.handle(handle).serve(service).await
        }
        None => {
            let mut server = axum_server::from_tcp(listener).acceptor(cap);
            http1(server.http_builder());
            server.handle(handle).serve(service).await
        }
    }
}

/// Installs the process-wide TLS crypto provider (ring). Call once before loading TLS.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
