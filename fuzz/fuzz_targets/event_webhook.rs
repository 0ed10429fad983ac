//! The relay's `POST /events` with any headers and body, signed or not: the answer is 200
//! (accepted or a duplicate), 400 (malformed) or 401 (unsigned, forged), never a panic or
//! a 5xx; a correctly signed event with a JSON body is accepted.
#![no_main]

use arbitrary::Arbitrary;
use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use roomtone_relay::{app, Config, RelayState};
use roomtone_sonos::ClientSecret;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

const CLIENT: &str = "fuzz-client";
const SECRET: &str = "fuzz-secret";

fn relay() -> &'static (tokio::runtime::Runtime, Arc<RelayState>) {
    static RELAY: OnceLock<(tokio::runtime::Runtime, Arc<RelayState>)> = OnceLock::new();
    RELAY.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let config = Config::new("https://relay.example".parse().unwrap(), CLIENT, Some(ClientSecret::new(SECRET)));
        let state = runtime.block_on(async { RelayState::new(config).unwrap() });
        (runtime, state)
    })
}

#[derive(Debug, Arbitrary)]
struct Delivery {
    household: Option<String>,
    seq: Option<String>,
    namespace: Option<String>,
    event_type: Option<String>,
    target_type: Option<String>,
    target: Option<String>,
    /// Sign it correctly (else `signature` is sent as it is).
    sign: bool,
    signature: Option<String>,
    body: Vec<u8>,
}

fuzz_target!(|d: Delivery| {
    let (runtime, state) = relay();
    let mut request = Request::post("/events").header("content-type", "application/json");
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let signature = if d.sign {
        Some(roomtone_sonos::events::signature(
            &text(&d.seq),
            &text(&d.namespace),
            &text(&d.event_type),
            &text(&d.target_type),
            &text(&d.target),
            CLIENT,
            &ClientSecret::new(SECRET),
        ))
    } else {
        d.signature.clone()
    };
    for (name, value) in [
        ("x-sonos-household-id", &d.household),
        ("x-sonos-event-seq-id", &d.seq),
        ("x-sonos-namespace", &d.namespace),
        ("x-sonos-type", &d.event_type),
        ("x-sonos-target-type", &d.target_type),
        ("x-sonos-target-value", &d.target),
        ("x-sonos-event-signature", &signature),
    ] {
        if let Some(value) = value {
            request = request.header(name, value.as_str());
        }
    }
    let Ok(request) = request.body(Body::from(d.body.clone())) else {
        return; // a header value HTTP itself refuses
    };
    let response = runtime.block_on(app(state.clone()).oneshot(request)).unwrap();
    let status = response.status().as_u16();
    assert!(matches!(status, 200 | 400 | 401), "status {status} for {d:?}");
    // A correctly signed event with plain header values and a JSON body is accepted.
    let plain = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':' || b == b'.'));
    let known_target = matches!(d.target_type.as_deref(), Some("householdId" | "groupId" | "playerId"));
    let fields = [&d.household, &d.seq, &d.namespace, &d.event_type, &d.target];
    if d.sign && known_target && fields.iter().all(|v| plain(v)) {
        let json = serde_json::from_slice::<serde_json::Value>(&d.body).is_ok();
        assert_eq!(status, if json { 200 } else { 400 }, "{d:?}");
    }
});
