//! `GET /events/stream`: Server-Sent Events for one app. The app shows its current access
//! token; the relay asks the Control API which households that token can see (remembered
//! briefly by a hash of the token, and so are Sonos's refusals) and delivers only their
//! events. Comments every few seconds keep idle connections open; a client too slow to take
//! its events is cut off with an `event: cutoff` and a reason, rather than growing the
//! relay's memory. Openings are rate limited per address (each one may cost a call to
//! Sonos), and open streams are limited per token and per address (IPv6 per /64).

use super::{refuse, Item};
use crate::limits::{network, Limiter};
use crate::oauth::client_ip;
use crate::{ApiError, RelayState};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use roomtone_sonos::stream::{name as frame, CutOff, Opened};
use roomtone_sonos::{AccessToken, Client, StaticToken};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet, VecDeque};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc};

/// A token's households, remembered by the token's hash.
type HouseholdCache = HashMap<[u8; 32], (Instant, Arc<HashSet<String>>)>;

/// At most this many refused token hashes are remembered (the oldest go first: they are
/// the first to expire anyway).
const MAX_REFUSALS: usize = 10_000;

/// What the stream endpoint keeps between requests.
#[derive(Debug)]
pub struct Streams {
    open: Arc<Mutex<Open>>,
    households: Mutex<HouseholdCache>,
    refused: Mutex<Refusals>,
    openings: Limiter,
    /// When the access tokens this relay issued expire, by hash: a stream is re-checked then.
    expiries: Mutex<HashMap<[u8; 32], Instant>>,
}

/// At most this many token expiries are remembered (past that, streams of newer tokens are
/// re-checked on the timer only).
const MAX_EXPIRIES: usize = 100_000;

/// Token hashes Sonos refused recently, oldest first: a flood of bad tokens (or one bad
/// token retried in a loop) costs one call to Sonos each, not one per opening.
#[derive(Debug, Default)]
struct Refusals {
    order: VecDeque<(Instant, [u8; 32])>,
    set: HashSet<[u8; 32]>,
}

impl Refusals {
    fn forget_before(&mut self, oldest: Instant) {
        while let Some((at, hash)) = self.order.front().copied() {
            if at >= oldest && self.order.len() < MAX_REFUSALS {
                break;
            }
            self.order.pop_front();
            self.set.remove(&hash);
        }
    }
}

/// Open streams per token hash and per address.
#[derive(Debug, Default)]
struct Open {
    per_token: HashMap<[u8; 32], usize>,
    per_ip: HashMap<IpAddr, usize>,
    total: usize,
}

impl Streams {
    pub fn new(limits: &super::EventLimits) -> Self {
        Self {
            open: Arc::default(),
            households: Mutex::default(),
            refused: Mutex::default(),
            openings: Limiter::new(limits.openings),
            expiries: Mutex::default(),
        }
    }

    /// Remembers that `access_token`, issued by this relay, expires in `expires_in` seconds.
    pub(crate) fn note_expiry(&self, access_token: &str, expires_in: u64) {
        let now = Instant::now();
        let Some(at) = now.checked_add(Duration::from_secs(expires_in)) else {
            return;
        };
        let mut expiries = self.expiries.lock().expect("expiries lock");
        if expiries.len() >= MAX_EXPIRIES {
            expiries.retain(|_, at| *at > now);
            if expiries.len() >= MAX_EXPIRIES {
                return;
            }
        }
        expiries.insert(Sha256::digest(access_token.as_bytes()).into(), at);
    }

    fn expiry(&self, hash: &[u8; 32]) -> Option<Instant> {
        self.expiries
            .lock()
            .expect("expiries lock")
            .get(hash)
            .copied()
    }

    /// Opens a stream slot for `token` from `ip` (IPv6 per /64), or says which limit is
    /// reached.
    fn open(
        &self,
        limits: &super::EventLimits,
        token: [u8; 32],
        ip: IpAddr,
    ) -> Result<Slot, &'static str> {
        let ip = network(ip);
        let mut open = self.open.lock().expect("open lock");
        if open.per_token.get(&token).copied().unwrap_or(0) >= limits.streams_per_token {
            return Err("too many event streams for this sign-in");
        }
        if open.per_ip.get(&ip).copied().unwrap_or(0) >= limits.streams_per_ip {
            return Err("too many event streams from this address");
        }
        *open.per_token.entry(token).or_default() += 1;
        *open.per_ip.entry(ip).or_default() += 1;
        open.total += 1;
        Ok(Slot {
            open: self.open.clone(),
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
    open: Arc<Mutex<Open>>,
    token: [u8; 32],
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().expect("open lock");
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

fn unauthorized() -> Response {
    refuse(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Sonos does not accept this access token; refresh it and reconnect",
    )
}

/// The households `token` can see, asked of the Control API now.
async fn ask_sonos(
    relay: &RelayState,
    token: &str,
) -> Result<HashSet<String>, roomtone_sonos::Error> {
    let client = Client::builder(Arc::new(StaticToken::new(AccessToken::new(token))))
        .base_url(relay.config.control_url.clone())
        .timeout(Duration::from_secs(10))
        .build()?;
    let list = client.households().list().await?;
    Ok(list
        .households
        .into_iter()
        .map(|h| h.id.to_string())
        .collect())
}

/// Why a stream whose sign-in Sonos no longer accepts is ended.
pub const REVOKED: &str =
    "Sonos no longer accepts this sign-in's access token; refresh it and reconnect";

/// Why a stream whose token (issued by this relay) reached its expiry is ended.
pub const EXPIRED: &str = "this sign-in's access token expired; refresh it and reconnect";

/// Keeps asking Sonos, every [`super::EventLimits::recheck`], whether `token` still sees
/// `households`, and ends the stream (through `tx`) with a reason when it does not — or
/// when the token expires, if this relay issued it and so knows when: a token past the
/// lifetime Sonos gave it is not one to keep streaming to. A stream lives as long as its
/// connection, and a revoked or expired token must not keep receiving what plays in
/// someone's home. When Sonos cannot be asked (down, slow), the stream goes on: that says
/// nothing about the sign-in, and the next check asks again.
async fn recheck(
    relay: Arc<RelayState>,
    token: String,
    hash: [u8; 32],
    households: Arc<HashSet<String>>,
    tx: mpsc::Sender<Item>,
) {
    let expires = relay
        .streams
        .expiry(&hash)
        .map(tokio::time::Instant::from_std);
    let reason: Arc<str> = loop {
        let timer = tokio::time::Instant::now() + relay.hub.limits.recheck;
        let next = expires.map_or(timer, |at| at.min(timer));
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            () = tx.closed() => return,
        }
        if expires.is_some_and(|at| at <= tokio::time::Instant::now()) {
            break EXPIRED.into();
        }
        match ask_sonos(&relay, &token).await {
            Ok(now_seen) => {
                if let Some(gone) = households.iter().find(|h| !now_seen.contains(*h)) {
                    break format!(
                        "this sign-in no longer sees household {gone}; reconnect and read the state again"
                    )
                    .into();
                }
            }
            Err(roomtone_sonos::Error::Unauthorized) => {
                relay
                    .streams
                    .households
                    .lock()
                    .expect("households lock")
                    .remove(&hash);
                break REVOKED.into();
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot re-check an event stream's sign-in with Sonos; it stays open until the next check");
            }
        }
    };
    relay.hub.counts.cut_off.fetch_add(1, Ordering::Relaxed);
    let _ = tx.send(Item::CutOff(reason)).await;
}

/// The households `token` can see: remembered for a while by the token's hash, else asked
/// of the Control API. A token Sonos refused is refused again without asking for
/// [`super::EventLimits::refusal_ttl`].
async fn households_of(
    relay: &RelayState,
    token: &str,
    hash: [u8; 32],
) -> Result<Arc<HashSet<String>>, Response> {
    let streams = &relay.streams;
    let limits = &relay.hub.limits;
    let now = Instant::now();
    {
        let mut cache = streams.households.lock().expect("households lock");
        cache.retain(|_, (at, _)| now.duration_since(*at) < limits.households_ttl);
        if let Some((_, known)) = cache.get(&hash) {
            return Ok(known.clone());
        }
    }
    {
        let mut refused = streams.refused.lock().expect("refusals lock");
        if let Some(oldest) = now.checked_sub(limits.refusal_ttl) {
            refused.forget_before(oldest);
        }
        if refused.set.contains(&hash) {
            return Err(unauthorized());
        }
    }
    let households = match ask_sonos(relay, token).await {
        Ok(households) => Arc::new(households),
        Err(roomtone_sonos::Error::Unauthorized) => {
            let mut refused = streams.refused.lock().expect("refusals lock");
            if refused.order.len() >= MAX_REFUSALS {
                refused.forget_before(now);
            }
            if refused.set.insert(hash) {
                refused.order.push_back((now, hash));
            }
            return Err(unauthorized());
        }
        Err(err) => {
            return Err(refuse(
                StatusCode::BAD_GATEWAY,
                "sonos_unreachable",
                format!("the relay could not ask Sonos which households this sign-in sees ({err}); reconnect in a moment"),
            ))
        }
    };
    streams
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
    // Every opening counts, good token or not: each may cost a call to Sonos.
    let ip = client_ip(&relay, peer, &headers);
    if let Err(wait) = relay.streams.openings.check(ip, Instant::now()) {
        return ApiError::RateLimited {
            retry_after: wait.as_secs().max(1),
        }
        .into_response();
    }
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
    let slot = match relay.streams.open(&relay.hub.limits, hash, ip) {
        Ok(slot) => slot,
        Err(why) => return refuse(StatusCode::TOO_MANY_REQUESTS, "too_many_streams", why),
    };
    if let Some(redis) = &relay.hub.redis {
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
    let (tx, rx) = mpsc::channel::<Item>(relay.hub.limits.stream_buffer);
    for household in households.iter() {
        let mut events = relay.hub.subscribe(household);
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
                    counts.hub.counts.cut_off.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                if last {
                    counts.hub.counts.cut_off.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
        });
    }
    tokio::spawn(recheck(
        relay.clone(),
        token.to_owned(),
        hash,
        households.clone(),
        tx,
    ));
    let opened = SseEvent::default()
        .event(frame::READY)
        .json_data(Opened {
            households: households.iter().cloned().collect(),
        })
        .expect("JSON");
    let events = futures_util::stream::once(async move { Ok::<_, Infallible>(opened) }).chain(
        futures_util::stream::unfold((rx, slot, false), |(mut rx, slot, done)| async move {
            if done {
                return None;
            }
            let sse = match rx.recv().await? {
                // Never reached by the relay's own events (see `StreamEvent::is_clean`); a
                // field that would break the stream must not panic the stream's task.
                Item::Event(event) if !event.is_clean() => {
                    (SseEvent::default().comment("dropped"), false)
                }
                Item::Event(event) => (
                    SseEvent::default()
                        .event(frame::SONOS)
                        .id(event.seq_id.clone())
                        .json_data(&*event)
                        .expect("JSON"),
                    false,
                ),
                Item::CutOff(reason) => (
                    SseEvent::default()
                        .event(frame::CUTOFF)
                        .json_data(CutOff {
                            reason: reason.to_string(),
                        })
                        .expect("JSON"),
                    true,
                ),
            };
            Some((Ok::<_, Infallible>(sse.0), (rx, slot, sse.1)))
        }),
    );
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(relay.hub.limits.heartbeat))
        .into_response();
    // nginx (and proxies that follow its convention) would otherwise hold events back to
    // fill its buffers: an event must reach the app when it happens.
    response.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::EventLimits;

    #[test]
    fn streams_are_limited_per_token_and_per_address_and_given_back() {
        let limits = EventLimits {
            streams_per_token: 2,
            streams_per_ip: 3,
            ..EventLimits::default()
        };
        let streams = Streams::new(&limits);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let (a, b) = ([1; 32], [2; 32]);
        let first = streams.open(&limits, a, ip).unwrap();
        let _second = streams.open(&limits, a, ip).unwrap();
        assert_eq!(
            streams.open(&limits, a, ip).unwrap_err(),
            "too many event streams for this sign-in"
        );
        let _third = streams.open(&limits, b, ip).unwrap();
        assert_eq!(
            streams.open(&limits, b, ip).unwrap_err(),
            "too many event streams from this address"
        );
        assert_eq!(streams.open_streams(), 3);
        drop(first);
        assert_eq!(streams.open_streams(), 2);
        let _again = streams
            .open(&limits, a, "192.0.2.2".parse().unwrap())
            .unwrap();
    }

    #[test]
    fn open_streams_count_ipv6_per_64() {
        let limits = EventLimits {
            streams_per_ip: 1,
            ..EventLimits::default()
        };
        let streams = Streams::new(&limits);
        let _first = streams
            .open(&limits, [1; 32], "2001:db8:1:2::1".parse().unwrap())
            .unwrap();
        assert_eq!(
            streams
                .open(&limits, [2; 32], "2001:db8:1:2:ffff::9".parse().unwrap())
                .unwrap_err(),
            "too many event streams from this address",
            "another address of the same /64"
        );
        let _other = streams
            .open(&limits, [3; 32], "2001:db8:1:3::1".parse().unwrap())
            .unwrap();
    }
}
