//! The controller the app's windows and tray talk to: one object holding the session,
//! sign-in, the Control API client and the [`Live`] state they all follow.
//!
//! Every action is one Control API call; what it changed is then read back from Sonos and
//! published, so the state shown is what Sonos says, never what Roomtone hoped. A read that
//! fails after a successful action leaves the older state marked [`ReadState::Failed`].

use crate::action::{Action, Done};
use crate::chime;
use crate::config::Config;
use crate::error::{CoreError, Result};
use crate::follow::Trace;
use crate::household::{self, HouseholdRead};
use crate::live::{Live, ReadState, Refused};
use crate::pending::{self, Pending};
use crate::session::{from_sonos, Clock, Session, SessionState};
use crate::signin::{Opener, SignIn};
use crate::store::TokenStore;
use crate::view;
use roomtone_sonos::{Client, GroupId, PlayerId};
use std::sync::Arc;
use tokio::sync::{watch, Mutex};

/// Favorites, playlists and a playlist's tracks.
mod library;
/// Following the relay's stream, applying events, polling, subscriptions.
mod live_updates;
/// Reading the households and publishing what Sonos says.
mod reads;
/// A room's own settings: a home theater's options, the volume limit.
mod rooms;
/// Running the sleep timers.
mod sleep;

/// See the module documentation.
pub struct Controller {
    session: Arc<Session>,
    sign_in: Arc<SignIn>,
    client: Client,
    clock: Arc<dyn Clock>,
    /// What Sonos said, what is pending, and the groups followed; [`Controller::live`] is
    /// made from it on every change.
    held: std::sync::Mutex<Held>,
    live: watch::Sender<Live>,
    /// One read of Sonos at a time, so an older read never lands after a newer one.
    reads: Mutex<()>,
    /// The login page of the sign-in waiting for the browser.
    login_url: std::sync::Mutex<Option<url::Url>>,
    /// Live updates: the relay's event stream and the subscriptions.
    updates: crate::updates::Updates,
    /// What artwork the surfaces may load: applied to everything published.
    artwork: crate::artwork::Artwork,
    /// Where the sleep timers are kept ([`Controller::keep_sleep_timers`]).
    sleep: std::sync::OnceLock<crate::sleep::Timers>,
}

impl std::fmt::Debug for Controller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("session", &self.session)
            .field("live", &*self.live.borrow())
            .finish_non_exhaustive()
    }
}

/// The state behind [`Live`]: what Sonos said, the actions not yet answered, and the groups
/// followed across regroups (each by a [`Trace`]).
#[derive(Debug)]
struct Held {
    truth: Live,
    pending: Vec<(u64, Pending)>,
    tickets: u64,
    /// The group the window shows.
    focus: Option<Trace>,
    /// The group chosen for the quick controls (the tray's "Room" menu).
    chosen: Option<Trace>,
    /// The group the quick controls controlled last.
    last: Option<Trace>,
    /// The sleep timers.
    sleep: Vec<crate::sleep::Timer>,
}

impl Held {
    /// What every surface shows: the truth with the pending changes on it, and the groups
    /// followed found again.
    fn show(&mut self) -> Live {
        let mut shown = self.truth.clone();
        shown.pending = self.pending.iter().map(|(_, p)| p.clone()).collect();
        pending::show(&mut shown.households, &shown.pending);
        let households = &shown.households;
        let found = |trace: &mut Option<Trace>| {
            let group = trace.as_ref()?.find(households)?;
            *trace = Some(Trace::of(group));
            Some(group)
        };
        shown.focus = found(&mut self.focus).map(|g| g.id.clone());
        let chosen = found(&mut self.chosen);
        shown.chosen = chosen.map(|g| g.id.clone());
        let controlled = chosen
            .or_else(|| found(&mut self.last))
            .or_else(|| {
                households
                    .iter()
                    .flat_map(|h| &h.groups)
                    .find(|g| g.state.is_playing())
            })
            .or_else(|| households.iter().flat_map(|h| &h.groups).next());
        if let Some(group) = controlled {
            self.last = Some(Trace::of(group));
        }
        shown.controlled = controlled.map(|g| g.id.clone());
        shown.sleep = self.shown_timers(&shown.households);
        shown
    }
}

/// A trace of a group known only by its ID (not read yet): found by ID alone.
fn by_id(id: &GroupId) -> Trace {
    Trace {
        id: id.clone(),
        coordinator: PlayerId::new(""),
        rooms: Vec::new(),
    }
}

impl Controller {
    /// A controller for `config`, keeping tokens in `store`; picks up a saved sign-in.
    pub fn new(config: &Config, store: Arc<dyn TokenStore>, clock: Arc<dyn Clock>) -> Result<Self> {
        Self::build(config, store, clock, true)
    }

    /// A controller that has not looked in `store` yet, for a caller that then calls
    /// [`Controller::restore`] and treats a missing keychain as its error (the CLI, which
    /// cannot offer "this run only").
    pub fn unrestored(
        config: &Config,
        store: Arc<dyn TokenStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        Self::build(config, store, clock, false)
    }

    fn build(
        config: &Config,
        store: Arc<dyn TokenStore>,
        clock: Arc<dyn Clock>,
        restore: bool,
    ) -> Result<Self> {
        let session = Arc::new(
            Session::new(store, config.refresher()?, clock.clone()).issued_by(config.issuer()),
        );
        match restore.then(|| session.restore()) {
            None | Some(Ok(_)) => {}
            // No keychain: start signed out; signing in will offer "this run only".
            Some(Err(CoreError::KeychainUnavailable(err))) => {
                tracing::warn!(error = %err, "no keychain; starting signed out")
            }
            Some(Err(other)) => return Err(other),
        }
        let truth = Live::new(&session.state());
        let (live, _) = watch::channel(truth.clone());
        Ok(Self {
            sign_in: config.sign_in(clock.clone())?,
            client: config.client(session.clone())?,
            clock,
            session,
            held: std::sync::Mutex::new(Held {
                truth,
                pending: Vec::new(),
                tickets: 0,
                focus: None,
                chosen: None,
                last: None,
                sleep: Vec::new(),
            }),
            live,
            reads: Mutex::new(()),
            login_url: std::sync::Mutex::new(None),
            updates: crate::updates::Updates::new(config.events_stream()?)?,
            artwork: crate::artwork::Artwork::for_control_url(&config.control_url),
            sleep: std::sync::OnceLock::new(),
        })
    }

    /// Keeps [`Live`] in step with the session until the controller is dropped: reads the
    /// households when signed in, forgets them when signed out. Run it once, on a task.
    pub async fn follow_session(self: Arc<Self>) {
        let mut changes = self.session.watch();
        let mut current = changes.borrow_and_update().clone();
        loop {
            let signed_in = matches!(current, SessionState::SignedIn { .. });
            self.publish(|live| {
                live.session = (&current).into();
                if !signed_in {
                    live.households.clear();
                    live.sync = ReadState::Idle;
                }
            });
            if signed_in {
                // Failures are in Live; nothing else to do with them here.
                let _ = self.refresh().await;
            }
            if changes.changed().await.is_err() {
                return;
            }
            let next = changes.borrow_and_update().clone();
            // A refresh that rotated tokens is not news; a change of session is.
            if next == current {
                continue;
            }
            current = next;
        }
    }

    /// Shows `households` — what Sonos said last time, kept by the app — until the first
    /// read answers. Only while signed in and before anything was read; otherwise ignored.
    pub fn seed(&self, households: Vec<view::Household>) {
        if !matches!(self.session.state(), SessionState::SignedIn { .. }) {
            return;
        }
        self.update(|held| {
            let live = &mut held.truth;
            if live.sync == ReadState::Ready || !live.households.is_empty() {
                return false;
            }
            live.households = households;
            live.sync = ReadState::Loading;
            true
        });
    }

    pub(crate) fn updates(&self) -> &crate::updates::Updates {
        &self.updates
    }

    pub(crate) fn tokens(&self) -> &Arc<Session> {
        &self.session
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Follows [`Live`]: the current value, then every change.
    pub fn watch(&self) -> watch::Receiver<Live> {
        self.live.subscribe()
    }

    /// The current [`Live`].
    pub fn live(&self) -> Live {
        self.live.borrow().clone()
    }

    /// Now, in milliseconds since the Unix epoch, by the controller's clock: when a position
    /// was read ([`view::Position`]).
    pub fn now_millis(&self) -> u64 {
        let since = self.clock.now().duration_since(std::time::UNIX_EPOCH);
        since.map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    /// Changes what is held; when `change` says it changed something, publishes what every
    /// surface shows, with a new revision.
    fn update(&self, change: impl FnOnce(&mut Held) -> bool) -> bool {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if !change(&mut held) {
            return false;
        }
        held.truth.revision = held.truth.revision.wrapping_add(1);
        self.artwork.clean(&mut held.truth);
        let shown = held.show();
        self.live.send_replace(shown);
        true
    }

    pub(crate) fn publish(&self, change: impl FnOnce(&mut Live)) {
        self.update(|held| {
            change(&mut held.truth);
            true
        });
    }

    /// Whether a read of Sonos is under way (its answer may predate what just happened).
    pub(crate) fn reading(&self) -> bool {
        self.reads.try_lock().is_err()
    }

    /// Publishes `change` to the group with ID `id`; false (and nothing published) when no
    /// such group is known.
    pub(crate) fn publish_group(&self, id: &str, change: impl FnOnce(&mut view::Group)) -> bool {
        self.update(|held| {
            let Some(group) = held
                .truth
                .households
                .iter_mut()
                .flat_map(|h| &mut h.groups)
                .find(|g| g.id == id)
            else {
                return false;
            };
            change(group);
            true
        })
    }

    /// Publishes `change` to the room with ID `id` (in every group showing it).
    pub(crate) fn publish_room(&self, id: &str, change: impl Fn(&mut view::Room)) -> bool {
        self.update(|held| {
            let mut found = false;
            for room in held
                .truth
                .households
                .iter_mut()
                .flat_map(|h| &mut h.groups)
                .flat_map(|g| &mut g.rooms)
                .filter(|r| r.id == id)
            {
                change(room);
                found = true;
            }
            found
        })
    }

    fn publish_failure(&self, err: &CoreError) {
        self.publish(|live| {
            live.sync = ReadState::Failed {
                kind: err.kind(),
                offline: err.kind().is_offline(),
                message: err.to_string(),
            }
        });
    }

    /// The group the window shows (`None`: none): followed across regroups, it is
    /// [`Live::focus`]; without an event stream it is also read more often.
    pub fn set_focus(&self, group: Option<&GroupId>) {
        self.update(|held| {
            let trace = group.map(|id| match held.truth.group(id) {
                Some(g) => Trace::of(g),
                None => by_id(id),
            });
            let changed = held.focus.as_ref().map(|t| &t.id) != trace.as_ref().map(|t| &t.id);
            held.focus = trace;
            changed
        });
        self.updates.set_focus(group);
    }

    /// The group chosen for the tray, the hotkeys and the media session (`None`: the one
    /// controlled last, else the one playing). Followed across regroups as [`Live::chosen`]:
    /// an app that keeps the choice saves that when it changes.
    pub fn set_chosen(&self, group: Option<&GroupId>) {
        self.update(|held| {
            let changed = held.chosen.as_ref().map(|t| &t.id) != group;
            held.chosen = group.map(|id| match held.truth.group(id) {
                Some(g) => Trace::of(g),
                None => by_id(id),
            });
            changed
        });
    }

    /// Reads the saved sign-in again from the store: `Ok(false)` when there is none (or it
    /// is for another service). Unlike [`Controller::new`], an unavailable keychain is an
    /// error here, for callers that cannot offer "this run only" (the CLI).
    pub fn restore(&self) -> Result<bool> {
        let restored = self.session.restore()?;
        let status = (&self.session.state()).into();
        self.publish(|live| live.session = status);
        Ok(restored)
    }

    /// Where the session stands.
    pub fn session(&self) -> SessionState {
        self.session.state()
    }

    /// Follows the session's state.
    pub fn watch_session(&self) -> watch::Receiver<SessionState> {
        self.session.watch()
    }

    /// Signs in: shows the login through `opener`, waits for the callback, keeps the tokens.
    pub async fn sign_in(&self, opener: &dyn Opener) -> Result<()> {
        let attempt = self.sign_in.begin(opener).await?;
        *self.login_url.lock().unwrap_or_else(|e| e.into_inner()) = Some(attempt.url.clone());
        self.publish(|live| live.signing_in = true);
        let finished = attempt.finish().await;
        *self.login_url.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.publish(|live| live.signing_in = false);
        self.session.signed_in(finished?).await
    }

    /// Shows the waiting sign-in's login page again (the browser was closed).
    pub fn reopen_sign_in(&self, opener: &dyn Opener) -> Result<()> {
        let url = self
            .login_url
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or(CoreError::NoPendingSignIn)?;
        opener
            .open(&url)
            .map_err(|why| CoreError::Browser(why, url.to_string()))
    }

    /// Stops a sign-in that is waiting for the browser.
    pub fn cancel_sign_in(&self) {
        self.sign_in.cancel();
    }

    /// The choice offered when the keychain is unavailable after a sign-in.
    pub fn keep_for_this_run(&self) -> Result<()> {
        self.session.keep_for_this_run()
    }

    /// A `roomtone://` link the OS handed to the app.
    pub fn handle_deep_link(&self, link: &str) -> Result<()> {
        self.sign_in.handle_deep_link(link)
    }

    /// Signs out and forgets the tokens.
    pub async fn sign_out(&self) -> Result<()> {
        self.sign_in.cancel();
        self.session.sign_out().await
    }

    /// Does what a person asked, the one path of every surface. What it changes shows at
    /// once as [`Live::pending`] on the group or room; once Sonos answers, what it changed is
    /// read back and the pending change goes. A refusal takes the change back and says why
    /// in [`Live::refused`]. When the group has gone (a regroup elsewhere: 410, or 404
    /// "group changed"), the groups are read again and an action that is
    /// [safe to repeat](Action::safe_to_repeat) is sent once more to the group found again.
    pub async fn perform(&self, action: Action) -> Result<Done> {
        if let Action::PauseAll { .. } = action {
            return self.pause_all(&action).await;
        }
        if let Action::Sleep { group, after } = &action {
            let set = self.set_sleep(group, *after).await;
            if let Err(err) = &set {
                self.update(|held| {
                    refuse(held, &action, err);
                    true
                });
            }
            return set;
        }
        let action = action.resolve(&self.live.borrow().households, self.now_millis());
        let checked = action.check(&self.live.borrow().households);
        if let Err(err) = checked {
            self.update(|held| {
                refuse(held, &action, &err);
                true
            });
            return Err(err);
        }
        let before = action
            .group()
            .and_then(|id| self.live.borrow().group(id).map(Trace::of));
        // Not under the borrow: publishing the pending change takes the channel's write lock.
        let pending = action.pending(&self.live.borrow().households);
        let ticket = pending.map(|pending| {
            let mut ticket = 0;
            self.update(|held| {
                held.tickets += 1;
                ticket = held.tickets;
                held.pending.push((ticket, pending));
                true
            });
            ticket
        });
        let mut sent = action.send(&self.client).await;
        if let (Err(roomtone_sonos::Error::Gone { .. }), Some(before)) = (&sent, &before) {
            tracing::info!(group = %before.id, "the group has gone; reading the groups again");
            let _ = self.refresh().await;
            let again = before
                .find(&self.live.borrow().households)
                .map(|g| g.id.clone())
                .filter(|id| *id != before.id);
            if let (Some(again), true) = (again, action.safe_to_repeat()) {
                self.update(|held| {
                    for (_, pending) in held.pending.iter_mut().filter(|(t, _)| Some(*t) == ticket)
                    {
                        pending.target = again.to_string();
                    }
                    true
                });
                sent = action.clone().on_group(again).send(&self.client).await;
            }
        }
        let mut sent = sent.map_err(|err| match action {
            Action::PlayStream { .. } => crate::stream::explain(err),
            _ => from_sonos(err),
        });
        if let Ok(done) = &mut sent {
            if let Some(chime) = &mut done.chime {
                chime.followed = self.streaming();
                let kept = chime.clone();
                self.update(|held| {
                    chime::keep(&mut held.truth.chimes, kept);
                    true
                });
            }
            let about = done
                .group
                .as_ref()
                .map_or(action.about(), GroupId::as_str)
                .to_owned();
            self.reread(&about).await;
        }
        // The pending change goes, and a refusal is named, in one change of the state.
        self.update(|held| {
            held.pending.retain(|(t, _)| Some(*t) != ticket);
            if let Err(err) = &sent {
                refuse(held, &action, err);
            }
            true
        });
        sent
    }

    /// Every playing group of a household paused together; the first refusal, if any, is
    /// the answer (each is named as it comes).
    async fn pause_all(&self, action: &Action) -> Result<Done> {
        let pauses = action.pauses(&self.live.borrow().households);
        // Boxed: `perform` waits on this, and this on `perform`.
        let sent = futures_util::future::join_all(
            pauses
                .into_iter()
                .map(|pause| Box::pin(self.perform(pause))),
        )
        .await;
        sent.into_iter()
            .find_map(Result::err)
            .map_or(Ok(Done::default()), Err)
    }

    /// Every household with its groups, playback and volumes, read now.
    pub async fn households(&self) -> Result<Vec<HouseholdRead>> {
        household::read_all(&self.client).await
    }
}

/// Names in the state what was refused and why.
fn refuse(held: &mut Held, action: &Action, err: &CoreError) {
    let serial = held
        .truth
        .refused
        .as_ref()
        .map_or(1, |r| r.serial.wrapping_add(1));
    held.truth.refused = Some(Refused {
        what: action.what().to_owned(),
        target: action.about().to_owned(),
        kind: err.kind(),
        message: err.to_string(),
        serial,
    });
}
