//! Every intention a surface can send: the window, the tray, the media session, the hotkeys
//! and `roomtone-cli` each turn what the person did into an [`Action`] and hand it to
//! [`crate::Controller::perform`]. What an action targets, what it means now
//! (a seek-by, a mute toggle), whether it is safe to send twice and what may not be sent at
//! all, are written here once; which Control API call it is, is the `calls` module; what it
//! shows before Sonos answers is [`crate::pending`].

use crate::chime::{self, Chime};
use crate::error::CoreError;
use crate::media_url;
use crate::stream;
use crate::view::{Group, Household, LoadAction, TheaterOptions};
use roomtone_sonos::{FavoriteId, GroupId, HouseholdId, PlayerId, PlaylistId};
use serde::{Deserialize, Serialize};

/// See the module documentation. Volumes are 0–100 (larger values are taken as 100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Action {
    /// Play if paused, pause if playing (Sonos decides, from what it plays).
    Toggle {
        group: GroupId,
    },
    Play {
        group: GroupId,
    },
    Pause {
        group: GroupId,
    },
    Next {
        group: GroupId,
    },
    Previous {
        group: GroupId,
    },
    /// To this position in the track.
    Seek {
        group: GroupId,
        #[serde(rename = "positionMillis")]
        position_millis: u32,
    },
    /// Forward (back, when negative) from where the track is now
    /// ([`Group::position_at`]), within the track.
    SeekBy {
        group: GroupId,
        #[serde(rename = "deltaMillis")]
        #[cfg_attr(feature = "specta", specta(type = i32))]
        delta_millis: i64,
    },
    SetPlayMode {
        group: GroupId,
        mode: PlayMode,
        on: bool,
    },
    SetGroupVolume {
        group: GroupId,
        volume: u8,
    },
    /// Up (down, when negative) by `delta`; Sonos keeps it within 0–100.
    AdjustGroupVolume {
        group: GroupId,
        delta: i16,
    },
    SetGroupMute {
        group: GroupId,
        muted: bool,
    },
    /// Mute if not muted, else unmute.
    ToggleGroupMute {
        group: GroupId,
    },
    SetRoomVolume {
        room: PlayerId,
        volume: u8,
    },
    SetRoomMute {
        room: PlayerId,
        muted: bool,
    },
    /// A room's volume up (down, when negative) by `delta`; Sonos keeps it within 0–100.
    AdjustRoomVolume {
        room: PlayerId,
        delta: i16,
    },
    /// The group becomes exactly these rooms (its coordinator stays in it).
    SetGroupMembers {
        group: GroupId,
        rooms: Vec<PlayerId>,
    },
    /// A new group of these rooms, in the household that holds them.
    CreateGroup {
        household: HouseholdId,
        rooms: Vec<PlayerId>,
    },
    /// A room's line-in, on its group.
    PlayLineIn {
        group: GroupId,
        room: PlayerId,
    },
    /// The TV of a home-theater room.
    PlayTv {
        room: PlayerId,
    },
    /// Turns a home-theater room's TV on, or to standby, over HDMI-CEC (`setTvPowerState`;
    /// Sonos has no way to read whether it is on).
    SetTvPower {
        room: PlayerId,
        on: bool,
    },
    /// A home-theater room's night mode and speech enhancement.
    SetTheaterOptions {
        room: PlayerId,
        options: TheaterOptions,
    },
    /// A room's volume limit, in percent of its full volume (1–100; Sonos's
    /// `volumeScalingFactor`): the volume still reads 0–100, and 100 is this loud.
    SetVolumeLimit {
        room: PlayerId,
        percent: u8,
    },
    /// Rings a chime in a room over what it plays (`loadAudioClip`): Sonos's own chime, or
    /// the MP3 or WAV at `url`, at `volume` (else the room's own). What becomes of it is
    /// [`crate::Live::chimes`].
    Chime {
        room: PlayerId,
        url: Option<String>,
        volume: Option<u8>,
    },
    /// Plays a live stream (an internet radio station's URL) on a group, named `name` (else
    /// by Sonos, from the URL): a playback session of Roomtone's on the group
    /// (`createSession`), then `loadStreamUrl`.
    PlayStream {
        group: GroupId,
        url: String,
        name: Option<String>,
    },
    /// Pauses every group of the household that plays: one [`Action::Pause`] each, done
    /// together by [`crate::Controller::perform`] (each shown, retried and refused as a pause).
    PauseAll {
        household: HouseholdId,
    },
    /// Sets the group's sleep timer, or turns it off: run by the core
    /// ([`crate::Controller::run_sleep_timers`]), nothing sent to Sonos until it is due.
    Sleep {
        group: GroupId,
        after: crate::sleep::SleepAfter,
    },
    LoadFavorite {
        group: GroupId,
        favorite: FavoriteId,
        load: LoadAction,
    },
    LoadPlaylist {
        group: GroupId,
        playlist: PlaylistId,
        load: LoadAction,
    },
}

/// A play mode to change; the others stay as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum PlayMode {
    Repeat,
    RepeatOne,
    Shuffle,
    Crossfade,
}

/// What an action was done to, once done: the group it ended up on (after a regroup, a
/// group's ID changes — a window selects this one), when there is one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Done {
    pub group: Option<GroupId>,
    /// The chime rung, as Sonos first answered.
    pub chime: Option<Chime>,
}

/// The group field of an action sent to a group, borrowed as the action is (one list for
/// [`Action::group`] and its `_mut` twin; every variant named, so a new one must choose).
macro_rules! group_of {
    ($action:expr) => {{
        use Action::*;
        match $action {
            Toggle { group }
            | Play { group }
            | Pause { group }
            | Next { group }
            | Previous { group }
            | Seek { group, .. }
            | SeekBy { group, .. }
            | SetPlayMode { group, .. }
            | SetGroupVolume { group, .. }
            | AdjustGroupVolume { group, .. }
            | SetGroupMute { group, .. }
            | ToggleGroupMute { group }
            | SetGroupMembers { group, .. }
            | PlayLineIn { group, .. }
            | LoadFavorite { group, .. }
            | LoadPlaylist { group, .. }
            | PlayStream { group, .. }
            | Sleep { group, .. } => Some(group),
            SetRoomVolume { .. }
            | SetRoomMute { .. }
            | AdjustRoomVolume { .. }
            | CreateGroup { .. }
            | PlayTv { .. }
            | SetTvPower { .. }
            | SetTheaterOptions { .. }
            | SetVolumeLimit { .. }
            | Chime { .. }
            | PauseAll { .. } => None,
        }
    }};
}

impl Action {
    /// The group this action is sent to, if it is sent to a group.
    pub fn group(&self) -> Option<&GroupId> {
        group_of!(self)
    }

    fn group_mut(&mut self) -> Option<&mut GroupId> {
        group_of!(self)
    }

    /// The same action for the group found again after a regroup.
    pub(crate) fn on_group(mut self, id: GroupId) -> Self {
        if let Some(group) = self.group_mut() {
            *group = id;
        }
        self
    }

    /// The group, room or household whose state to read again once it is done.
    pub(crate) fn about(&self) -> &str {
        use Action::*;
        match self {
            SetRoomVolume { room, .. }
            | SetRoomMute { room, .. }
            | AdjustRoomVolume { room, .. }
            | PlayTv { room }
            | SetTvPower { room, .. }
            | SetTheaterOptions { room, .. }
            | SetVolumeLimit { room, .. }
            | Chime { room, .. } => room.as_str(),
            CreateGroup { household, rooms } => {
                rooms.first().map_or(household.as_str(), PlayerId::as_str)
            }
            PauseAll { household } => household.as_str(),
            other => other.group().map_or("", GroupId::as_str),
        }
    }

    /// Whether sending it again has the same effect as sending it once: only such an action
    /// is retried on the group found again after a 410 or 404 "group changed". A toggle, a
    /// skip, a step of volume or an added queue entry is never sent twice.
    pub fn safe_to_repeat(&self) -> bool {
        use Action::*;
        match self {
            Play { .. }
            | Pause { .. }
            | Seek { .. }
            | SetPlayMode { .. }
            | SetGroupVolume { .. }
            | SetGroupMute { .. }
            | SetRoomVolume { .. }
            | SetRoomMute { .. }
            | SetGroupMembers { .. }
            | PlayLineIn { .. }
            | PlayTv { .. }
            | SetTvPower { .. }
            | SetTheaterOptions { .. }
            | SetVolumeLimit { .. }
            | PauseAll { .. }
            | Sleep { .. }
            | PlayStream { .. } => true,
            LoadFavorite { load, .. } | LoadPlaylist { load, .. } => *load == LoadAction::Replace,
            Toggle { .. }
            | Next { .. }
            | Previous { .. }
            | SeekBy { .. }
            | AdjustGroupVolume { .. }
            | AdjustRoomVolume { .. }
            | ToggleGroupMute { .. }
            | CreateGroup { .. }
            | Chime { .. } => false,
        }
    }

    /// The action with what it means now written out: a seek-by becomes a seek to where the
    /// track is at `now` plus the step, a mute toggle becomes mute or unmute of what is shown.
    pub(crate) fn resolve(self, households: &[Household], now: u64) -> Self {
        let find = |id: &GroupId| -> Option<&Group> {
            households
                .iter()
                .flat_map(|h| &h.groups)
                .find(|g| g.id == id.as_str())
        };
        match self {
            Action::SeekBy {
                group,
                delta_millis,
            } => {
                let (at, end) = find(&group).map_or((0, u32::MAX), |g| {
                    let end = g.now_playing.as_ref().and_then(|n| n.duration_millis);
                    (g.position_at(now).unwrap_or(0), end.unwrap_or(u32::MAX))
                });
                let to = (i64::from(at) + delta_millis).clamp(0, i64::from(end));
                Action::Seek {
                    group,
                    position_millis: u32::try_from(to).unwrap_or(0),
                }
            }
            Action::ToggleGroupMute { group } => {
                let muted = find(&group).is_some_and(|g| g.volume.muted);
                Action::SetGroupMute {
                    group,
                    muted: !muted,
                }
            }
            other => other,
        }
    }

    /// The pauses a [`Action::PauseAll`] is made of: one per group of its household that
    /// plays (or is about to), as shown now. Empty for any other action.
    pub(crate) fn pauses(&self, households: &[Household]) -> Vec<Action> {
        let Action::PauseAll { household } = self else {
            return Vec::new();
        };
        households
            .iter()
            .filter(|h| h.id == *household)
            .flat_map(|h| &h.groups)
            .filter(|g| g.state.is_playing())
            .map(|g| Action::Pause {
                group: g.id.clone(),
            })
            .collect()
    }

    /// Refuses, before anything is sent, what cannot be done: a URL that is not one, a
    /// chime in a room without the `AUDIO_CLIP` capability. A room not in view is left to
    /// Sonos to judge.
    pub(crate) fn check(&self, households: &[Household]) -> crate::Result<()> {
        if let Action::PlayStream { url, name, .. } = self {
            stream::check(url, name.as_deref())?;
        }
        if let Action::Chime { room, url, volume } = self {
            if let Some(url) = url {
                media_url::check(url, chime::MAX_URL)?;
            }
            if volume.is_some_and(|v| v > 100) {
                return Err(CoreError::Invalid("a chime's volume is 0 to 100".into()));
            }
            let known = households
                .iter()
                .flat_map(|h| &h.groups)
                .flat_map(|g| &g.rooms);
            if let Some(r) = known.clone().find(|r| r.id == *room) {
                if !r.can_chime {
                    return Err(CoreError::Invalid(format!(
                        "{} cannot ring a chime: Sonos plays chimes only on speakers that take audio clips",
                        r.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// What it is, in words, for a refusal ("Roomtone could not {what}").
    pub fn what(&self) -> &'static str {
        use Action::*;
        match self {
            Toggle { .. } => "play or pause",
            Play { .. } => "play",
            Pause { .. } => "pause",
            Next { .. } => "skip to the next track",
            Previous { .. } => "go back a track",
            Seek { .. } | SeekBy { .. } => "move in the track",
            SetPlayMode { .. } => "change the play mode",
            SetGroupVolume { .. }
            | AdjustGroupVolume { .. }
            | SetRoomVolume { .. }
            | AdjustRoomVolume { .. } => "change the volume",
            SetGroupMute { .. } | ToggleGroupMute { .. } | SetRoomMute { .. } => "mute or unmute",
            SetGroupMembers { .. } | CreateGroup { .. } => "group the rooms",
            PlayLineIn { .. } => "play the line-in",
            PlayTv { .. } => "play the TV",
            SetTvPower { on: true, .. } => "turn the TV on",
            SetTvPower { on: false, .. } => "turn the TV off",
            SetTheaterOptions { .. } => "change the TV sound options",
            SetVolumeLimit { .. } => "set the volume limit",
            Chime { .. } => "ring a chime",
            PauseAll { .. } => "pause everything",
            Sleep { .. } => "set the sleep timer",
            PlayStream { .. } => "play the stream",
            LoadFavorite { .. } => "play the favorite",
            LoadPlaylist { .. } => "play the playlist",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_crosses_the_wire_tagged_with_its_kind() {
        let action: Action =
            serde_json::from_str(r#"{"kind":"seek","group":"G1","positionMillis":61000}"#).unwrap();
        assert_eq!(
            action,
            Action::Seek {
                group: "G1".into(),
                position_millis: 61_000
            }
        );
        let text = serde_json::to_string(&Action::SetGroupVolume {
            group: "G1".into(),
            volume: 30,
        })
        .unwrap();
        assert_eq!(
            text,
            r#"{"kind":"setGroupVolume","group":"G1","volume":30}"#
        );
        assert!(serde_json::from_str::<Action>(r#"{"kind":"explode","group":"G1"}"#).is_err());
    }

    #[test]
    fn only_what_has_the_same_effect_twice_is_retried() {
        let g = || GroupId::from("G1");
        assert!(!Action::Toggle { group: g() }.safe_to_repeat());
        assert!(!Action::Next { group: g() }.safe_to_repeat());
        assert!(!Action::AdjustGroupVolume {
            group: g(),
            delta: 2
        }
        .safe_to_repeat());
        assert!(Action::SetGroupVolume {
            group: g(),
            volume: 2
        }
        .safe_to_repeat());
        assert!(Action::Pause { group: g() }.safe_to_repeat());
        let load = |load| Action::LoadFavorite {
            group: g(),
            favorite: "F".into(),
            load,
        };
        assert!(load(LoadAction::Replace).safe_to_repeat());
        assert!(!load(LoadAction::Append).safe_to_repeat());
    }
}
