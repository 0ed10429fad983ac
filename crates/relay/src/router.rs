//! The relay's routes, with its security headers, request log, and body and time limits.

use crate::{hub, oauth, RelayState};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
pub(crate) const HSTS: HeaderValue = HeaderValue::from_static("max-age=31536000");

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
