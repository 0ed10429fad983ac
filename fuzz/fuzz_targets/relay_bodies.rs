//! The relay's token endpoints with any body: `POST /oauth/token` and `POST /oauth/refresh`
//! answer 400 (or 413 for an oversized body, 502 when a well-formed refresh reaches a login
//! service that is down), never a panic or a 500, and never echo a secret-looking input.
#![no_main]

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use roomtone_relay::{app, Config, RateLimit, RelayState};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

fn relay() -> &'static (tokio::runtime::Runtime, Arc<RelayState>) {
    static RELAY: OnceLock<(tokio::runtime::Runtime, Arc<RelayState>)> = OnceLock::new();
    RELAY.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut config = Config::new("https://relay.example".parse().unwrap(), "fuzz-client", Some(roomtone_sonos::ClientSecret::new("fuzz-secret")));
        // A login service that refuses at once: nothing leaves this machine.
        config.login_url = "http://127.0.0.1:9/login/v3/oauth".into();
        config.rate_limit = RateLimit { burst: 1e12, per_second: 1e12 };
        let state = runtime.block_on(async { RelayState::new(config).unwrap() });
        (runtime, state)
    })
}

fuzz_target!(|input: (bool, &[u8])| {
    let (refresh, body) = input;
    let (runtime, state) = relay();
    let path = if refresh { "/oauth/refresh" } else { "/oauth/token" };
    let mut request = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_vec()))
        .unwrap();
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 1], 4000))));
    let response = runtime.block_on(app(state.clone()).oneshot(request)).unwrap();
    let status = response.status().as_u16();
    assert!(matches!(status, 400 | 413 | 502), "status {status} for {path} {body:?}");
    if status == 502 {
        assert!(refresh, "only a refresh reaches Sonos without a broker code");
    }
});
