//! A running relay's event path from outside: streams opened as apps would, signed events
//! delivered as Sonos would; `throughput` and `streams` (memory).

use crate::sim::{mint, Failure};
use roomtone_sim::config::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use roomtone_sonos::events::{EventHeaders, Namespace, TargetType};
use roomtone_sonos::{ClientSecret, HouseholdId};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Counts the `sonos` events of one stream until `cutoff`, the end, or `expected`.
struct Counter {
    delivered: AtomicU64,
    cut_off: AtomicUsize,
    finished: AtomicUsize,
}

/// Opens one stream; returns the households of its `ready` event and a task counting events.
async fn open_stream(
    http: &reqwest::Client,
    relay: &str,
    token: &str,
    counter: Arc<Counter>,
    expected: u64,
) -> Result<Vec<String>, Failure> {
    let mut response = http
        .get(format!("{relay}/events/stream"))
        .bearer_auth(token)
        .send()
        .await?;
    if !response.status().is_success() {
        return Err(format!(
            "the stream answered {}: {}",
            response.status(),
            response.text().await?
        )
        .into());
    }
    let mut buffer = String::new();
    let households = loop {
        let chunk = response.chunk().await?.ok_or("the stream ended")?;
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        if let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let data = block
                .lines()
                .find_map(|l| l.strip_prefix("data:"))
                .ok_or("no ready data")?;
            let ready: Value = serde_json::from_str(data.trim())?;
            break ready["households"]
                .as_array()
                .ok_or("no households")?
                .iter()
                .filter_map(|h| h.as_str().map(str::to_owned))
                .collect::<Vec<_>>();
        }
    };
    tokio::spawn(async move {
        let mut mine = 0u64;
        while mine < expected {
            let Ok(Some(chunk)) = response.chunk().await else {
                break;
            };
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                if block.contains("event: sonos") || block.contains("event:sonos") {
                    mine += 1;
                    counter.delivered.fetch_add(1, Ordering::Relaxed);
                } else if block.contains("event: cutoff") || block.contains("event:cutoff") {
                    counter.cut_off.fetch_add(1, Ordering::Relaxed);
                    counter.finished.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
        }
        counter.finished.fetch_add(1, Ordering::Relaxed);
        // Holds the connection until the process ends (a stream the bench keeps open).
        std::future::pending::<()>().await;
    });
    Ok(households)
}

/// Opens `streams` streams (four per sign-in, the relay's default limit), `parallel` at a time.
async fn open_streams(
    relay: &str,
    sim: &str,
    streams: usize,
    counter: Arc<Counter>,
    expected: u64,
) -> Result<Vec<String>, Failure> {
    let http = reqwest::Client::new();
    let mut tokens = Vec::new();
    for _ in 0..streams.div_ceil(4) {
        tokens.push(mint(&http, sim).await?);
    }
    let parallel = 128;
    let next = Arc::new(AtomicUsize::new(0));
    let tokens = Arc::new(tokens);
    let mut workers = Vec::new();
    for _ in 0..parallel.min(streams) {
        let (http, relay, next, tokens, counter) = (
            http.clone(),
            relay.to_owned(),
            next.clone(),
            tokens.clone(),
            counter.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut households = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= streams {
                    return Ok::<_, Failure>(households);
                }
                households =
                    open_stream(&http, &relay, &tokens[i / 4], counter.clone(), expected).await?;
            }
        }));
    }
    let mut households = Vec::new();
    for worker in workers {
        let seen = worker.await??;
        if !seen.is_empty() {
            households = seen;
        }
    }
    Ok(households)
}

/// A signed `groupVolume` event as Sonos would deliver it.
fn sonos_event(
    http: &reqwest::Client,
    relay: &str,
    household: &str,
    seq: u64,
) -> reqwest::RequestBuilder {
    let mut headers = EventHeaders {
        household_id: HouseholdId::new(household),
        seq_id: seq.to_string(),
        signature: String::new(),
        namespace: Namespace::GroupVolume,
        event_type: "groupVolume".into(),
        target_type: TargetType::GroupId,
        target_value: "RINCON_BENCH0000000001400:1".into(),
    };
    headers.signature =
        headers.expected_signature(DEFAULT_CLIENT_ID, &ClientSecret::new(DEFAULT_CLIENT_SECRET));
    let mut request = http
        .post(format!("{relay}/events"))
        .header("content-type", "application/json");
    for (name, value) in headers.to_pairs() {
        request = request.header(name, value);
    }
    request.body(json!({"volume": 20, "muted": false, "fixed": false}).to_string())
}

pub async fn throughput(
    relay: &str,
    sim: &str,
    streams: usize,
    events: usize,
    concurrency: usize,
) -> Result<(), Failure> {
    let counter = Arc::new(Counter {
        delivered: AtomicU64::new(0),
        cut_off: AtomicUsize::new(0),
        finished: AtomicUsize::new(0),
    });
    let households = open_streams(relay, sim, streams, counter.clone(), events as u64).await?;
    let household = households
        .first()
        .ok_or("the streams see no household")?
        .clone();
    // Sequence IDs never used before on this relay, so no event is a duplicate.
    let base = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_micros() as u64;
    let http = reqwest::Client::new();
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut posters = Vec::new();
    for _ in 0..concurrency {
        let (http, relay, household, next) = (
            http.clone(),
            relay.to_owned(),
            household.clone(),
            next.clone(),
        );
        posters.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= events {
                    return Ok::<_, Failure>(());
                }
                let answer = sonos_event(&http, &relay, &household, base + i as u64)
                    .send()
                    .await?;
                if answer.status() != 200 {
                    return Err(format!("the relay answered {}", answer.status()).into());
                }
            }
        }));
    }
    for poster in posters {
        poster.await??;
    }
    let verified = start.elapsed();
    let deadline = Instant::now() + Duration::from_secs(120);
    while counter.finished.load(Ordering::Relaxed) < streams && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let delivered_in = start.elapsed();
    let delivered = counter.delivered.load(Ordering::Relaxed);
    println!(
        "throughput ({streams} streams, {events} events, {concurrency} deliveries in flight): verified {:.0} events/s; delivered {delivered} of {} ({:.0} deliveries/s, every event to every stream in {:.2} s); streams cut off {}",
        events as f64 / verified.as_secs_f64(),
        events as u64 * streams as u64,
        delivered as f64 / delivered_in.as_secs_f64(),
        delivered_in.as_secs_f64(),
        counter.cut_off.load(Ordering::Relaxed),
    );
    Ok(())
}

/// PSS and RSS of `pid`, in KiB.
fn memory_of(pid: u32) -> Result<(u64, u64), Failure> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))?;
    let field = |name: &str| {
        rollup
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| format!("no {name} in smaps_rollup"))
    };
    Ok((field("Pss:")?, field("Rss:")?))
}

pub async fn memory(relay: &str, sim: &str, streams: usize, pid: u32) -> Result<(), Failure> {
    let (pss_before, rss_before) = memory_of(pid)?;
    let counter = Arc::new(Counter {
        delivered: AtomicU64::new(0),
        cut_off: AtomicUsize::new(0),
        finished: AtomicUsize::new(0),
    });
    let start = Instant::now();
    open_streams(relay, sim, streams, counter, u64::MAX).await?;
    let opened = start.elapsed();
    let stats: Value = reqwest::get(format!("{relay}/events/stats"))
        .await?
        .json()
        .await?;
    let (pss, rss) = memory_of(pid)?;
    println!(
        "streams: {} open (relay says {}), opened in {:.1} s; relay PSS {} → {} KiB, RSS {} → {} KiB: {:.1} KiB per stream (PSS)",
        streams,
        stats["openStreams"],
        opened.as_secs_f64(),
        pss_before,
        pss,
        rss_before,
        rss,
        (pss.saturating_sub(pss_before)) as f64 / streams as f64,
    );
    Ok(())
}
