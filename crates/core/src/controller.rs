//! The controller the app's windows and tray talk to: one object holding the session,
//! sign-in, the Control API client and the [`Live`] state they all follow.
//!
//! Every action is one Control API call; what it changed is then read back from Sonos and
//! published, so the state shown is what Sonos says, never what Roomtone hoped. A read that
//! fails after a successful action leaves the older state marked [`Sync::Failed`].

use crate::config::Config;
use crate::error::{CoreError, Result};
use crate::household::{self, HouseholdView};
use crate::live::{Live, Sync};
use crate::session::{from_sonos, Clock, Session, SessionState};
use crate::signin::{Opener, SignIn};
use crate::store::TokenStore;
use crate::view::{self, Library, LoadAction};
use roomtone_sonos::models::{
    CreateGroup, LoadFavorite, LoadPlaylist, PlayModes, SetGroupMembers, SetVolume,
};
use roomtone_sonos::{Client, FavoriteId, GroupId, HouseholdId, PlayerId, PlaylistId};
use std::sync::Arc;
use tokio::sync::{watch, Mutex};

/// See the module documentation.
#[derive(Debug)]
pub struct Controller {
    session: Arc<Session>,
    sign_in: Arc<SignIn>,
    client: Client,
    live: watch::Sender<Live>,
    /// One read of Sonos at a time, so an older read never lands after a newer one.
    reads: Mutex<()>,
    /// The login page of the sign-in waiting for the browser.
    login_url: std::sync::Mutex<Option<url::Url>>,
    /// Live updates: the relay's event stream and the subscriptions.
    events: crate::events::Events,
    /// What artwork the surfaces may load: applied to everything published.
    artwork: crate::artwork::Artwork,
}

/// A play mode to change; the others stay as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum PlayMode {
    Repeat,
    RepeatOne,
    Shuffle,
    Crossfade,
}

impl Controller {
    /// A controller for `config`, keeping tokens in `store`; picks up a saved sign-in.
    pub fn new(config: &Config, store: Arc<dyn TokenStore>, clock: Arc<dyn Clock>) -> Result<Self> {
        let session = Arc::new(
            Session::new(store, config.refresher()?, clock.clone()).issued_by(config.issuer()),
        );
        match session.restore() {
            Ok(_) => {}
            // No keychain: start signed out; signing in will offer "this run only".
            Err(CoreError::KeychainUnavailable(err)) => {
                tracing::warn!(error = %err, "no keychain; starting signed out")
            }
            Err(other) => return Err(other),
        }
        let (live, _) = watch::channel(Live::new(&session.state()));
        Ok(Self {
            sign_in: config.sign_in(clock)?,
            client: config.client(session.clone())?,
            session,
            live,
            reads: Mutex::new(()),
            login_url: std::sync::Mutex::new(None),
            events: crate::events::Events::new(config.events_stream()?)?,
            artwork: crate::artwork::Artwork::for_control_url(&config.control_url),
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
                    live.sync = Sync::Idle;
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
        self.live.send_if_modified(|live| {
            if live.sync == Sync::Ready || !live.households.is_empty() {
                return false;
            }
            live.households = households;
            self.artwork.clean(live);
            live.sync = Sync::Loading;
            live.revision = live.revision.wrapping_add(1);
            true
        });
    }

    pub(crate) fn events(&self) -> &crate::events::Events {
        &self.events
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

    pub(crate) fn publish(&self, change: impl FnOnce(&mut Live)) {
        self.live.send_modify(|live| {
            change(live);
            self.artwork.clean(live);
            live.revision = live.revision.wrapping_add(1);
        });
    }

    /// Whether a read of Sonos is under way (its answer may predate what just happened).
    pub(crate) fn reading(&self) -> bool {
        self.reads.try_lock().is_err()
    }

    /// Publishes `change` to the group with ID `id`; false (and nothing published) when no
    /// such group is known.
    pub(crate) fn publish_group(&self, id: &str, change: impl FnOnce(&mut view::Group)) -> bool {
        self.live.send_if_modified(|live| {
            let Some(group) = live
                .households
                .iter_mut()
                .flat_map(|h| &mut h.groups)
                .find(|g| g.id == id)
            else {
                return false;
            };
            change(group);
            if let Some(now) = &mut group.now_playing {
                self.artwork.clean_now_playing(now);
            }
            live.revision = live.revision.wrapping_add(1);
            true
        })
    }

    /// Publishes `change` to the room with ID `id` (in every group showing it).
    pub(crate) fn publish_room(&self, id: &str, change: impl Fn(&mut view::Room)) -> bool {
        self.live.send_if_modified(|live| {
            let mut found = false;
            for room in live
                .households
                .iter_mut()
                .flat_map(|h| &mut h.groups)
                .flat_map(|g| &mut g.rooms)
                .filter(|r| r.id == id)
            {
                change(room);
                found = true;
            }
            if found {
                live.revision = live.revision.wrapping_add(1);
            }
            found
        })
    }

    fn publish_failure(&self, err: &CoreError) {
        self.publish(|live| {
            live.sync = Sync::Failed {
                kind: err.kind().to_owned(),
                message: err.to_string(),
            }
        });
    }

    /// Reads every household from Sonos and publishes it.
    pub async fn refresh(&self) -> Result<()> {
        let _one = self.reads.lock().await;
        self.publish(|live| live.sync = Sync::Loading);
        match household::read_all(&self.client).await {
            Ok(households) => {
                self.publish(|live| {
                    live.households = households.iter().map(view::Household::from).collect();
                    live.sync = Sync::Ready;
                });
                Ok(())
            }
            Err(err) => {
                self.publish_failure(&err);
                Err(err)
            }
        }
    }

    /// Reads one group again — what it plays, its volume and its rooms' volumes — and
    /// publishes it; when the group is unknown or the read fails (a regroup), reads
    /// everything instead.
    pub(crate) async fn read_group(&self, id: &str) -> Result<()> {
        let Some(rooms) = self
            .live
            .borrow()
            .group(id)
            .map(|g| g.rooms.iter().map(|r| r.id.clone()).collect::<Vec<_>>())
        else {
            return self.refresh().await;
        };
        let read = {
            let _one = self.reads.lock().await;
            let group = GroupId::from(id);
            let (playback, metadata, volume, player_volume) = (
                self.client.playback(),
                self.client.playback_metadata(),
                self.client.group_volume(),
                self.client.player_volume(),
            );
            let rooms = async {
                let mut volumes = Vec::with_capacity(rooms.len());
                for room in &rooms {
                    let v = player_volume.get(&PlayerId::from(room.as_str())).await?;
                    volumes.push((room.clone(), v));
                }
                Ok(volumes)
            };
            tokio::try_join!(
                playback.status(&group),
                metadata.status(&group),
                volume.get(&group),
                rooms,
            )
        };
        match read {
            Ok((playback, metadata, volume, rooms)) => {
                let found = self.publish_group(id, |g| {
                    g.apply_playback(&playback);
                    g.apply_metadata(&metadata);
                    g.apply_volume(&volume);
                    for room in &mut g.rooms {
                        if let Some((_, v)) = rooms.iter().find(|(r, _)| *r == room.id) {
                            room.apply_volume(v);
                        }
                    }
                });
                if found {
                    self.publish(|live| live.sync = Sync::Ready);
                    Ok(())
                } else {
                    self.refresh().await
                }
            }
            Err(_) => self.refresh().await,
        }
    }

    /// Reads again the household holding `id` (a group or a room) after an action.
    async fn reread(&self, id: &str) {
        let household = {
            let live = self.live.borrow();
            live.households
                .iter()
                .find(|h| {
                    h.groups
                        .iter()
                        .any(|g| g.id == id || g.rooms.iter().any(|r| r.id == id))
                })
                .map(|h| h.id.clone())
        };
        let Some(household) = household else {
            let _ = self.refresh().await;
            return;
        };
        let _one = self.reads.lock().await;
        match household::read_household(&self.client, HouseholdId::from(household.clone())).await {
            Ok(read) => self.publish(|live| {
                let fresh = view::Household::from(&read);
                match live.households.iter_mut().find(|h| h.id == household) {
                    Some(slot) => *slot = fresh,
                    None => live.households.push(fresh),
                }
                live.sync = Sync::Ready;
            }),
            Err(err) => self.publish_failure(&err),
        }
    }

    /// Runs one action on Sonos, then reads back what it changed.
    async fn act<T>(
        &self,
        about: &str,
        action: impl std::future::Future<Output = roomtone_sonos::Result<T>>,
    ) -> Result<T> {
        let done = action.await.map_err(from_sonos)?;
        self.reread(about).await;
        Ok(done)
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

    /// Every household with its groups, playback and volumes, read now.
    pub async fn households(&self) -> Result<Vec<HouseholdView>> {
        household::read_all(&self.client).await
    }

    /// Play or pause a group.
    pub async fn toggle(&self, group: &GroupId) -> Result<()> {
        let playback = self.client.playback();
        self.act(group.as_ref(), playback.toggle_play_pause(group))
            .await
    }

    /// Play a group.
    pub async fn play(&self, group: &GroupId) -> Result<()> {
        let playback = self.client.playback();
        self.act(group.as_ref(), playback.play(group)).await
    }

    /// Pause a group.
    pub async fn pause(&self, group: &GroupId) -> Result<()> {
        let playback = self.client.playback();
        self.act(group.as_ref(), playback.pause(group)).await
    }

    /// Skip to the next track.
    pub async fn next(&self, group: &GroupId) -> Result<()> {
        let playback = self.client.playback();
        self.act(group.as_ref(), playback.skip_to_next_track(group))
            .await
    }

    /// Back to the previous track.
    pub async fn previous(&self, group: &GroupId) -> Result<()> {
        let playback = self.client.playback();
        self.act(group.as_ref(), playback.skip_to_previous_track(group))
            .await
    }

    /// Jump to a position in the current track.
    pub async fn seek(&self, group: &GroupId, position_millis: u32) -> Result<()> {
        let playback = self.client.playback();
        self.act(
            group.as_ref(),
            playback.seek(group, i64::from(position_millis), None),
        )
        .await
    }

    /// Turn one play mode on or off.
    pub async fn set_play_mode(&self, group: &GroupId, mode: PlayMode, on: bool) -> Result<()> {
        let mut modes = PlayModes::default();
        match mode {
            PlayMode::Repeat => modes.repeat = Some(on),
            PlayMode::RepeatOne => modes.repeat_one = Some(on),
            PlayMode::Shuffle => modes.shuffle = Some(on),
            PlayMode::Crossfade => modes.crossfade = Some(on),
        }
        let playback = self.client.playback();
        self.act(group.as_ref(), playback.set_play_modes(group, modes))
            .await
    }

    /// Set a group's volume (0–100).
    pub async fn set_group_volume(&self, group: &GroupId, volume: u8) -> Result<()> {
        let volumes = self.client.group_volume();
        self.act(group.as_ref(), volumes.set(group, volume.min(100)))
            .await
    }

    /// Change a group's volume by `delta` (Sonos clamps to 0–100).
    pub async fn adjust_group_volume(&self, group: &GroupId, delta: i16) -> Result<()> {
        let volumes = self.client.group_volume();
        self.act(group.as_ref(), volumes.set_relative(group, delta))
            .await
    }

    /// Mute or unmute a group.
    pub async fn set_group_mute(&self, group: &GroupId, muted: bool) -> Result<()> {
        let volumes = self.client.group_volume();
        self.act(group.as_ref(), volumes.set_mute(group, muted))
            .await
    }

    /// Set one room's volume (0–100).
    pub async fn set_room_volume(&self, room: &PlayerId, volume: u8) -> Result<()> {
        let volumes = self.client.player_volume();
        let request = SetVolume {
            volume: Some(volume.min(100)),
            muted: None,
        };
        self.act(room.as_ref(), volumes.set(room, request)).await
    }

    /// Mute or unmute one room.
    pub async fn set_room_mute(&self, room: &PlayerId, muted: bool) -> Result<()> {
        let volumes = self.client.player_volume();
        self.act(room.as_ref(), volumes.set_mute(room, muted)).await
    }

    /// Make `group` exactly these rooms (its coordinator stays in it).
    pub async fn set_group_members(&self, group: &GroupId, rooms: Vec<PlayerId>) -> Result<()> {
        let groups = self.client.groups();
        let request = SetGroupMembers {
            player_ids: rooms,
            area_ids: None,
        };
        self.act(group.as_ref(), groups.set_members(group, &request))
            .await
            .map(drop)
    }

    /// Make a new group of these rooms, in the household that holds them.
    pub async fn create_group(&self, household: &HouseholdId, rooms: Vec<PlayerId>) -> Result<()> {
        let first = rooms
            .first()
            .cloned()
            .ok_or_else(|| CoreError::NotFound("choose at least one room".into()))?;
        let groups = self.client.groups();
        let request = CreateGroup {
            player_ids: rooms,
            music_context_group_id: None,
            area_ids: None,
        };
        self.act(first.as_ref(), groups.create(household, &request))
            .await
            .map(drop)
    }

    /// Play a room's line-in on its group.
    pub async fn play_line_in(&self, group: &GroupId, room: &PlayerId) -> Result<()> {
        let playback = self.client.playback();
        self.act(
            group.as_ref(),
            playback.load_line_in(group, Some(room), true),
        )
        .await
    }

    /// Play the TV of a home-theater room.
    pub async fn play_tv(&self, room: &PlayerId) -> Result<()> {
        let theater = self.client.home_theater();
        self.act(room.as_ref(), theater.load_playback(room)).await
    }

    /// A home-theater room's night mode and speech enhancement.
    pub async fn theater_options(&self, room: &PlayerId) -> Result<view::TheaterOptions> {
        let options = self
            .client
            .home_theater()
            .options(room)
            .await
            .map_err(from_sonos)?;
        Ok(view::TheaterOptions {
            night_mode: options.night_mode.unwrap_or(false),
            enhance_dialog: options.enhance_dialog.unwrap_or(false),
        })
    }

    /// Changes them; the answer is what Sonos now has.
    pub async fn set_theater_options(
        &self,
        room: &PlayerId,
        options: view::TheaterOptions,
    ) -> Result<view::TheaterOptions> {
        let set = roomtone_sonos::models::HomeTheaterOptions {
            night_mode: Some(options.night_mode),
            enhance_dialog: Some(options.enhance_dialog),
            grouping_latency: None,
        };
        let now = self
            .client
            .home_theater()
            .set_options(room, set)
            .await
            .map_err(from_sonos)?;
        Ok(view::TheaterOptions {
            night_mode: now.night_mode.unwrap_or(options.night_mode),
            enhance_dialog: now.enhance_dialog.unwrap_or(options.enhance_dialog),
        })
    }

    /// A household's favorites and playlists.
    pub async fn library(&self, household: &HouseholdId) -> Result<Library> {
        let (favorites, playlists) = (self.client.favorites(), self.client.playlists());
        let (favorites, playlists) =
            tokio::try_join!(favorites.list(household), playlists.list(household))
                .map_err(from_sonos)?;
        let mut library = Library {
            household_id: household.to_string(),
            favorites: favorites.items.iter().map(Into::into).collect(),
            playlists: playlists.playlists.iter().map(Into::into).collect(),
        };
        self.artwork.clean_library(&mut library);
        Ok(library)
    }

    /// Play a favorite on a group.
    pub async fn load_favorite(
        &self,
        group: &GroupId,
        favorite: FavoriteId,
        action: LoadAction,
    ) -> Result<()> {
        let favorites = self.client.favorites();
        let request = LoadFavorite {
            favorite_id: favorite,
            action: Some(action.into()),
            play_modes: None,
            play_on_completion: Some(true),
        };
        self.act(group.as_ref(), favorites.load(group, &request))
            .await
    }

    /// Play a playlist on a group.
    pub async fn load_playlist(
        &self,
        group: &GroupId,
        playlist: PlaylistId,
        action: LoadAction,
    ) -> Result<()> {
        let playlists = self.client.playlists();
        let request = LoadPlaylist {
            playlist_id: playlist,
            action: Some(action.into()),
            play_modes: None,
            play_on_completion: Some(true),
        };
        self.act(group.as_ref(), playlists.load(group, &request))
            .await
    }
}
