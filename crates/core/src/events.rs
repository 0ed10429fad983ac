//! Live updates from Sonos: the relay's event stream (`GET /events/stream`, Server-Sent
//! Events), the Control API subscriptions that make Sonos send the events, and what the
//! controller does with them.
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

use crate::controller::Controller;
use crate::error::{CoreError, Result};
use crate::session::SessionState;
use rand::Rng;
use roomtone_sonos::events::Namespace;
use roomtone_sonos::stream::{Frame, SseParser, StreamEvent};
use roomtone_sonos::{AccessToken, Client, GroupId, HouseholdId, PlayerId, Secret, TokenSource};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How long a subscription is kept before it is renewed (Sonos keeps them 3 days).
const RENEW_AFTER: Duration = Duration::from_secs(24 * 3600);
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
type Subscription = (Namespace, String);

/// The subscriptions made, with when.
#[derive(Debug, Default)]
pub struct Subscriptions(tokio::sync::Mutex<HashMap<Subscription, Instant>>);

/// The event side of a controller: the relay URL, a reader of events, the subscriptions.
#[derive(Debug)]
pub struct Events {
    relay: Option<url::Url>,
    http: reqwest::Client,
    subscriptions: Subscriptions,
    /// A read is wanted (events arrived).
    wanted: Notify,
    /// The stream is open.
    connected: tokio::sync::watch::Sender<bool>,
    /// Someone watches (the window is shown).
    watching: tokio::sync::watch::Sender<bool>,
    /// The group on screen.
    focus: tokio::sync::watch::Sender<Option<String>>,
    /// The access token the subscriptions were last made with: after signing out, the
    /// session has forgotten its tokens, and this one ends the subscriptions.
    last_token: std::sync::Mutex<Option<AccessToken>>,
    poll_every: std::sync::Mutex<PollEvery>,
}

impl Events {
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
impl Events {
    /// The group on screen, polled often without a stream (the others rarely).
    pub(crate) fn set_focus(&self, group: Option<&str>) {
        self.focus.send_if_modified(|focus| {
            let changed = focus.as_deref() != group;
            *focus = group.map(str::to_owned);
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
            all.push((namespace, h.id.clone()));
        }
        for g in &h.groups {
            for namespace in [
                Namespace::Playback,
                Namespace::PlaybackMetadata,
                Namespace::GroupVolume,
            ] {
                all.push((namespace, g.id.clone()));
            }
            for r in &g.rooms {
                all.push((Namespace::PlayerVolume, r.id.clone()));
            }
        }
    }
    all
}

impl Controller {
    /// Whether someone watches the household (the window is shown): polling without a
    /// stream is frequent then, and rare otherwise.
    pub fn set_watching(&self, watching: bool) {
        self.events()
            .watching
            .send_if_modified(|w| std::mem::replace(w, watching) != watching);
    }

    /// How often to poll without a stream (tests shorten it).
    pub fn poll_every(&self, every: PollEvery) {
        *self.events().poll_every.lock().expect("poll lock") = every;
    }

    /// Whether the event stream is open.
    pub fn streaming(&self) -> bool {
        *self.events().connected.borrow()
    }

    /// Follows Sonos's events through the relay while signed in, and keeps the
    /// subscriptions in line with the households in view; polls while there is no stream.
    /// Run it once, on a task.
    pub async fn follow_events(self: Arc<Self>) {
        let poller = tokio::spawn(self.clone().poll_without_stream());
        let Some(url) = self.events().relay.clone() else {
            // Direct mode: no relay, no stream; the poller does it all.
            let _ = poller.await;
            return;
        };
        let reader = tokio::spawn(self.clone().read_when_wanted());
        let mut session = self.tokens().watch();
        let mut failures = 0u32;
        loop {
            while !matches!(*session.borrow_and_update(), SessionState::SignedIn { .. }) {
                self.unsubscribe_all().await;
                if session.changed().await.is_err() {
                    reader.abort();
                    poller.abort();
                    return;
                }
            }
            let outcome = tokio::select! {
                outcome = self.stream_once(&url, &mut failures) => outcome,
                _ = session.changed() => Ok(()),
            };
            self.events()
                .connected
                .send_if_modified(|c| std::mem::replace(c, false));
            if let Err(err) = outcome {
                tracing::info!(error = %err, failures, "the event stream ended; reconnecting");
            }
            failures = failures.saturating_add(1);
            let delay = backoff(failures - 1, rand::thread_rng().gen());
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                _ = session.changed() => {}
            }
        }
    }

    /// One connection: open, subscribe and read everything again, then take events.
    async fn stream_once(&self, url: &url::Url, failures: &mut u32) -> Result<()> {
        let session = self.tokens();
        let token = session
            .access_token()
            .await
            .map_err(crate::session::from_sonos)?;
        let mut response = self
            .events()
            .http
            .get(url.clone())
            .bearer_auth(token.expose())
            .header("accept", "text/event-stream")
            .send()
            .await
            .map_err(|e| CoreError::Local(format!("the relay's event stream: {e}")))?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            // A token the relay (Sonos) no longer takes: refresh it for the next attempt.
            let _ = session.refresh_after_unauthorized(&token).await;
            return Err(CoreError::Local(
                "the relay refused the access token".into(),
            ));
        }
        if !response.status().is_success() {
            return Err(CoreError::Local(format!(
                "the relay's event stream answered {}",
                response.status()
            )));
        }
        let mut parser = SseParser::default();
        let mut sequences = Sequences::default();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| CoreError::Local(format!("the event stream dropped: {e}")))?
        {
            for frame in parser.frames(&chunk) {
                match frame {
                    Frame::Ready => {
                        *failures = 0;
                        self.events().connected.send_replace(true);
                        // Whatever happened while disconnected: read it all, then subscribe
                        // (on the reader's task: this one goes on taking events, and notices
                        // at once when the stream drops).
                        self.events().wanted.notify_one();
                    }
                    Frame::Event(event) => {
                        let read = match sequences.follow(&event) {
                            Order::Repeat => false,
                            Order::Late => true,
                            Order::Gap => {
                                tracing::info!(namespace = %event.namespace, "events were missed; reading again");
                                self.apply_event(&event);
                                true
                            }
                            // A read under way may have asked Sonos before this change
                            // and would publish the older state: read once more after it.
                            Order::InOrder => !self.apply_event(&event) || self.reading(),
                        };
                        if read {
                            self.events().wanted.notify_one();
                        }
                    }
                    Frame::CutOff(reason) => return Err(CoreError::Local(reason)),
                    Frame::Other => {}
                }
            }
        }
        Err(CoreError::Local("the relay closed the event stream".into()))
    }

    /// Applies an event that says all there is to know about its target; false when the
    /// household must be read instead.
    pub(crate) fn apply_event(&self, event: &StreamEvent) -> bool {
        fn body<T: serde::de::DeserializeOwned>(event: &StreamEvent) -> Option<T> {
            T::deserialize(&event.body).ok()
        }
        let target = event.target_value.as_str();
        match (&event.namespace, event.event_type.as_str()) {
            (Namespace::Playback, "playbackStatus") => body(event).is_some_and(|status| {
                let now = self.now_millis();
                self.publish_group(target, |g| g.apply_playback(&status, now))
            }),
            (Namespace::PlaybackMetadata, "metadataStatus") => {
                body(event).is_some_and(|metadata| {
                    self.publish_group(target, |g| g.apply_metadata(&metadata))
                })
            }
            (Namespace::GroupVolume, "groupVolume") => body(event)
                .is_some_and(|volume| self.publish_group(target, |g| g.apply_volume(&volume))),
            (Namespace::PlayerVolume, "playerVolume") => body(event)
                .is_some_and(|volume| self.publish_room(target, |r| r.apply_volume(&volume))),
            (Namespace::Favorites | Namespace::Playlists, _) => {
                self.publish(|live| live.library_changes = live.library_changes.wrapping_add(1));
                true
            }
            _ => false,
        }
    }

    /// Reads Sonos every so often while signed in without a stream (see [`PollEvery`]):
    /// while watched, the group on screen every few seconds and everything every minute;
    /// while not, everything every few minutes. A read is due its interval after the last
    /// one (or after the stream went away): other changes — a reconnect attempt, a
    /// refreshed token — never push it back.
    async fn poll_without_stream(self: Arc<Self>) {
        use tokio::time::Instant;
        let events = self.events();
        let (mut connected, mut watching, mut focus) = (
            events.connected.subscribe(),
            events.watching.subscribe(),
            events.focus.subscribe(),
        );
        let mut session = self.tokens().watch();
        let (mut last_all, mut last_focus) = (Instant::now(), Instant::now());
        loop {
            let signed_in = matches!(*session.borrow_and_update(), SessionState::SignedIn { .. });
            let streaming = *connected.borrow_and_update();
            if !signed_in || streaming {
                // Nothing to poll for until one of these changes.
                let changed = tokio::select! {
                    r = session.changed() => r.is_ok(),
                    r = connected.changed() => r.is_ok(),
                };
                if !changed {
                    return;
                }
                (last_all, last_focus) = (Instant::now(), Instant::now());
                continue;
            }
            let every = *events.poll_every.lock().expect("poll lock");
            let watched = *watching.borrow_and_update();
            let shown = focus
                .borrow_and_update()
                .clone()
                .filter(|id| watched && self.live().group(id).is_some());
            let all_due = last_all
                + match (watched, &shown) {
                    (false, _) => every.unwatched,
                    (true, None) => every.watched,
                    (true, Some(_)) => every.others,
                };
            let focus_due = shown
                .as_ref()
                .map(|_| last_focus.max(last_all) + every.watched);
            let next = focus_due.map_or(all_due, |f| f.min(all_due));
            tokio::select! {
                () = tokio::time::sleep_until(next) => {
                    match shown {
                        Some(group) if next < all_due => {
                            let _ = self.read_group(&group).await;
                            last_focus = Instant::now();
                        }
                        _ => {
                            let _ = self.refresh().await;
                            (last_all, last_focus) = (Instant::now(), Instant::now());
                        }
                    }
                }
                _ = session.changed() => {}
                _ = connected.changed() => {}
                _ = watching.changed() => {}
                _ = focus.changed() => {}
            }
        }
    }

    /// Reads Sonos again when events asked for it: one read for a burst of events; after the
    /// read, the subscriptions follow the groups (a regroup makes new group IDs).
    async fn read_when_wanted(self: Arc<Self>) {
        loop {
            self.events().wanted.notified().await;
            if self.refresh().await.is_ok() {
                self.subscribe_in_view().await;
            }
        }
    }

    /// After signing out: ends every subscription made (Sonos would keep sending events to
    /// the relay for days), with the token they were made with. Best effort.
    async fn unsubscribe_all(&self) {
        let made: Vec<Subscription> = {
            let mut made = self.events().subscriptions.0.lock().await;
            made.drain().map(|(key, _)| key).collect()
        };
        let token = self.events().last_token.lock().expect("token lock").take();
        let (Some(token), false) = (token, made.is_empty()) else {
            return;
        };
        let client = match Client::builder(Arc::new(roomtone_sonos::StaticToken::new(token)))
            .base_url(self.client().base_url().as_str())
            .build()
        {
            Ok(client) => client,
            Err(err) => return tracing::warn!(error = %err, "no client to unsubscribe with"),
        };
        for (namespace, target) in made {
            if let Err(err) = unsubscribe(&client, &namespace, &target).await {
                tracing::debug!(error = %err, %namespace, "an unsubscription failed");
            }
        }
    }

    /// Subscribes what is in view and not yet subscribed (or due for renewal); forgets
    /// subscriptions of targets that are gone (Sonos drops those itself).
    async fn subscribe_in_view(&self) {
        if let Ok(token) = self.tokens().access_token().await {
            *self.events().last_token.lock().expect("token lock") = Some(token);
        }
        let want = wanted(&self.live().households);
        let mut made = self.events().subscriptions.0.lock().await;
        made.retain(|key, _| want.contains(key));
        for (namespace, target) in want {
            let key = (namespace, target);
            let due = made.get(&key).is_none_or(|at| at.elapsed() > RENEW_AFTER);
            if !due {
                continue;
            }
            match subscribe(self.client(), &key.0, &key.1).await {
                Ok(()) => {
                    made.insert(key, Instant::now());
                }
                Err(err) => {
                    tracing::warn!(error = %err, namespace = %key.0, "a subscription failed")
                }
            }
        }
    }
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
            // Not one [`wanted`] asks for.
            other => {
                tracing::warn!(namespace = %other, "no subscription is made to this namespace");
                Ok(())
            }
        }
    };
}

async fn subscribe(
    client: &Client,
    namespace: &Namespace,
    target: &str,
) -> roomtone_sonos::Result<()> {
    on_namespace!(client, namespace, target, subscribe)
}

async fn unsubscribe(
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
