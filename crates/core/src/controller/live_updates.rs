//! The controller's side of live updates ([`crate::updates`]): following the relay's
//! stream, applying what an event says, polling without a stream, and keeping the
//! subscriptions in line with what is in view.

use super::Controller;
use crate::chime;
use crate::error::{CoreError, Result};
use crate::session::SessionState;
use crate::updates::{
    backoff, subscribe, unsubscribe, wanted, Order, PollEvery, Sequences, Subscription, RENEW_AFTER,
};
use rand::Rng;
use roomtone_sonos::events::Namespace;
use roomtone_sonos::models::AudioClipStatus;
use roomtone_sonos::stream::{Frame, SseParser, StreamEvent};
use roomtone_sonos::{Client, Secret, TokenSource};
use std::sync::Arc;
use std::time::Instant;

impl Controller {
    /// Whether someone watches the household (the window is shown): polling without a
    /// stream is frequent then, and rare otherwise.
    pub fn set_watching(&self, watching: bool) {
        self.updates()
            .watching
            .send_if_modified(|w| std::mem::replace(w, watching) != watching);
    }

    /// How often to poll without a stream (tests shorten it).
    pub fn poll_every(&self, every: PollEvery) {
        *self.updates().poll_every.lock().expect("poll lock") = every;
    }

    /// Whether the event stream is open.
    pub fn streaming(&self) -> bool {
        *self.updates().connected.borrow()
    }

    /// Follows Sonos's events through the relay while signed in, and keeps the
    /// subscriptions in line with the households in view; polls while there is no stream.
    /// Run it once, on a task.
    pub async fn follow_events(self: Arc<Self>) {
        let poller = tokio::spawn(self.clone().poll_without_stream());
        let Some(url) = self.updates().relay.clone() else {
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
            self.updates()
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
            .updates()
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
                        self.updates().connected.send_replace(true);
                        // Whatever happened while disconnected: read it all, then subscribe
                        // (on the reader's task: this one goes on taking events, and notices
                        // at once when the stream drops).
                        self.updates().wanted.notify_one();
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
                            self.updates().wanted.notify_one();
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
            (Namespace::AudioClip, "audioClipStatus") => body::<AudioClipStatus>(event)
                .is_some_and(|status| {
                    self.update(|held| {
                        chime::apply_status(&mut held.truth.chimes, target, &status.audio_clips)
                    });
                    true
                }),
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
        let events = self.updates();
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
            self.updates().wanted.notified().await;
            if self.refresh().await.is_ok() {
                self.subscribe_in_view().await;
            }
        }
    }

    /// After signing out: ends every subscription made (Sonos would keep sending events to
    /// the relay for days), with the token they were made with. Best effort.
    async fn unsubscribe_all(&self) {
        let made: Vec<Subscription> = {
            let mut made = self.updates().subscriptions.0.lock().await;
            made.drain().map(|(key, _)| key).collect()
        };
        let token = self.updates().last_token.lock().expect("token lock").take();
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
            *self.updates().last_token.lock().expect("token lock") = Some(token);
        }
        let want = wanted(&self.live().households);
        let mut made = self.updates().subscriptions.0.lock().await;
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
