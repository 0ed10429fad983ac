//! `roomtone-load`: measurements of Roomtone's event path, on loopback only, bounded in
//! count and time. Driven by `bench/events.sh`, which documents the figures.
//!
//! - `latency`: another phone changes a volume; how long until the core's state shows it,
//!   through the simulator's signed webhook, the relay's stream (optionally across two relay
//!   instances on Redis) and the core's read. In one process.
//! - `idle`: Sonos requests per idle minute from a signed-in core, with the event stream
//!   and without it (window shown, window hidden). In one process.
//! - `throughput`: events per second a running relay verifies and delivers to N streams.
//! - `streams`: a running relay's memory with N open streams.
//! - `overhead`: the core's own time from a command's call to its request arriving at a
//!   Control API (a bare HTTP server that only timestamps and answers).
//! - `broker`: the token broker's refresh through a running relay against the same refresh
//!   straight at the login service: the relay's overhead.

use clap::{Parser, Subcommand};
use roomtone_core::{Action, Config, Controller, Live, MemoryStore, SystemClock, TokenStore};
use roomtone_sim::config::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use roomtone_sonos::{AccessToken, Client, ClientSecret, GroupId, StaticToken};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

#[derive(Debug, Parser)]
#[command(name = "roomtone-load")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Event latency: a phone's volume change to the core's state, p50/p99.
    Latency {
        #[arg(long, default_value_t = 200)]
        samples: usize,
        /// Two relay instances on this Redis: Sonos calls one, the app streams from the other.
        #[arg(long)]
        redis_url: Option<String>,
    },
    /// Sonos requests per idle minute, with and without the event stream.
    Idle {
        /// Seconds measured in each of the three phases.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    /// Events per second a running relay verifies and delivers to `streams` streams.
    Throughput {
        #[arg(long)]
        relay: String,
        #[arg(long)]
        sim: String,
        #[arg(long)]
        streams: usize,
        #[arg(long)]
        events: usize,
        /// Sonos's deliveries in flight at once.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
    /// The core's time from a command's call to its request on the wire, p50/p99.
    Overhead {
        #[arg(long, default_value_t = 1000)]
        samples: usize,
    },
    /// The token broker's overhead: refreshes through the relay and straight at Sonos.
    Broker {
        #[arg(long)]
        relay: String,
        #[arg(long)]
        sim: String,
        #[arg(long, default_value_t = 1000)]
        samples: usize,
    },
    /// A running relay's memory (PSS) before and with `streams` open streams.
    Streams {
        #[arg(long)]
        relay: String,
        #[arg(long)]
        sim: String,
        #[arg(long)]
        streams: usize,
        #[arg(long)]
        relay_pid: u32,
    },
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    match Args::parse().command {
        Command::Latency { samples, redis_url } => latency(samples, redis_url).await,
        Command::Idle { seconds } => idle(seconds).await,
        Command::Overhead { samples } => overhead(samples).await,
        Command::Broker {
            relay,
            sim,
            samples,
        } => broker(&relay, &sim, samples).await,
        Command::Throughput {
            relay,
            sim,
            streams,
            events,
            concurrency,
        } => throughput(&relay, &sim, streams, events, concurrency).await,
        Command::Streams {
            relay,
            sim,
            streams,
            relay_pid,
        } => memory(&relay, &sim, streams, relay_pid).await,
    }
}

/// The `p`th percentile (0–100) of sorted `values`, nearest rank.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A sign-in's tokens minted by the simulator at `sim`: `kind` is `access_token` or
/// `refresh_token`.
async fn mint_token(http: &reqwest::Client, sim: &str, kind: &str) -> Result<String, Failure> {
    let tokens: Value = http
        .post(format!("{sim}/sim/admin/tokens"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(tokens[kind]
        .as_str()
        .ok_or_else(|| format!("the simulator minted no {kind}"))?
        .to_owned())
}

/// A Sonos access token of the simulator at `sim`, as another phone or an app would have.
async fn mint(http: &reqwest::Client, sim: &str) -> Result<String, Failure> {
    mint_token(http, sim, "access_token").await
}

fn phone(sim: &str, token: String) -> Result<Client, Failure> {
    Ok(
        Client::builder(Arc::new(StaticToken::new(AccessToken::new(token))))
            .base_url(format!("{sim}/control/api/v1"))
            .build()?,
    )
}

/// The demo cloud with one or two relays, and a core signed in to it, all in this process.
struct InProcess {
    sim: String,
    controller: Arc<Controller>,
    http: reqwest::Client,
    cloud: roomtone_demo::Cloud,
}

impl InProcess {
    async fn start(redis_url: Option<&str>) -> Result<Self, Failure> {
        // The app signs in and streams through the first relay; with Redis, Sonos calls the
        // second, so every event crosses from one instance to the other.
        let redis = redis_url.map(redis::Client::open).transpose()?;
        let relays = if redis.is_some() { 2 } else { 1 };
        let cloud = roomtone_demo::Cloud::start(roomtone_demo::Options {
            relays,
            relay: Box::new(move |relay| {
                relay.event_limits.streams_per_ip = 1 << 20;
                relay.event_limits.openings = roomtone_relay::RateLimit {
                    burst: 1e9,
                    per_second: 1e9,
                };
                relay.connections_per_ip = 1 << 20;
                relay.redis = redis;
            }),
            ..roomtone_demo::Options::default()
        })
        .await?;
        let controller = cloud.controller()?;
        tokio::spawn(controller.clone().follow_session());
        tokio::spawn(controller.clone().follow_events());
        roomtone_demo::sign_in(&controller).await?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            sim: cloud.sim_url.clone(),
            controller,
            http,
            cloud,
        })
    }

    /// Waits until the core streams events and has subscribed everything in view: per
    /// household `groups`, `favorites`, `playlists`; per group three; per room one.
    async fn until_following(&self, group: &str) -> Result<(), Failure> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let live = self.controller.live();
        let wanted: usize = live
            .households
            .iter()
            .map(|h| 3 + h.groups.iter().map(|g| 3 + g.rooms.len()).sum::<usize>())
            .sum();
        loop {
            let subs: Value = self
                .http
                .get(format!("{}/sim/admin/subscriptions", self.sim))
                .send()
                .await?
                .json()
                .await?;
            let subscribed = subs["subscriptions"].as_array().is_some_and(|s| {
                s.len() >= wanted
                    && s.iter().any(|s| {
                        s["namespace"] == "groupVolume" && s["targetValue"].as_str() == Some(group)
                    })
            });
            if subscribed && self.controller.streaming() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err("the core never followed the events".into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The Control API requests the simulator answers in the next `window`.
    /// The Control API requests the simulator answers in the next `window`, and the events
    /// it delivers.
    async fn requests_in(&self, window: Duration) -> Result<(u64, u64), Failure> {
        let before = self.sim_stats().await?;
        tokio::time::sleep(window).await;
        let after = self.sim_stats().await?;
        Ok((after.0 - before.0, after.1 - before.1))
    }

    async fn sim_stats(&self) -> Result<(u64, u64), Failure> {
        let stats: Value = self
            .http
            .get(format!("{}/sim/admin/stats", self.sim))
            .send()
            .await?
            .json()
            .await?;
        let get = |name: &str| {
            stats[name]
                .as_u64()
                .ok_or_else(|| format!("no {name} in the simulator's stats"))
        };
        Ok((get("controlRequests")?, get("eventsDelivered")?))
    }
}

/// The first group with a volume one can set, once the household is read.
async fn a_group(live: &mut watch::Receiver<Live>) -> Result<String, Failure> {
    let live = live
        .wait_for(|l| l.groups().any(|g| !g.volume.fixed))
        .await?;
    let id = live
        .groups()
        .find(|g| !g.volume.fixed)
        .expect("checked")
        .id
        .clone();
    Ok(id)
}

async fn latency(samples: usize, redis_url: Option<String>) -> Result<(), Failure> {
    let world = InProcess::start(redis_url.as_deref()).await?;
    let mut live = world.controller.watch();
    let group = a_group(&mut live).await?;
    world.until_following(&group).await?;
    let phone = phone(&world.sim, mint(&world.http, &world.sim).await?)?;
    let id = GroupId::from(group.as_str());
    let (mut end_to_end, mut command) = (Vec::new(), Vec::new());
    for i in 0..samples {
        let volume = 20 + (i % 2) as u8 * 30 + (i / 2 % 20) as u8;
        let start = Instant::now();
        phone.group_volume().set(&id, volume).await?;
        command.push(start.elapsed());
        tokio::time::timeout(
            Duration::from_secs(10),
            live.wait_for(|l| {
                l.groups()
                    .any(|g| g.id == group && g.volume.volume == volume)
            }),
        )
        .await
        .map_err(|_| format!("sample {i}: the change never reached the core"))??;
        end_to_end.push(start.elapsed());
    }
    end_to_end.sort();
    command.sort();
    let path = if redis_url.is_some() {
        "two relays on Redis"
    } else {
        "one relay"
    };
    println!(
        "latency ({path}, {samples} samples): phone's command to the core's state p50 {} p99 {} max {}; the phone's command alone p50 {} p99 {}",
        ms(percentile(&end_to_end, 50.0)),
        ms(percentile(&end_to_end, 99.0)),
        ms(*end_to_end.last().expect("samples")),
        ms(percentile(&command, 50.0)),
        ms(percentile(&command, 99.0)),
    );
    Ok(())
}

async fn idle(seconds: u64) -> Result<(), Failure> {
    let mut world = InProcess::start(None).await?;
    let mut live = world.controller.watch();
    let group = a_group(&mut live).await?;
    world.until_following(&group).await?;
    let window = Duration::from_secs(seconds);
    let per_minute = |n: u64| n as f64 * 60.0 / seconds as f64;
    // The window is shown, on this group.
    world.controller.set_watching(true);
    world.controller.set_focus(Some(&group));
    let streaming = world.requests_in(window).await?;
    let streamed_throughout = world.controller.streaming();
    // The relay goes away: no stream; the core polls.
    world.cloud.stop_relays().await?;
    let mut polling = world.controller.watch();
    tokio::time::timeout(Duration::from_secs(30), async {
        while world.controller.streaming() {
            let _ = polling.changed().await;
        }
    })
    .await?;
    let shown = world.requests_in(window).await?;
    world.controller.set_watching(false);
    let hidden = world.requests_in(window).await?;
    println!(
        "idle ({seconds} s each): with the stream {:.1} requests/min ({:.1} events/min; stream held throughout: {streamed_throughout}); without, window shown {:.1} requests/min (one group on screen); without, window hidden {:.1} requests/min",
        per_minute(streaming.0),
        per_minute(streaming.1),
        per_minute(shown.0),
        per_minute(hidden.0),
    );
    Ok(())
}

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
    let (target, seq) = ("RINCON_BENCH0000000001400:1", seq.to_string());
    let signature = roomtone_sonos::events::signature(
        &seq,
        "groupVolume",
        "groupVolume",
        "groupId",
        target,
        DEFAULT_CLIENT_ID,
        &ClientSecret::new(DEFAULT_CLIENT_SECRET),
    );
    http.post(format!("{relay}/events"))
        .header("content-type", "application/json")
        .header("x-sonos-household-id", household)
        .header("x-sonos-event-seq-id", &seq)
        .header("x-sonos-event-signature", signature)
        .header("x-sonos-namespace", "groupVolume")
        .header("x-sonos-type", "groupVolume")
        .header("x-sonos-target-type", "groupId")
        .header("x-sonos-target-value", target)
        .body(json!({"volume": 20, "muted": false, "fixed": false}).to_string())
}

async fn throughput(
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

async fn memory(relay: &str, sim: &str, streams: usize, pid: u32) -> Result<(), Failure> {
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

/// A bare HTTP/1.1 server standing in for the Control API: notes when each POST's first
/// bytes arrive, answers every request with `{}`.
async fn wire(arrived: mpsc::UnboundedSender<Instant>) -> Result<String, Failure> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let arrived = arrived.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    if buffer.is_empty() && chunk.starts_with(b"POST") {
                        let _ = arrived.send(Instant::now());
                    }
                    buffer.extend_from_slice(&chunk[..n]);
                    // A whole request: headers, and the body its length says.
                    let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if buffer.len() < end + 4 + length {
                        continue;
                    }
                    buffer.drain(..end + 4 + length);
                    let answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                    if socket.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(url)
}

async fn overhead(samples: usize) -> Result<(), Failure> {
    let (arrived, mut arrivals) = mpsc::unbounded_channel();
    let url = wire(arrived).await?;
    // Signed in already (direct mode, tokens in memory): no relay, no login.
    let store = Arc::new(MemoryStore::default());
    store.save(&roomtone_core::StoredTokens {
        access_token: AccessToken::new("bench-access-token"),
        refresh_token: roomtone_sonos::RefreshToken::new("bench-refresh-token"),
        expires_at: std::time::SystemTime::now() + Duration::from_secs(3600),
        issuer: None,
    })?;
    let config = Config {
        client_id: DEFAULT_CLIENT_ID.into(),
        relay_url: None,
        login_url: format!("{url}/login/v3/oauth"),
        control_url: format!("{url}/control/api/v1"),
        direct: Some(roomtone_core::config::Direct {
            secret: ClientSecret::new("bench"),
            redirect_uri: "http://127.0.0.1/callback".into(),
        }),
        events_url: None,
    };
    let controller = Arc::new(Controller::new(&config, store, Arc::new(SystemClock))?);
    let group = GroupId::from("RINCON_BENCH0000000001400:1");
    let mut times = Vec::with_capacity(samples);
    for i in 0..samples + 50 {
        let start = Instant::now();
        // The answer (and the read back after it) is not what is measured.
        let _ = controller
            .perform(Action::SetGroupVolume {
                group: group.clone(),
                volume: (i % 100) as u8,
            })
            .await;
        let at = arrivals.recv().await.ok_or("the server stopped")?;
        while arrivals.try_recv().is_ok() {}
        if i >= 50 {
            // The first fifty warm the connection pool up.
            times.push(at.saturating_duration_since(start));
        }
    }
    times.sort();
    println!(
        "overhead ({samples} commands): the core's call to its request arriving on the wire p50 {} p99 {}",
        us(percentile(&times, 50.0)),
        us(percentile(&times, 99.0)),
    );
    Ok(())
}

fn us(d: Duration) -> String {
    format!("{} µs", d.as_micros())
}

async fn broker(relay: &str, sim: &str, samples: usize) -> Result<(), Failure> {
    let http = reqwest::Client::new();
    let refresh = mint_token(&http, sim, "refresh_token").await?;
    let (mut through, mut straight) = (Vec::new(), Vec::new());
    for i in 0..samples + 20 {
        let start = Instant::now();
        http.post(format!("{relay}/oauth/refresh"))
            .json(&json!({ "refresh_token": refresh }))
            .send()
            .await?
            .error_for_status()?;
        let relayed = start.elapsed();
        let start = Instant::now();
        http.post(format!("{sim}/login/v3/oauth/access"))
            .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.as_str()),
            ])
            .send()
            .await?
            .error_for_status()?;
        if i >= 20 {
            through.push(relayed);
            straight.push(start.elapsed());
        }
    }
    through.sort();
    straight.sort();
    println!(
        "broker ({samples} refreshes): through the relay p50 {} p99 {}; straight at the login service p50 {} p99 {}; the relay adds p50 {} p99 {}",
        us(percentile(&through, 50.0)),
        us(percentile(&through, 99.0)),
        us(percentile(&straight, 50.0)),
        us(percentile(&straight, 99.0)),
        us(percentile(&through, 50.0).saturating_sub(percentile(&straight, 50.0))),
        us(percentile(&through, 99.0).saturating_sub(percentile(&straight, 99.0))),
    );
    Ok(())
}
