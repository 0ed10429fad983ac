//! Benchmark marks. With `ROOMTONE_BENCH_MARKS` set, moments of the start and of the event
//! path are printed on standard output, in microseconds since the process started, for
//! `bench/start.sh` and `bench/ui-events.sh`; without it nothing is printed or kept. A mark
//! never carries more than a stage, a group ID and a volume.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use roomtone_core::live::Live;
use roomtone_sonos::events::header;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

/// When the app started.
static STARTED: OnceLock<Instant> = OnceLock::new();

/// Starts the clock of the marks (the first thing `run` does).
pub fn start_clock() {
    STARTED.get_or_init(Instant::now);
}

/// Time since the start, for the log.
pub fn since_start() -> Option<std::time::Duration> {
    STARTED.get().map(Instant::elapsed)
}

/// Whether this run prints marks.
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("ROOMTONE_BENCH_MARKS").is_some())
}

/// Prints `line` with the time since the start, when marks are on.
pub fn print(line: std::fmt::Arguments<'_>) {
    if enabled() {
        let micros = since_start().unwrap_or_default().as_micros();
        println!("{line} at={micros}");
    }
}

/// A group ID as a mark carries it: at most 80 characters, whatever Sonos or a request sent.
pub fn group_field(id: &str) -> String {
    id.chars().take(80).collect()
}

/// After the webview was told of a change: each group whose volume differs from the one
/// marked last (`mark sent group=G volume=V at=µs`), so `bench/ui-events.sh` can split the
/// way to the screen at the webview's door.
pub fn sent(live: &Live) {
    if !enabled() {
        return;
    }
    static LAST: OnceLock<Mutex<HashMap<String, u8>>> = OnceLock::new();
    let mut last = LAST
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    for group in live.households.iter().flat_map(|h| &h.groups) {
        let volume = group.volume.volume;
        if last.insert(group.id.to_string(), volume) != Some(volume) {
            let group = group_field(group.id.as_str());
            print(format_args!("mark sent group={group} volume={volume}"));
        }
    }
}

/// Around the demo's relay: the moment a `groupVolume` event reaches it, with the volume it
/// carries (`mark relay group=G volume=V at=µs`): where `bench/ui-events.sh` starts its clock.
pub async fn relay_receipt(request: Request, next: Next) -> Response {
    let is_volume = request.uri().path() == "/events"
        && request
            .headers()
            .get(header::NAMESPACE)
            .is_some_and(|n| n == "groupVolume");
    if !is_volume {
        return next.run(request).await;
    }
    let at = since_start().unwrap_or_default().as_micros();
    let group = group_field(
        request
            .headers()
            .get(header::TARGET_VALUE)
            .and_then(|g| g.to_str().ok())
            .unwrap_or_default(),
    );
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return next
            .run(Request::from_parts(parts, axum::body::Body::empty()))
            .await;
    };
    let volume = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|body| body.get("volume")?.as_u64());
    if let Some(volume) = volume {
        println!("mark relay group={group} volume={volume} at={at}");
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}
