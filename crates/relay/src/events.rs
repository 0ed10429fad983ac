//! Sonos events through the relay (REFERENCE §6). Sonos delivers events only as HTTPS
//! webhooks to one callback URL per integration, which a desktop app cannot be; the relay
//! is that URL, and streams each event on to the copies of the app allowed to see it.
//!
//! - `POST /events` ([`receive`]): the Sonos callback. The seven `X-Sonos-*` headers are
//!   required and the signature is checked in constant time; a duplicate (the same event
//!   again, [`event_key`], as a Sonos retry or a replay sends it) is acknowledged and dropped.
//!   The answer does not wait for anyone: publishing is a non-blocking send per household.
//! - `GET /events/stream` ([`stream`]): Server-Sent Events for one app. The app shows its
//!   current access token; the relay asks the Control API which households that token can
//!   see (cached briefly, by a hash of the token) and delivers only their events. SSE rather
//!   than WebSocket: the flow is one-way, it is plain HTTP through any proxy or load
//!   balancer, and reconnecting is part of the protocol. Comments every few seconds keep
//!   idle connections open; a client too slow to take its events is cut off with an
//!   `event: cutoff` and a reason, rather than growing the relay's memory; streams are
//!   limited per token and per address.
//! - `GET /events/stats`: counters (received, delivered, rejected by reason, open streams,
//!   the Redis bus), never a token or an event.
//!
//! With Redis ([`crate::bus`]), duplicates are dropped and events fanned out across every
//! instance; without, in this process.

use crate::bus::Redis;
use crate::oauth::client_ip;
use crate::RelayState;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use roomtone_sonos::events::EventHeaders;
use roomtone_sonos::{AccessToken, Client, StaticToken};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet, VecDeque};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc};

/// Limits and timings of the event stream.
#[derive(Debug, Clone, Copy)]
pub struct EventLimits {
    /// Events a stream may fall behind before it is cut off.
    pub stream_buffer: usize,
    /// Open streams per access token.
    pub streams_per_token: usize,
    /// Open streams per client address.
    pub streams_per_ip: usize,
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
            households_ttl: Duration::from_secs(60),
            heartbeat: Duration::from_secs(15),
            dedupe_entries: 100_000,
            dedupe_ttl: Duration::from_secs(600),
        }
    }
}

/// One event as the app receives it: the headers that say what it is about, and the body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Relayed {
    pub household_id: String,
    pub seq_id: String,
    pub namespace: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub target_type: String,
    pub target_value: String,
    pub body: serde_json::Value,
}

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

/// A token's households, remembered by the token's hash.
type HouseholdCache = HashMap<[u8; 32], (Instant, Arc<HashSet<String>>)>;

/// What a stream is handed: an event, or the reason it ends.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    Event(Arc<Relayed>),
    CutOff(Arc<str>),
}

/// The events side of the relay: one broadcast channel per household with a listener.
#[derive(Debug, Default)]
pub struct Events {
    pub limits: EventLimits,
    channels: Mutex<HashMap<String, broadcast::Sender<Item>>>,
    seen: Mutex<Seen>,
    households: Mutex<HouseholdCache>,
    open: Mutex<Open>,
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

/// Open streams per token hash and per address.
#[derive(Debug, Default)]
struct Open {
    per_token: HashMap<[u8; 32], usize>,
    per_ip: HashMap<IpAddr, usize>,
    total: usize,
}

impl Events {
    pub fn new(limits: EventLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Events shared with other instances through Redis. Needs a Tokio runtime.
    pub fn with_redis(limits: EventLimits, client: redis::Client) -> Arc<Self> {
        Arc::new_cyclic(|events: &Weak<Self>| Self {
            limits,
            redis: Some(Redis::start(client, events.clone())),
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
    pub fn publish(&self, event: Relayed) {
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

    fn subscribe(&self, household: &str) -> broadcast::Receiver<Item> {
        let mut channels = self.channels.lock().expect("channels lock");
        // Channels of households nobody listens to any more go when a new one is made.
        channels.retain(|_, c| c.receiver_count() > 0);
        channels
            .entry(household.to_owned())
            .or_insert_with(|| broadcast::channel(self.limits.stream_buffer).0)
            .subscribe()
    }

    /// Opens a stream slot for `token` from `ip`, or says which limit is reached.
    fn open(self: &Arc<Self>, token: [u8; 32], ip: IpAddr) -> Result<Slot, &'static str> {
        let mut open = self.open.lock().expect("open lock");
        if open.per_token.get(&token).copied().unwrap_or(0) >= self.limits.streams_per_token {
            return Err("too many event streams for this sign-in");
        }
        if open.per_ip.get(&ip).copied().unwrap_or(0) >= self.limits.streams_per_ip {
            return Err("too many event streams from this address");
        }
        *open.per_token.entry(token).or_default() += 1;
        *open.per_ip.entry(ip).or_default() += 1;
        open.total += 1;
        Ok(Slot {
            events: self.clone(),
            token,
            ip,
        })
    }

    /// The open streams.
    pub fn open_streams(&self) -> usize {
        self.open.lock().expect("open lock").total
    }
}

/// An open stream's place in the limits, given back when the stream ends.
#[derive(Debug)]
struct Slot {
    events: Arc<Events>,
    token: [u8; 32],
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.events.open.lock().expect("open lock");
        let release = |count: Option<&mut usize>| match count {
            Some(n) if *n > 1 => {
                *n -= 1;
                false
            }
            _ => true,
        };
        if release(open.per_token.get_mut(&self.token)) {
            open.per_token.remove(&self.token);
        }
        if release(open.per_ip.get_mut(&self.ip)) {
            open.per_ip.remove(&self.ip);
        }
        open.total = open.total.saturating_sub(1);
    }
}

/// A JSON error of the events endpoints.
fn refuse(status: StatusCode, error: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(roomtone_sonos::broker::BrokerError {
            error: error.into(),
            message: message.into(),
        }),
    )
        .into_response()
}

/// `POST /events`: see the module documentation.
pub async fn receive(
    State(relay): State<Arc<RelayState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let events = &relay.events;
    events.counts.received.fetch_add(1, Ordering::Relaxed);
    let Some(secret) = &relay.config.client_secret else {
        return refuse(
            StatusCode::NOT_IMPLEMENTED,
            "redirect_only",
            "this relay has no client secret to check event signatures with",
        );
    };
    if !headers.contains_key(roomtone_sonos::events::header::SIGNATURE) {
        events.counts.unsigned.fetch_add(1, Ordering::Relaxed);
        return refuse(
            StatusCode::UNAUTHORIZED,
            "unsigned",
            "the event has no signature",
        );
    }
    let parsed = match EventHeaders::from_headers(&headers) {
        Ok(parsed) => parsed,
        Err(err) => {
            events.counts.malformed.fetch_add(1, Ordering::Relaxed);
            return refuse(StatusCode::BAD_REQUEST, "malformed", err.to_string());
        }
    };
    if parsed.verify(&relay.config.client_id, secret).is_err() {
        events.counts.forged.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(namespace = %parsed.namespace, "an event with a wrong signature was refused");
        return refuse(
            StatusCode::UNAUTHORIZED,
            "forged",
            "the event signature does not match",
        );
    }
    let key = event_key(&parsed, &body);
    let body: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(body) => body,
        Err(err) => {
            events.counts.malformed.fetch_add(1, Ordering::Relaxed);
            return refuse(
                StatusCode::BAD_REQUEST,
                "malformed",
                format!("the body is not JSON ({err})"),
            );
        }
    };
    if !events.first_anywhere(key).await {
        // A Sonos retry or a replay: acknowledged, so Sonos stops retrying, and dropped.
        events.counts.duplicates.fetch_add(1, Ordering::Relaxed);
        return StatusCode::OK.into_response();
    }
    events.publish(Relayed {
        household_id: parsed.household_id.to_string(),
        seq_id: parsed.seq_id,
        namespace: parsed.namespace,
        event_type: parsed.event_type,
        target_type: parsed.target_type.to_string(),
        target_value: parsed.target_value,
        body,
    });
    StatusCode::OK.into_response()
}

/// The households `token` can see: remembered for a while by the token's hash, else asked
/// of the Control API. `None` when Sonos refuses the token.
async fn households_of(
    relay: &RelayState,
    token: &str,
    hash: [u8; 32],
) -> Result<Arc<HashSet<String>>, Response> {
    let now = Instant::now();
    let ttl = relay.events.limits.households_ttl;
    {
        let mut cache = relay.events.households.lock().expect("households lock");
        cache.retain(|_, (at, _)| now.duration_since(*at) < ttl);
        if let Some((_, known)) = cache.get(&hash) {
            return Ok(known.clone());
        }
    }
    let client = Client::builder(Arc::new(StaticToken::new(AccessToken::new(token))))
        .base_url(relay.config.control_url.clone())
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| refuse(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let households = match client.households().list().await {
        Ok(list) => Arc::new(
            list.households
                .into_iter()
                .map(|h| h.id.to_string())
                .collect::<HashSet<_>>(),
        ),
        Err(roomtone_sonos::Error::Unauthorized) => {
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Sonos does not accept this access token; refresh it and reconnect",
            ))
        }
        Err(err) => {
            return Err(refuse(
                StatusCode::BAD_GATEWAY,
                "sonos_unreachable",
                format!("the relay could not ask Sonos which households this sign-in sees ({err}); reconnect in a moment"),
            ))
        }
    };
    relay
        .events
        .households
        .lock()
        .expect("households lock")
        .insert(hash, (now, households.clone()));
    Ok(households)
}

/// `GET /events/stream`: see the module documentation.
pub async fn stream(
    State(relay): State<Arc<RelayState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|t| !t.trim().is_empty())
    else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the event stream needs the app's access token (Authorization: Bearer …)",
        );
    };
    let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
    let ip = client_ip(&relay, peer, &headers);
    let slot = match relay.events.open(hash, ip) {
        Ok(slot) => slot,
        Err(why) => return refuse(StatusCode::TOO_MANY_REQUESTS, "too_many_streams", why),
    };
    if let Some(redis) = &relay.events.redis {
        if !redis.wait_subscribed().await {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "bus_unavailable",
                "the relay cannot reach the other relay instances right now; poll and reconnect in a moment",
            );
        }
    }
    let households = match households_of(&relay, token, hash).await {
        Ok(households) => households,
        Err(refused) => return refused,
    };
    let (tx, rx) = mpsc::channel::<Item>(relay.events.limits.stream_buffer);
    for household in households.iter() {
        let mut events = relay.events.subscribe(household);
        let tx = tx.clone();
        let counts = relay.clone();
        tokio::spawn(async move {
            loop {
                let item = tokio::select! {
                    received = events.recv() => match received {
                        Ok(item) => item,
                        Err(broadcast::error::RecvError::Lagged(missed)) => Item::CutOff(format!(
                            "the stream fell {missed} events behind; reconnect and read the state again"
                        ).into()),
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    () = tx.closed() => return,
                };
                let last = matches!(item, Item::CutOff(_));
                if let Err(mpsc::error::TrySendError::Full(_)) = tx.try_send(item) {
                    // The client does not read: end its stream with the reason rather than
                    // holding events for it.
                    let _ = tx
                        .send(Item::CutOff(
                            "the connection is too slow to take the events; reconnect and read the state again".into(),
                        ))
                        .await;
                    counts.events.counts.cut_off.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                if last {
                    counts.events.counts.cut_off.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
        });
    }
    drop(tx);
    let opened = SseEvent::default()
        .event("ready")
        .json_data(serde_json::json!({ "households": households.iter().collect::<Vec<_>>() }))
        .expect("JSON");
    let events = futures_util::stream::once(async move { Ok::<_, Infallible>(opened) }).chain(
        futures_util::stream::unfold((rx, slot, false), |(mut rx, slot, done)| async move {
            if done {
                return None;
            }
            let sse = match rx.recv().await? {
                Item::Event(event) => (
                    SseEvent::default()
                        .event("sonos")
                        .id(event.seq_id.clone())
                        .json_data(&*event)
                        .expect("JSON"),
                    false,
                ),
                Item::CutOff(reason) => (
                    SseEvent::default()
                        .event("cutoff")
                        .json_data(serde_json::json!({ "reason": &*reason }))
                        .expect("JSON"),
                    true,
                ),
            };
            Some((Ok::<_, Infallible>(sse.0), (rx, slot, sse.1)))
        }),
    );
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(relay.events.limits.heartbeat))
        .into_response()
}

/// `GET /events/stats`: see [`Counts`].
pub async fn stats(State(relay): State<Arc<RelayState>>) -> Json<serde_json::Value> {
    let c = &relay.events.counts;
    let get = |n: &AtomicU64| n.load(Ordering::Relaxed);
    Json(serde_json::json!({
        "received": get(&c.received),
        "delivered": get(&c.delivered),
        "duplicates": get(&c.duplicates),
        "unsigned": get(&c.unsigned),
        "forged": get(&c.forged),
        "malformed": get(&c.malformed),
        "cutOff": get(&c.cut_off),
        "openStreams": relay.events.open_streams(),
        "bus": match &relay.events.redis {
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
                })
            }
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_dropped_and_forgotten_by_age_and_count() {
        let events = Events::new(EventLimits {
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

    #[test]
    fn streams_are_limited_per_token_and_per_address_and_given_back() {
        let events = Arc::new(Events::new(EventLimits {
            streams_per_token: 2,
            streams_per_ip: 3,
            ..EventLimits::default()
        }));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let (a, b) = ([1; 32], [2; 32]);
        let first = events.open(a, ip).unwrap();
        let _second = events.open(a, ip).unwrap();
        assert_eq!(
            events.open(a, ip).unwrap_err(),
            "too many event streams for this sign-in"
        );
        let _third = events.open(b, ip).unwrap();
        assert_eq!(
            events.open(b, ip).unwrap_err(),
            "too many event streams from this address"
        );
        assert_eq!(events.open_streams(), 3);
        drop(first);
        assert_eq!(events.open_streams(), 2);
        let _again = events.open(a, "192.0.2.2".parse().unwrap()).unwrap();
    }
}
