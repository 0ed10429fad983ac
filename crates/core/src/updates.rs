//! Live updates from Sonos: the relay's event stream (`GET /events/stream`, Server-Sent
//! Events), the Control API subscriptions that make Sonos send the events, and what the
//! controller does with them (the rules here; the controller follows them in its
//! `live_updates` module).
//!
//! - One stream to the relay while signed in, authenticated with the current access token;
//!   reconnected with exponential backoff and jitter after a failure, a cut-off or a relay
//!   restart.
//! - On connecting, and whenever the groups change, the subscriptions are brought in line
//!   with what is in view: `groups`, `favorites` and `playlists` per household; `playback`,
//!   `playbackMetadata` and `groupVolume` per group; `playerVolume` per player. Each is
//!   renewed a day after it was made (Sonos keeps them 3 days); a regroup's new group IDs
//!   are subscribed as they appear.
//! - An event that carries the whole new state of what it is about (`playbackStatus`,
//!   `metadataStatus`, `groupVolume`, `playerVolume`) is applied to the live state and
//!   published, the same path a read takes, with no request to Sonos. Anything else (a
//!   regroup, an error, a target not in view, a body not understood) reads the household
//!   back (reads coalesced: a burst of events is one read). `favorites` and `playlists`
//!   events tell the windows to read their library again.
//! - Sequence IDs are followed per subscription (namespace and target): a repeat is
//!   ignored; an event older than one already applied (events reordered on the way) is
//!   not applied, the household is read instead; a gap (events lost) is applied and the
//!   household read again. A reconnect reads everything again.
//! - Without a stream (direct mode, or while the relay cannot be reached) the controller
//!   polls instead: while someone watches (the window is shown), the group on screen every
//!   few seconds and everything every minute; while nobody does, everything every few
//!   minutes; it stops as soon as the stream is back.

use crate::error::{CoreError, Result};
use roomtone_sonos::events::Namespace;
use roomtone_sonos::stream::StreamEvent;
use roomtone_sonos::{AccessToken, Client, GroupId, HouseholdId, PlayerId};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How long a subscription is kept before it is renewed (Sonos keeps them 3 days).
pub(crate) const RENEW_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Reconnection delays: from the first to the longest, doubled each failure, with jitter.
const BACKOFF_FIRST: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(60);

/// Where an event stands in its subscription's sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The next one, the first one seen, or an ID that is not a number (REFERENCE §6.5:
    /// the format is undocumented, so no judgement).
    InOrder,
    /// The same ID again.
    Repeat,
    /// Older than one already seen: it came late.
    Late,
    /// Events before it were missed.
    Gap,
}

/// The last sequence ID per subscription (namespace and target).
#[derive(Debug, Default)]
pub struct Sequences(HashMap<(Namespace, String), u64>);

impl Sequences {
    /// Follows `event`: where it stands. A late event becomes the last seen (a subscription
    /// made again may count from the start).
    pub fn follow(&mut self, event: &StreamEvent) -> Order {
        let Ok(seq) = event.seq_id.parse::<u64>() else {
            return Order::InOrder;
        };
        let key = (event.namespace.clone(), event.target_value.clone());
        match self.0.insert(key, seq) {
            None => Order::InOrder,
            Some(last) if seq == last => Order::Repeat,
            Some(last) if seq < last => Order::Late,
            Some(last) if seq > last + 1 => Order::Gap,
            Some(_) => Order::InOrder,
        }
    }
}

/// The delay before reconnecting after `failures` failures in a row: doubling from
/// [`BACKOFF_FIRST`] up to [`BACKOFF_MAX`], then a random half to whole of it.
pub fn backoff(failures: u32, jitter: f64) -> Duration {
    let full = BACKOFF_FIRST
        .saturating_mul(1u32 << failures.min(16))
        .min(BACKOFF_MAX);
    full.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// How often to read Sonos without a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollEvery {
    /// While watched: the group on screen (or, with none, everything).
    pub watched: Duration,
    /// While watched: everything else (the other groups, regroups).
    pub others: Duration,
    /// While nobody watches: everything.
    pub unwatched: Duration,
}

impl Default for PollEvery {
    fn default() -> Self {
        Self {
            watched: Duration::from_secs(5),
            others: Duration::from_secs(60),
            unwatched: Duration::from_secs(300),
        }
    }
}

/// A subscription: (namespace, target).
pub type Subscription = (Namespace, String);

/// The subscriptions made, with when.
#[derive(Debug, Default)]
pub struct Subscriptions(pub(crate) tokio::sync::Mutex<HashMap<Subscription, Instant>>);

/// The event side of a controller: the relay URL, a reader of events, the subscriptions.
#[derive(Debug)]
pub struct Updates {
    pub(crate) relay: Option<url::Url>,
    pub(crate) http: reqwest::Client,
    pub(crate) subscriptions: Subscriptions,
    /// A read is wanted (events arrived).
    pub(crate) wanted: Notify,
    /// The stream is open.
    pub(crate) connected: tokio::sync::watch::Sender<bool>,
    /// Someone watches (the window is shown).
    pub(crate) watching: tokio::sync::watch::Sender<bool>,
    /// The group on screen.
    pub(crate) focus: tokio::sync::watch::Sender<Option<roomtone_sonos::GroupId>>,
    /// The access token the subscriptions were last made with: after signing out, the
    /// session has forgotten its tokens, and this one ends the subscriptions.
    pub(crate) last_token: std::sync::Mutex<Option<AccessToken>>,
    pub(crate) poll_every: std::sync::Mutex<PollEvery>,
}

impl Updates {
    /// Follows `stream` (the relay's `events/stream`, see [`crate::Config::events_stream`]);
    /// without one, the household is polled.
    pub fn new(stream: Option<url::Url>) -> Result<Self> {
        let relay = stream;
        Ok(Self {
            relay,
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .build()
                .map_err(|e| CoreError::Local(e.to_string()))?,
            subscriptions: Subscriptions::default(),
            wanted: Notify::new(),
            connected: tokio::sync::watch::channel(false).0,
            watching: tokio::sync::watch::channel(true).0,
            focus: tokio::sync::watch::channel(None).0,
            poll_every: std::sync::Mutex::new(PollEvery::default()),
            last_token: std::sync::Mutex::new(None),
        })
    }
}

/// What subscriptions the households in view need.
impl Updates {
    /// The group on screen, polled often without a stream (the others rarely).
    pub(crate) fn set_focus(&self, group: Option<&roomtone_sonos::GroupId>) {
        self.focus.send_if_modified(|focus| {
            let changed = focus.as_ref() != group;
            *focus = group.cloned();
            changed
        });
    }
}

pub fn wanted(households: &[crate::view::Household]) -> Vec<Subscription> {
    let mut all = Vec::new();
    for h in households {
        for namespace in [
            Namespace::Groups,
            Namespace::Favorites,
            Namespace::Playlists,
        ] {
            all.push((namespace, h.id.to_string()));
        }
        for g in &h.groups {
            for namespace in [
                Namespace::Playback,
                Namespace::PlaybackMetadata,
                Namespace::GroupVolume,
            ] {
                all.push((namespace, g.id.to_string()));
            }
            for r in &g.rooms {
                all.push((Namespace::PlayerVolume, r.id.to_string()));
                if r.can_chime {
                    all.push((Namespace::AudioClip, r.id.to_string()));
                }
            }
        }
    }
    all
}

/// Calls `$method` (`subscribe` or `unsubscribe`) of `$namespace`'s handler on `$target`.
macro_rules! on_namespace {
    ($client:expr, $namespace:expr, $target:expr, $method:ident) => {
        match $namespace {
            Namespace::Groups => $client.groups().$method(&HouseholdId::from($target)).await,
            Namespace::Favorites => {
                $client
                    .favorites()
                    .$method(&HouseholdId::from($target))
                    .await
            }
            Namespace::Playlists => {
                $client
                    .playlists()
                    .$method(&HouseholdId::from($target))
                    .await
            }
            Namespace::Playback => $client.playback().$method(&GroupId::from($target)).await,
            Namespace::PlaybackMetadata => {
                $client
                    .playback_metadata()
                    .$method(&GroupId::from($target))
                    .await
            }
            Namespace::GroupVolume => {
                $client
                    .group_volume()
                    .$method(&GroupId::from($target))
                    .await
            }
            Namespace::PlayerVolume => {
                $client
                    .player_volume()
                    .$method(&PlayerId::from($target))
                    .await
            }
            Namespace::AudioClip => {
                $client
                    .audio_clip()
                    .$method(&PlayerId::from($target))
                    .await
            }
            // Not one [`wanted`] asks for.
            other => {
                tracing::warn!(namespace = %other, "no subscription is made to this namespace");
                Ok(())
            }
        }
    };
}

pub(crate) async fn subscribe(
    client: &Client,
    namespace: &Namespace,
    target: &str,
) -> roomtone_sonos::Result<()> {
    on_namespace!(client, namespace, target, subscribe)
}

pub(crate) async fn unsubscribe(
    client: &Client,
    namespace: &Namespace,
    target: &str,
) -> roomtone_sonos::Result<()> {
    on_namespace!(client, namespace, target, unsubscribe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_ids_are_followed_per_subscription() {
        let event = |namespace: &str, target: &str, seq: &str| StreamEvent {
            household_id: "H".into(),
            seq_id: seq.into(),
            namespace: namespace.into(),
            event_type: String::new(),
            target_type: roomtone_sonos::events::TargetType::GroupId,
            target_value: target.into(),
            body: serde_json::Value::Null,
        };
        let mut sequences = Sequences::default();
        let mut follow = |n, t, s| sequences.follow(&event(n, t, s));
        assert_eq!(follow("playback", "G", "4"), Order::InOrder);
        assert_eq!(follow("playback", "G", "5"), Order::InOrder);
        assert_eq!(follow("playback", "G", "5"), Order::Repeat);
        assert_eq!(
            follow("playback", "F", "9"),
            Order::InOrder,
            "another target"
        );
        assert_eq!(
            follow("groupVolume", "G", "1"),
            Order::InOrder,
            "another subscription of the same target counts on its own"
        );
        assert_eq!(follow("playback", "G", "7"), Order::Gap);
        assert_eq!(follow("playback", "G", "6"), Order::Late);
        assert_eq!(
            follow("playback", "G", "7"),
            Order::InOrder,
            "after a late one, counting goes on from it"
        );
        assert_eq!(
            follow("playback", "G", "x"),
            Order::InOrder,
            "not numeric: no judgement"
        );
    }

    #[test]
    fn reconnecting_backs_off_to_a_minute_with_jitter() {
        assert_eq!(backoff(0, 1.0), Duration::from_millis(500));
        assert_eq!(backoff(0, 0.0), Duration::from_millis(250));
        assert_eq!(backoff(3, 1.0), Duration::from_secs(4));
        assert_eq!(backoff(30, 1.0), Duration::from_secs(60));
        assert_eq!(backoff(30, 0.0), Duration::from_secs(30));
    }
}
