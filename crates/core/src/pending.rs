//! Pending changes: what an action shows on a group or room before Sonos answers. Every
//! surface shows the households with them applied ([`show`]); the controller takes one back
//! when Sonos refuses, and drops it once Sonos has answered and been read back.

use crate::action::Action;
use crate::view::{Household, PlayState};
use roomtone_sonos::GroupId;
use serde::Serialize;

/// What an action shows on a group or room before Sonos answers: every surface shows the
/// households with it applied, and a refusal takes it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Pending {
    /// A group's or a room's ID.
    pub target: String,
    pub state: Option<PlayState>,
    pub volume: Option<u8>,
    pub muted: Option<bool>,
}

impl Action {
    /// What it shows before Sonos answers, given what is shown now.
    pub(crate) fn pending(&self, households: &[Household]) -> Option<Pending> {
        let on = |target: &str| Pending {
            target: target.to_owned(),
            state: None,
            volume: None,
            muted: None,
        };
        let group = |id: &GroupId| {
            households
                .iter()
                .flat_map(|h| &h.groups)
                .find(|g| g.id == id.as_str())
        };
        match self {
            Action::Toggle { group: id } => {
                let playing = group(id)?.state.is_playing();
                Some(Pending {
                    state: Some(if playing {
                        PlayState::Paused
                    } else {
                        PlayState::Playing
                    }),
                    ..on(id.as_str())
                })
            }
            Action::Play { group } => Some(Pending {
                state: Some(PlayState::Playing),
                ..on(group.as_str())
            }),
            Action::Pause { group } => Some(Pending {
                state: Some(PlayState::Paused),
                ..on(group.as_str())
            }),
            Action::SetGroupVolume { group, volume } => Some(Pending {
                volume: Some((*volume).min(100)),
                ..on(group.as_str())
            }),
            Action::AdjustGroupVolume { group: id, delta } => {
                let now = i16::from(group(id)?.volume.volume);
                let volume = u8::try_from((now + delta).clamp(0, 100)).unwrap_or(0);
                Some(Pending {
                    volume: Some(volume),
                    ..on(id.as_str())
                })
            }
            Action::SetGroupMute { group, muted } => Some(Pending {
                muted: Some(*muted),
                ..on(group.as_str())
            }),
            Action::SetRoomVolume { room, volume } => Some(Pending {
                volume: Some((*volume).min(100)),
                ..on(room.as_str())
            }),
            Action::SetRoomMute { room, muted } => Some(Pending {
                muted: Some(*muted),
                ..on(room.as_str())
            }),
            Action::AdjustRoomVolume { room: id, delta } => {
                let room = households
                    .iter()
                    .flat_map(|h| &h.groups)
                    .flat_map(|g| &g.rooms)
                    .find(|r| r.id == id.as_str())?;
                let volume = (i16::from(room.volume.volume) + delta).clamp(0, 100);
                Some(Pending {
                    volume: Some(u8::try_from(volume).unwrap_or(0)),
                    ..on(id.as_str())
                })
            }
            _ => None,
        }
    }
}

/// `pending` applied to `households`: what every surface shows.
pub(crate) fn show(households: &mut [Household], pending: &[Pending]) {
    for change in pending {
        for group in households.iter_mut().flat_map(|h| &mut h.groups) {
            if group.id == change.target.as_str() {
                if let Some(state) = change.state {
                    group.state = state;
                }
                if let Some(volume) = change.volume {
                    group.volume.volume = volume;
                }
                if let Some(muted) = change.muted {
                    group.volume.muted = muted;
                }
            }
            for room in group
                .rooms
                .iter_mut()
                .filter(|r| r.id == change.target.as_str())
            {
                if let Some(volume) = change.volume {
                    room.volume.volume = volume;
                }
                if let Some(muted) = change.muted {
                    room.volume.muted = muted;
                }
            }
        }
    }
}
