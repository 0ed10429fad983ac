//! What several relay instances share, through Redis (`--redis-url`).
//!
//! Behind one load balancer, Sonos's event callback reaches one instance while an app's
//! stream is held by another, and a broker code made by one instance may be traded at
//! another. With Redis they behave as one relay:
//! - **Events**: an instance that accepts an event publishes it on [`EVENTS_CHANNEL`]; every
//!   instance (itself included) is subscribed and hands it to its own streams. One
//!   publishing connection keeps the order events arrived in.
//! - **Duplicates**: each event's identity ([`crate::hub::event_key`]) is a `SET NX` key
//!   that expires, so a Sonos retry that lands on another instance is still dropped.
//! - **Used broker codes**: `SET NX` keys that expire with the code.
//!
//! **The bus is authenticated.** Anyone who can reach Redis could otherwise `PUBLISH` an
//! event into any household's streams. Every message is `v1.<hex HMAC-SHA256>.<json>`,
//! keyed by [`bus_key`] (derived from the seal key every instance already shares, so no new
//! secret to deploy); a message without a valid MAC is dropped and counted
//! (`unauthenticated`), and one whose fields could break a Server-Sent Event (CR, LF, NUL,
//! overlong) is dropped and counted (`invalid`) before it reaches any stream. Redis AUTH
//! comes with the URL (`redis://:password@host/`). `rediss://` (TLS) is not built in: the
//! redis crate's TLS features bring another TLS stack and certificate store into the build;
//! keep Redis on a private network.
//!
//! When Redis cannot be reached the relay says so rather than pretending: new event
//! streams are refused with 503 and open ones are cut off with the reason (the app polls
//! and reconnects), a broker code is refused with 503 (try again) rather than risking a
//! second use, and an event is still delivered to this instance's own streams. Everything
//! comes back by itself when Redis does.
//!
//! Without `--redis-url` all of this stays in the process's memory ([`crate::events`],
//! [`crate::seal::UsedCodes`]).

use roomtone_sonos::stream::StreamEvent;

/// Where the bus hands what it receives: this instance's streams
/// ([`crate::hub::Hub`]). The bus knows nothing else of them.
pub(crate) trait Streams: Send + Sync {
    /// An event for every stream of its household.
    fn deliver_event(&self, event: Arc<StreamEvent>);
    /// Ends every stream, saying why.
    fn cut_all(&self, reason: &str);
}
use futures_util::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::sync::{mpsc, oneshot, watch, OnceCell};

/// The pub/sub channel events travel on between instances.
pub const EVENTS_CHANNEL: &str = "roomtone:events";
const SEEN_PREFIX: &str = "roomtone:seen:";
const USED_PREFIX: &str = "roomtone:used:";

/// How long one Redis command may take before the relay stops waiting.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(500);
/// Events waiting to be published before new ones skip Redis (delivered here only).
const OUTBOX: usize = 4096;
/// How long a new stream waits for the subscription to Redis to be up.
const SUBSCRIBED_WAIT: Duration = Duration::from_secs(2);

/// What the bus key is derived for (a new version gets a new key).
const BUS_CONTEXT: &[u8] = b"roomtone bus v1";

/// HMAC-SHA256 (RFC 2104) with the `sha2` the relay already has.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The key bus messages are authenticated with: HMAC(seal key, "roomtone bus v1"). Every
/// instance of one relay shares the seal key (`--seal-key-file`), so they share this key;
/// knowing it says nothing about the seal key.
pub fn bus_key(seal_key: &[u8; 32]) -> [u8; 32] {
    hmac_sha256(seal_key, BUS_CONTEXT)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A bus message carrying `payload`, authenticated with `key` ([`bus_key`]).
pub fn sign(key: &[u8; 32], payload: &str) -> String {
    format!(
        "v1.{}.{payload}",
        hex(&hmac_sha256(key, payload.as_bytes()))
    )
}

/// The payload of `message` if its MAC is right (compared in constant time).
fn verified<'m>(key: &[u8; 32], message: &'m [u8]) -> Option<&'m [u8]> {
    let rest = message.strip_prefix(b"v1.")?;
    let (mac, payload) = (rest.get(..64)?, rest.get(64..)?.strip_prefix(b".")?);
    let expected = hex(&hmac_sha256(key, payload));
    bool::from(mac.ct_eq(expected.as_bytes())).then_some(payload)
}

/// Counters of `GET /events/stats` → `bus`.
#[derive(Debug, Default)]
pub struct BusCounts {
    /// Events published to Redis.
    pub published: AtomicU64,
    /// Events received from Redis (from any instance, this one included).
    pub received: AtomicU64,
    /// Redis commands that failed or timed out.
    pub errors: AtomicU64,
    /// Times the subscription was lost.
    pub disconnects: AtomicU64,
    /// Messages on the channel without a valid MAC, dropped.
    pub unauthenticated: AtomicU64,
    /// Authenticated messages that were not a well-formed event, dropped.
    pub invalid: AtomicU64,
}

/// Redis could not be reached (or did not answer in time).
#[derive(Debug, thiserror::Error)]
#[error("the relay's Redis is unavailable ({0})")]
pub struct Unavailable(String);

/// The connection for commands (`SET`, `PUBLISH`): made on first use, then reconnecting
/// by itself.
#[derive(Debug)]
struct Commands {
    client: redis::Client,
    connection: OnceCell<ConnectionManager>,
}

impl Commands {
    async fn connection(&self) -> Result<ConnectionManager, Unavailable> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(1));
        self.connection
            .get_or_try_init(|| async {
                ConnectionManager::new_with_config(self.client.clone(), config)
                    .await
                    .map_err(|e| Unavailable(e.to_string()))
            })
            .await
            .cloned()
    }

    /// Runs `cmd`, connecting first if need be, all within [`COMMAND_TIMEOUT`]: the webhook
    /// waits on this (Sonos gives it 1 s), and making the connection — with the connection
    /// manager's own retries — must not take longer than a command would.
    async fn query<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Result<T, Unavailable> {
        let run = async {
            let mut connection = self.connection().await?;
            cmd.query_async(&mut connection)
                .await
                .map_err(|e| Unavailable(e.to_string()))
        };
        tokio::time::timeout(COMMAND_TIMEOUT, run)
            .await
            .unwrap_or_else(|_| Err(Unavailable("no answer in time".into())))
    }

    /// `SET key 1 NX EX ttl`: whether the key was new.
    async fn set_new(&self, key: String, ttl: Duration) -> Result<bool, Unavailable> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key)
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(ttl.as_secs().max(1));
        Ok(self.query::<Option<String>>(cmd).await?.is_some())
    }
}

/// A relay instance's link to the others. Dropped with its [`Hub`](crate::hub::Hub), which ends its tasks.
#[derive(Debug)]
pub struct Redis {
    commands: Arc<Commands>,
    outbox: mpsc::Sender<Arc<StreamEvent>>,
    subscribed: watch::Receiver<bool>,
    pub counts: Arc<BusCounts>,
    _stop: oneshot::Sender<()>,
}

impl Redis {
    /// Starts the subscriber and the publisher for `events`. Needs a Tokio runtime.
    pub(crate) fn start(client: redis::Client, key: [u8; 32], events: Weak<dyn Streams>) -> Self {
        let commands = Arc::new(Commands {
            client: client.clone(),
            connection: OnceCell::new(),
        });
        let counts = Arc::new(BusCounts::default());
        let (outbox, queued) = mpsc::channel(OUTBOX);
        let (subscribed_tx, subscribed) = watch::channel(false);
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(subscribe(
            client,
            key,
            events.clone(),
            subscribed_tx,
            counts.clone(),
            stopped,
        ));
        tokio::spawn(publish(
            commands.clone(),
            key,
            queued,
            events,
            counts.clone(),
        ));
        Self {
            commands,
            outbox,
            subscribed,
            counts,
            _stop: stop,
        }
    }

    /// Whether this instance currently receives the other instances' events.
    pub fn subscribed(&self) -> bool {
        *self.subscribed.borrow()
    }

    /// Waits a little for the subscription (a relay just started, or Redis just back).
    pub(crate) async fn wait_subscribed(&self) -> bool {
        let mut subscribed = self.subscribed.clone();
        tokio::time::timeout(SUBSCRIBED_WAIT, subscribed.wait_for(|up| *up))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Queues `event` for every instance. `Err` gives it back when it cannot go through
    /// Redis now, for this instance to deliver itself.
    pub(crate) fn send(&self, event: Arc<StreamEvent>) -> Result<(), Arc<StreamEvent>> {
        if !self.subscribed() {
            return Err(event);
        }
        self.outbox.try_send(event).map_err(|e| match e {
            mpsc::error::TrySendError::Full(event) | mpsc::error::TrySendError::Closed(event) => {
                event
            }
        })
    }

    /// Whether the event `key` ([`crate::hub::event_key`]) is seen for the first time by
    /// any instance. An event whose check fails counts as new: a duplicate costs the app
    /// nothing (it follows sequence IDs), a drop costs a change.
    pub(crate) async fn first_time(&self, key: [u8; 32], ttl: Duration) -> bool {
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        let key = format!("{SEEN_PREFIX}{hex}");
        match self.commands.set_new(key, ttl).await {
            Ok(new) => new,
            Err(e) => {
                self.counts.errors.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %e, "duplicate check through Redis failed; the event is passed on");
                true
            }
        }
    }

    /// Makes the broker code `id` usable again (its trade failed on Sonos's side). If Redis
    /// does not take it, the code stays spent: the safe way round.
    pub(crate) async fn release_code(&self, id: &str) {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(format!("{USED_PREFIX}{id}"));
        if let Err(e) = self.commands.query::<i64>(cmd).await {
            self.counts.errors.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(error = %e, "cannot release a broker code in Redis; it stays spent");
        }
    }

    /// Marks the broker code `id` used until `ttl` from now; whether it was new.
    pub(crate) async fn take_code(&self, id: &str, ttl: Duration) -> Result<bool, Unavailable> {
        self.commands
            .set_new(format!("{USED_PREFIX}{id}"), ttl)
            .await
            .inspect_err(|e| {
                self.counts.errors.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %e, "cannot check a broker code in Redis");
            })
    }
}

/// Publishes queued events in order; what Redis does not take is delivered here.
async fn publish(
    commands: Arc<Commands>,
    key: [u8; 32],
    mut queued: mpsc::Receiver<Arc<StreamEvent>>,
    events: Weak<dyn Streams>,
    counts: Arc<BusCounts>,
) {
    while let Some(event) = queued.recv().await {
        let payload = serde_json::to_string(&*event).expect("an event is JSON");
        let mut cmd = redis::cmd("PUBLISH");
        cmd.arg(EVENTS_CHANNEL).arg(sign(&key, &payload));
        match commands.query::<i64>(cmd).await {
            Ok(_) => {
                counts.published.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                counts.errors.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %e, "an event could not go through Redis; delivered by this instance only");
                let Some(events) = events.upgrade() else {
                    return;
                };
                events.deliver_event(event);
            }
        }
    }
}

/// Holds the subscription to [`EVENTS_CHANNEL`], handing what arrives to this instance's
/// streams; when it is lost, the streams are cut off (they missed events) and it is made
/// again with backoff.
async fn subscribe(
    client: redis::Client,
    key: [u8; 32],
    events: Weak<dyn Streams>,
    subscribed: watch::Sender<bool>,
    counts: Arc<BusCounts>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut delay = Duration::from_millis(100);
    loop {
        let attempt = async {
            let mut pubsub = tokio::time::timeout(COMMAND_TIMEOUT, client.get_async_pubsub())
                .await
                .map_err(|_| "no answer in time".to_owned())?
                .map_err(|e| e.to_string())?;
            pubsub
                .subscribe(EVENTS_CHANNEL)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(pubsub)
        };
        let pubsub = tokio::select! {
            pubsub = attempt => pubsub,
            _ = &mut stop => return,
        };
        match pubsub {
            Ok(pubsub) => {
                delay = Duration::from_millis(100);
                subscribed.send_replace(true);
                tracing::info!("subscribed to events through Redis");
                let mut messages = pubsub.into_on_message();
                loop {
                    let message = tokio::select! {
                        message = messages.next() => message,
                        _ = &mut stop => return,
                    };
                    let Some(message) = message else { break };
                    let Some(events) = events.upgrade() else {
                        return;
                    };
                    counts.received.fetch_add(1, Ordering::Relaxed);
                    let Some(payload) = verified(&key, message.get_payload_bytes()) else {
                        counts.unauthenticated.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!("a message without a valid MAC on the events channel was dropped (is someone else publishing there?)");
                        continue;
                    };
                    match serde_json::from_slice::<StreamEvent>(payload) {
                        Ok(event) if event.is_clean() => {
                            events.deliver_event(Arc::new(event));
                        }
                        Ok(_) => {
                            counts.invalid.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(
                                "an event with unusable fields on the events channel was dropped"
                            );
                        }
                        Err(e) => {
                            counts.invalid.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(error = %e, "an unreadable message on the events channel was dropped")
                        }
                    }
                }
                subscribed.send_replace(false);
                counts.disconnects.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    "lost the Redis subscription; event streams are cut off until it is back"
                );
                let Some(events) = events.upgrade() else {
                    return;
                };
                events.cut_all(
                    "the relay lost its link to the other relay instances; reconnect and read the state again",
                );
            }
            Err(e) => {
                counts.errors.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "cannot subscribe to events through Redis");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = &mut stop => return,
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // RFC 4231, test cases 2 and 6 (a key longer than the block).
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn only_messages_signed_with_the_key_open() {
        let key = bus_key(&[7; 32]);
        let message = sign(&key, r#"{"a":1}"#);
        assert_eq!(verified(&key, message.as_bytes()), Some(&br#"{"a":1}"#[..]));
        assert_eq!(verified(&bus_key(&[8; 32]), message.as_bytes()), None);
        let altered = message.replace("1}", "2}");
        assert_eq!(verified(&key, altered.as_bytes()), None);
        for junk in ["", "v1.", r#"{"a":1}"#, "v1.zz.{}", &message[..70]] {
            assert_eq!(verified(&key, junk.as_bytes()), None, "{junk}");
        }
    }
}
