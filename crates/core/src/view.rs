//! What a window and the tray show: the household in the shape a person reads it, made
//! from the Control API's objects. No tokens, no URLs but artwork, nothing Sonos did not say.
//!
//! Every type here crosses into the webview; with the `specta` feature they derive
//! `specta::Type`, from which the app generates its TypeScript bindings.

use crate::household;
use roomtone_sonos::models::{self, Capability, PlaybackState};
use roomtone_sonos::{FavoriteId, GroupId, HouseholdId, PlayerId, PlaylistId};
use serde::{Deserialize, Serialize};

/// A household with its groups, and every room in it (for grouping).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Household {
    pub id: HouseholdId,
    pub groups: Vec<Group>,
}

/// A group: its rooms, what it plays, how loud.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub coordinator_id: PlayerId,
    pub rooms: Vec<Room>,
    pub state: PlayState,
    /// Where the track was when Sonos last said, and when that was: see
    /// [`Group::position_at`]. Only a read or an event that carries a position moves it.
    pub position: Option<Position>,
    pub now_playing: Option<NowPlaying>,
    pub volume: Volume,
    pub actions: Actions,
    pub modes: Modes,
}

/// A position in the track as Sonos reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Position {
    /// Where the track was, in milliseconds.
    pub millis: u32,
    /// When Sonos said so: milliseconds since the Unix epoch, by this computer's clock.
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub read_at: u64,
}

/// A group's transport state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum PlayState {
    Playing,
    Buffering,
    Paused,
    Idle,
}

impl PlayState {
    /// Playing or about to: what a play/pause button shows as "pause".
    pub fn is_playing(self) -> bool {
        matches!(self, Self::Playing | Self::Buffering)
    }
}

/// What is playing: a track, or a station/programme with what Sonos says about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NowPlaying {
    pub title: String,
    pub artist: Option<String>,
    pub album: Option<String>,
    /// The station, playlist or album the track comes from.
    pub container: Option<String>,
    /// Music service ("Sonos Radio"), when Sonos names it.
    pub service: Option<String>,
    pub art_url: Option<String>,
    pub duration_millis: Option<u32>,
}

impl NowPlaying {
    /// "Title — Artist", or the title alone.
    pub fn line(&self) -> String {
        match &self.artist {
            Some(artist) => format!("{} — {artist}", self.title),
            None => self.title.clone(),
        }
    }
}

/// A volume: 0–100, muted, and whether the room's volume is fixed (a line-level output).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    pub volume: u8,
    pub muted: bool,
    pub fixed: bool,
}

/// A room (a Sonos player) in a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Room {
    pub id: PlayerId,
    pub name: String,
    pub volume: Volume,
    /// It has a line-in to play from.
    pub line_in: bool,
    /// A home-theater room (TV source, night mode, dialog enhancement).
    pub home_theater: bool,
    /// It can turn its TV on and off (HDMI-CEC).
    pub tv_power: bool,
    /// It can ring a chime over what it plays (`AUDIO_CLIP`).
    pub can_chime: bool,
}

/// What the current source allows (`availablePlaybackActions`); missing means no.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Actions {
    pub can_skip: bool,
    pub can_skip_back: bool,
    pub can_seek: bool,
    pub can_pause: bool,
    pub can_repeat: bool,
    pub can_repeat_one: bool,
    pub can_shuffle: bool,
    pub can_crossfade: bool,
}

/// Play modes in force.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Modes {
    pub repeat: bool,
    pub repeat_one: bool,
    pub shuffle: bool,
    pub crossfade: bool,
}

/// A favorite ([`FavoriteId`]) or a playlist ([`PlaylistId`]), to play.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LibraryItem<Id> {
    pub id: Id,
    pub name: String,
    pub description: Option<String>,
    pub art_url: Option<String>,
    pub service: Option<String>,
}

/// A household's favorites and playlists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Library {
    pub household_id: HouseholdId,
    pub favorites: Vec<LibraryItem<FavoriteId>>,
    pub playlists: Vec<LibraryItem<PlaylistId>>,
}

/// A Sonos playlist and its tracks, to see before playing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Playlist {
    pub household_id: HouseholdId,
    pub id: PlaylistId,
    pub name: String,
    pub tracks: Vec<PlaylistTrack>,
}

/// A track of a [`Playlist`], as Sonos names it (a track without a name is shown as such).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PlaylistTrack {
    pub name: String,
    pub artist: Option<String>,
    pub album: Option<String>,
}

impl Playlist {
    pub(crate) fn read(household: &HouseholdId, summary: &models::PlaylistSummary) -> Self {
        let text = |t: &Option<String>| {
            t.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        Self {
            household_id: household.clone(),
            id: summary.id.clone(),
            name: summary.name.clone(),
            tracks: summary
                .tracks
                .iter()
                .map(|t| PlaylistTrack {
                    name: text(&t.name).unwrap_or_else(|| "Untitled track".to_owned()),
                    artist: text(&t.artist),
                    album: text(&t.album),
                })
                .collect(),
        }
    }
}

/// A room's player settings, as its options show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RoomSettings {
    /// How loud its full volume is, in percent (1–100; Sonos's `volumeScalingFactor`).
    pub volume_limit: u8,
    pub volume_mode: VolumeMode,
    /// Both channels mixed into one.
    pub mono: bool,
}

/// Whether a room's volume can be changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum VolumeMode {
    Variable,
    /// Set on the amplifier it feeds (a line-out at a fixed level).
    Fixed,
    /// Passed through to the TV or receiver, which sets it.
    PassThrough,
}

/// A home-theater room's sound options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TheaterOptions {
    pub night_mode: bool,
    /// Speech enhancement (Sonos's "enhanceDialog").
    pub enhance_dialog: bool,
}

/// How a favorite or playlist goes into the queue, named as Sonos names the queue action
/// it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum LoadAction {
    /// "Play now": `REPLACE`, the queue becomes the new content.
    Replace,
    /// "Play next": `INSERT_NEXT`, right after what is playing. (Sonos's `INSERT` would
    /// play it at once.)
    InsertNext,
    /// "Add to the end": `APPEND`; what plays goes on.
    Append,
}

impl From<LoadAction> for models::LoadAction {
    fn from(action: LoadAction) -> Self {
        match action {
            LoadAction::Replace => Self::Replace,
            LoadAction::InsertNext => Self::InsertNext,
            LoadAction::Append => Self::Append,
        }
    }
}

fn volume(v: &models::Volume) -> Volume {
    Volume {
        volume: v.volume,
        muted: v.muted.unwrap_or(false),
        fixed: v.fixed.unwrap_or(false),
    }
}

fn millis(value: Option<i64>) -> Option<u32> {
    value.and_then(|v| u32::try_from(v).ok())
}

/// The largest image Sonos lists, else its single URL.
fn art(image_url: &Option<String>, images: &[models::Image]) -> Option<String> {
    images
        .iter()
        .max_by_key(|i| i.width.unwrap_or(0))
        .map(|i| i.url.clone())
        .or_else(|| image_url.clone())
        .filter(|u| !u.is_empty())
}

fn now_playing(metadata: &models::MetadataStatus) -> Option<NowPlaying> {
    let container = metadata.container.as_ref();
    let container_name = container.and_then(|c| c.name.clone());
    let track = metadata
        .current_item
        .as_ref()
        .and_then(|i| i.track.as_ref());
    let service = track
        .and_then(|t| t.service.as_ref())
        .or_else(|| container.and_then(|c| c.service.as_ref()))
        .and_then(|s| s.name.clone());
    match track.and_then(|t| t.name.clone().map(|name| (t, name))) {
        Some((track, title)) => Some(NowPlaying {
            title,
            artist: track.artist.as_ref().map(|a| a.name.clone()),
            album: track.album.as_ref().map(|a| a.name.clone()),
            container: container_name,
            service,
            art_url: art(&track.image_url, &track.images)
                .or_else(|| container.and_then(|c| art(&c.image_url, &c.images))),
            duration_millis: millis(track.duration_millis),
        }),
        // A station with no track names: the station is the title, the stream line the artist.
        None => container_name.map(|title| NowPlaying {
            title,
            artist: metadata.stream_info.clone().filter(|s| !s.is_empty()),
            album: None,
            container: None,
            service,
            art_url: container.and_then(|c| art(&c.image_url, &c.images)),
            duration_millis: None,
        }),
    }
}

/// What a `playbackStatus` says: the transport state, position, actions and modes.
fn transport(playback: &models::PlaybackStatus) -> (PlayState, Option<u32>, Actions, Modes) {
    let actions = playback.available_playback_actions.unwrap_or_default();
    let modes = playback.play_modes.unwrap_or_default();
    let yes = |v: Option<bool>| v.unwrap_or(false);
    (
        match playback.playback_state {
            PlaybackState::Playing => PlayState::Playing,
            PlaybackState::Buffering => PlayState::Buffering,
            PlaybackState::Paused => PlayState::Paused,
            _ => PlayState::Idle,
        },
        millis(playback.position_millis),
        Actions {
            can_skip: yes(actions.can_skip),
            can_skip_back: yes(actions.can_skip_back),
            can_seek: yes(actions.can_seek),
            can_pause: yes(actions.can_pause),
            can_repeat: yes(actions.can_repeat),
            can_repeat_one: yes(actions.can_repeat_one),
            can_shuffle: yes(actions.can_shuffle),
            can_crossfade: yes(actions.can_crossfade),
        },
        Modes {
            repeat: yes(modes.repeat),
            repeat_one: yes(modes.repeat_one),
            shuffle: yes(modes.shuffle),
            crossfade: yes(modes.crossfade),
        },
    )
}

impl Group {
    /// Takes what a `playbackStatus` (an event's body, or a read at `read_at`) says.
    pub(crate) fn apply_playback(&mut self, playback: &models::PlaybackStatus, read_at: u64) {
        let millis;
        (self.state, millis, self.actions, self.modes) = transport(playback);
        self.position = millis.map(|millis| Position { millis, read_at });
    }

    /// Where the track is at `now` (milliseconds since the Unix epoch): the position Sonos
    /// reported, moved on by the time since while the group plays, never past the track's end.
    /// The window's progress bar, the tray, the media session and seek-by all use it.
    pub fn position_at(&self, now: u64) -> Option<u32> {
        let position = self.position?;
        let moved = match self.state {
            PlayState::Playing => now.saturating_sub(position.read_at),
            _ => 0,
        };
        let at = u64::from(position.millis).saturating_add(moved);
        let end = self
            .now_playing
            .as_ref()
            .and_then(|n| n.duration_millis)
            .map_or(u64::from(u32::MAX), u64::from);
        Some(u32::try_from(at.min(end)).unwrap_or(u32::MAX))
    }

    /// Takes what a `metadataStatus` says.
    pub(crate) fn apply_metadata(&mut self, metadata: &models::MetadataStatus) {
        self.now_playing = now_playing(metadata);
    }

    /// Takes what a `groupVolume` says.
    pub(crate) fn apply_volume(&mut self, v: &models::GroupVolume) {
        self.volume = volume(v);
    }
}

impl Room {
    /// Takes what a `playerVolume` says.
    pub(crate) fn apply_volume(&mut self, v: &models::PlayerVolume) {
        self.volume = volume(v);
    }
}

impl Group {
    /// A group as read from Sonos at `read_at` (milliseconds since the Unix epoch).
    pub fn read(g: &household::GroupRead, read_at: u64) -> Self {
        let (state, millis, actions, modes) = transport(&g.playback);
        Self {
            id: g.group.id.clone(),
            name: g.group.name.clone(),
            coordinator_id: g.group.coordinator_id.clone(),
            rooms: g
                .players
                .iter()
                .map(|p| Room {
                    id: p.player.id.clone(),
                    name: p.player.name.clone(),
                    volume: volume(&p.volume),
                    line_in: p.player.capabilities.contains(&Capability::LineIn),
                    home_theater: p.player.capabilities.contains(&Capability::HtPlayback),
                    tv_power: p.player.capabilities.contains(&Capability::HtPowerState),
                    can_chime: p.player.capabilities.contains(&Capability::AudioClip),
                })
                .collect(),
            state,
            position: millis.map(|millis| Position { millis, read_at }),
            now_playing: now_playing(&g.metadata),
            volume: volume(&g.volume),
            actions,
            modes,
        }
    }
}

impl Household {
    /// A household as read from Sonos at `read_at` (milliseconds since the Unix epoch).
    pub fn read(h: &household::HouseholdRead, read_at: u64) -> Self {
        Self {
            id: h.id.clone(),
            groups: h.groups.iter().map(|g| Group::read(g, read_at)).collect(),
        }
    }
}

impl From<&models::Favorite> for LibraryItem<FavoriteId> {
    fn from(f: &models::Favorite) -> Self {
        Self {
            id: f.id.clone(),
            name: f.name.clone(),
            description: f.description.clone(),
            art_url: f.image_url.clone().filter(|u| !u.is_empty()),
            service: f.service.as_ref().and_then(|s| s.name.clone()),
        }
    }
}

impl From<&models::Playlist> for LibraryItem<PlaylistId> {
    fn from(p: &models::Playlist) -> Self {
        Self {
            id: p.id.clone(),
            name: p.name.clone(),
            description: p.track_count.map(|n| match n {
                1 => "1 track".to_owned(),
                n => format!("{n} tracks"),
            }),
            art_url: p.image_url.clone().filter(|u| !u.is_empty()),
            service: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn playing(state: PlayState, duration: Option<u32>) -> Group {
        Group {
            id: "G".into(),
            name: "G".into(),
            coordinator_id: "P".into(),
            rooms: Vec::new(),
            state,
            position: Some(Position {
                millis: 60_000,
                read_at: 1_000_000,
            }),
            now_playing: Some(NowPlaying {
                title: "t".into(),
                artist: None,
                album: None,
                container: None,
                service: None,
                art_url: None,
                duration_millis: duration,
            }),
            volume: Volume::default(),
            actions: Actions::default(),
            modes: Modes::default(),
        }
    }

    #[test]
    fn the_position_moves_on_while_playing_and_stops_at_the_end_of_the_track() {
        let g = playing(PlayState::Playing, Some(62_000));
        assert_eq!(g.position_at(1_000_000), Some(60_000));
        assert_eq!(g.position_at(1_001_500), Some(61_500));
        assert_eq!(g.position_at(1_100_000), Some(62_000), "not past the end");
        assert_eq!(
            g.position_at(0),
            Some(60_000),
            "a clock set back does not rewind"
        );
        let paused = playing(PlayState::Paused, Some(62_000));
        assert_eq!(paused.position_at(1_001_500), Some(60_000));
        let buffering = playing(PlayState::Buffering, None);
        assert_eq!(buffering.position_at(1_001_500), Some(60_000));
        let station = playing(PlayState::Playing, None);
        assert_eq!(station.position_at(1_001_500), Some(61_500));
    }
}
