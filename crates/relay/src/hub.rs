//! The event hub: Sonos events through the relay (REFERENCE §6). Sonos delivers events only as HTTPS
//! webhooks to one callback URL per integration, which a desktop app cannot be; the relay
//! is that URL, and streams each event on to the copies of the app allowed to see it.
//!
//! - `POST /events` ([`webhook`]): the Sonos callback, signature checked, duplicates dropped.
//! - `GET /events/stream` ([`stream`]): Server-Sent Events for one app, only for the
//!   households its token sees. SSE rather than WebSocket: the flow is one-way, it is plain
//!   HTTP through any proxy or load balancer, and reconnecting is part of the protocol.
//! - `GET /events/stats` ([`stats`]): counters (received, delivered, rejected by reason,
//!   open streams, the Redis bus), never a token or an event.
//!
//! This module is what both sides share: the events, their identity for dropping
//! duplicates ([`event_key`]) and one broadcast channel per household with a listener. With
//! Redis ([`crate::bus`]), duplicates are dropped and events fanned out across every
//! instance; without, in this process.

pub mod stream;
pub mod webhook;

use crate::bus::Redis;
use crate::limits::RateLimit;
use crate::oauth::client_ip;
use crate::RelayState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use roomtone_sonos::events::EventHeaders;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;
use tokio::sync::broadcast;

/// Limits and timings of the event stream.
#[derive(Debug, Clone, Copy)]
pub struct EventLimits {
    /// Events a stream may fall behind before it is cut off.
    pub stream_buffer: usize,
    /// Open streams per access token.
    pub streams_per_token: usize,
    /// Open streams per client address (IPv6 per /64).
    pub streams_per_ip: usize,
    /// Stream openings per client address (IPv6 per /64): each may ask Sonos for the
    /// token's households.
    pub openings: RateLimit,
    /// How long a token Sonos refused is refused again without asking.
    pub refusal_ttl: Duration,
    /// How often an open stream asks Sonos again whether its token still sees its
    /// households (and at the token's expiry, when this relay issued it).
    pub recheck: Duration,
    /// How long a token's households are remembered.
    pub households_ttl: Duration,
    /// How often an idle stream gets a comment.
    pub heartbeat: Duration,
    /// How many events ([`event_key`]) are remembered to drop duplicates, and how long.
    pub dedupe_entries: usize,
    pub dedupe_ttl: Duration,
}

impl Default for EventLimits {
    fn default() -> Self {
        Self {
            stream_buffer: 256,
            streams_per_token: 4,
            streams_per_ip: 64,
            openings: RateLimit {
                burst: 30.0,
                per_second: 1.0,
            },
            refusal_ttl: Duration::from_secs(10),
            recheck: Duration::from_secs(300),
            households_ttl: Duration::from_secs(60),
            heartbeat: Duration::from_secs(15),
            dedupe_entries: 100_000,
            dedupe_ttl: Duration::from_secs(600),
        }
    }
}

/// One event as the app receives it: the stream protocol's own type.
pub use roomtone_sonos::stream::StreamEvent;

/// The counters of `GET /events/stats`.
#[derive(Debug, Default)]
pub struct Counts {
    pub received: AtomicU64,
    pub delivered: AtomicU64,
    pub duplicates: AtomicU64,
    pub unsigned: AtomicU64,
    pub forged: AtomicU64,
    pub malformed: AtomicU64,
    pub cut_off: AtomicU64,
}

/// What a stream is handed: an event, or the reason it ends.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    Event(Arc<StreamEvent>),
    CutOff(Arc<str>),
}

/// The events side of the relay: one broadcast channel per household with a listener.
#[derive(Debug, Default)]
pub struct Hub {
    pub limits: EventLimits,
    channels: Mutex<HashMap<String, broadcast::Sender<Item>>>,
    seen: Mutex<Seen>,
    pub counts: Counts,
    /// The other relay instances, with `--redis-url`.
    pub redis: Option<Redis>,
}

/// Recently seen events, by [`event_key`], oldest first.
#[derive(Debug, Default)]
struct Seen {
    order: VecDeque<(Instant, [u8; 32])>,
    set: HashSet<[u8; 32]>,
}

/// What makes an event the same event: its namespace, type, target, sequence ID and body.
/// REFERENCE §6.5 leaves the scope of sequence IDs open, and the simulator (like REI's
/// notes) counts them per subscription: a target's `playbackMetadata` and `groupVolume`
/// events both start at 1, and two subscribers' lanes can reach one number with different
/// changes. A Sonos retry or a replay repeats all of it.
pub fn event_key(headers: &EventHeaders, body: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in [
        headers.namespace.as_str(),
        headers.event_type.as_str(),
        &headers.target_type.to_string(),
        headers.target_value.as_str(),
        headers.seq_id.as_str(),
    ] {
        hash.update(part.as_bytes());
        hash.update([0x1f]);
    }
    hash.update(body);
    hash.finalize().into()
}

impl Hub {
    pub fn new(limits: EventLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Events shared with other instances through Redis. Needs a Tokio runtime.
    /// `bus_key` authenticates the messages ([`crate::bus::bus_key`]).
    pub fn with_redis(limits: EventLimits, client: redis::Client, bus_key: [u8; 32]) -> Arc<Self> {
        Arc::new_cyclic(|events: &Weak<Self>| Self {
            limits,
            redis: Some(Redis::start(
                client,
                bus_key,
                events.clone() as Weak<dyn crate::bus::Streams>,
            )),
            ..Self::default()
        })
    }

    /// Whether the event `key` is new; remembers it. Old entries expire by age and count.
    fn first_time(&self, key: [u8; 32], now: Instant) -> bool {
        let mut seen = self.seen.lock().expect("seen lock");
        while let Some((at, _)) = seen.order.front() {
            let expired = now.duration_since(*at) > self.limits.dedupe_ttl
                || seen.order.len() >= self.limits.dedupe_entries;
            if !expired {
                break;
            }
            let (_, key) = seen.order.pop_front().expect("front");
            seen.set.remove(&key);
        }
        if !seen.set.insert(key) {
            return false;
        }
        seen.order.push_back((now, key));
        true
    }

    /// Whether the event `key` is new here and, with Redis, at every other instance.
    async fn first_anywhere(&self, key: [u8; 32]) -> bool {
        if !self.first_time(key, Instant::now()) {
            return false;
        }
        match &self.redis {
            Some(redis) => redis.first_time(key, self.limits.dedupe_ttl).await,
            None => true,
        }
    }

    /// Sends `event` to every stream of its household, at every instance.
    pub fn publish(&self, event: StreamEvent) {
        let event = Arc::new(event);
        let event = match &self.redis {
            Some(redis) => match redis.send(event) {
                Ok(()) => return,
                Err(event) => event,
            },
            None => event,
        };
        self.deliver(Item::Event(event));
    }

    /// Hands `item` to this instance's streams of its household (an event) or of every
    /// household (a cut-off); returns how many streams got it.
    pub(crate) fn deliver(&self, item: Item) -> usize {
        let channels = self.channels.lock().expect("channels lock");
        match &item {
            Item::Event(event) => {
                let Some(channel) = channels.get(&event.household_id) else {
                    return 0;
                };
                let sent = channel.send(item).unwrap_or(0);
                self.counts
                    .delivered
                    .fetch_add(sent as u64, Ordering::Relaxed);
                sent
            }
            Item::CutOff(_) => channels
                .values()
                .map(|channel| channel.send(item.clone()).unwrap_or(0))
                .sum(),
        }
    }

    /// Ends every stream of this instance with `reason`.
    pub(crate) fn cut_all(&self, reason: &str) {
        self.deliver(Item::CutOff(reason.into()));
    }

    pub(crate) fn subscribe(&self, household: &str) -> broadcast::Receiver<Item> {
        let mut channels = self.channels.lock().expect("channels lock");
        // Channels of households nobody listens to any more go when a new one is made.
        channels.retain(|_, c| c.receiver_count() > 0);
        channels
            .entry(household.to_owned())
            .or_insert_with(|| broadcast::channel(self.limits.stream_buffer).0)
            .subscribe()
    }
}

/// A JSON error of the events endpoints.
pub(crate) fn refuse(status: StatusCode, error: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(roomtone_sonos::broker::BrokerError {
            error: error.into(),
            message: message.into(),
        }),
    )
        .into_response()
}

/// Whether this request may read the counters. They are for the operator — they say how
/// busy the relay is and whether its Redis is up — so they answer a request from the
/// relay's own machine (a loopback peer that no proxy forwarded, unless the proxy is
/// trusted and the client it names is loopback too), or one that shows the configured
/// stats token (`Authorization: Bearer …`, for a monitor elsewhere). A wrong token is
/// refused even from loopback.
fn may_read_stats(relay: &RelayState, peer: SocketAddr, headers: &HeaderMap) -> bool {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(presented) = presented {
        let Some(expected) = &relay.config.stats_token else {
            return false;
        };
        // Hashes of equal length, compared in constant time.
        let (a, b) = (Sha256::digest(presented), Sha256::digest(expected));
        return bool::from(a.as_slice().ct_eq(b.as_slice()));
    }
    let forwarded = headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
    peer.ip().to_canonical().is_loopback()
        && (!forwarded || relay.config.trust_forwarded_for)
        && client_ip(relay, peer, headers).to_canonical().is_loopback()
}

/// `GET /events/stats`: see [`Counts`]; who may read them: [`may_read_stats`].
pub async fn stats(
    State(relay): State<Arc<RelayState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if !may_read_stats(&relay, peer, &headers) {
        return refuse(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the counters are for the relay's operator: ask from the relay's own machine, or with its stats token",
        );
    }
    let c = &relay.hub.counts;
    let get = |n: &AtomicU64| n.load(Ordering::Relaxed);
    Json(serde_json::json!({
        "received": get(&c.received),
        "delivered": get(&c.delivered),
        "duplicates": get(&c.duplicates),
        "unsigned": get(&c.unsigned),
        "forged": get(&c.forged),
        "malformed": get(&c.malformed),
        "cutOff": get(&c.cut_off),
        "openStreams": relay.streams.open_streams(),
        "bus": match &relay.hub.redis {
            None => serde_json::json!({ "kind": "memory" }),
            Some(redis) => {
                let b = &redis.counts;
                serde_json::json!({
                    "kind": "redis",
                    "subscribed": redis.subscribed(),
                    "published": get(&b.published),
                    "received": get(&b.received),
                    "errors": get(&b.errors),
                    "disconnects": get(&b.disconnects),
                    "unauthenticated": get(&b.unauthenticated),
                    "invalid": get(&b.invalid),
                })
            }
        },
    }))
    .into_response()
}

impl crate::bus::Streams for Hub {
    fn deliver_event(&self, event: Arc<StreamEvent>) {
        self.deliver(Item::Event(event));
    }

    fn cut_all(&self, reason: &str) {
        Hub::cut_all(self, reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_dropped_and_forgotten_by_age_and_count() {
        let events = Hub::new(EventLimits {
            dedupe_entries: 3,
            dedupe_ttl: Duration::from_secs(10),
            ..EventLimits::default()
        });
        let t0 = Instant::now();
        let key = |namespace: &str, target: &str, seq: &str, body: &str| {
            let headers = EventHeaders {
                household_id: "H".into(),
                seq_id: seq.into(),
                namespace: namespace.into(),
                event_type: namespace.into(),
                target_type: roomtone_sonos::events::TargetType::GroupId,
                target_value: target.into(),
                signature: String::new(),
            };
            event_key(&headers, body.as_bytes())
        };
        let volume = |target, seq, body| key("groupVolume", target, seq, body);
        assert!(events.first_time(volume("G1", "1", "{}"), t0));
        assert!(!events.first_time(volume("G1", "1", "{}"), t0), "a retry");
        assert!(
            events.first_time(volume("G2", "1", "{}"), t0),
            "another target"
        );
        assert!(
            events.first_time(key("playback", "G1", "1", "{}"), t0),
            "another namespace of the target counts its own sequence"
        );
        assert!(
            events.first_time(volume("G1", "1", "{\"volume\":3}"), t0),
            "another change with the same number (another subscriber's lane)"
        );
        // Old enough: forgotten (and at most three remembered).
        assert!(events.first_time(volume("G1", "1", "{}"), t0 + Duration::from_secs(11)));
        assert!(events.seen.lock().unwrap().set.len() <= 3);
    }
}
