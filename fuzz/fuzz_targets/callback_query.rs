//! The relay's `GET /oauth/callback` with any query string: it answers 200 or 400 with a
//! page and its CSP, never panics, and never redirects.
#![no_main]

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use roomtone_relay::{app, Config, RelayState};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

fn relay() -> &'static (tokio::runtime::Runtime, Arc<RelayState>) {
    static RELAY: OnceLock<(tokio::runtime::Runtime, Arc<RelayState>)> = OnceLock::new();
    RELAY.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let config = Config::new("https://relay.example".parse().unwrap(), "fuzz-client", Some(roomtone_sonos::ClientSecret::new("fuzz-secret")));
        (runtime, RelayState::new(config).unwrap())
    })
}

fuzz_target!(|query: &str| {
    let (runtime, state) = relay();
    let Ok(request) = Request::get(format!("/oauth/callback?{query}")).body(Body::empty()) else {
        return; // Not a URI at all: the HTTP layer refuses it before the relay sees it.
    };
    let response = runtime.block_on(app(state.clone()).oneshot(request)).unwrap();
    let status = response.status().as_u16();
    assert!(status == 200 || status == 400, "status {status} for {query:?}");
    assert!(response.headers().get("location").is_none(), "never a redirect");
    assert!(response.headers().get("content-security-policy").is_some());
});
