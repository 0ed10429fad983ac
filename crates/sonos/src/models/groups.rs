//! Households, groups and players (REFERENCE §5 "Households, groups, players").

use crate::ids::{GroupId, HouseholdId, PlayerId};
use crate::models::PlaybackState;
use crate::open_enum::open_enum;
use serde::{Deserialize, Serialize};

/// `households`: the households the signed-in user can control.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Households {
    pub households: Vec<Household>,
}

/// One household. Sonos usually sends no name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Household {
    pub id: HouseholdId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `groups`: every group and player of a household.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Groups {
    pub groups: Vec<Group>,
    pub players: Vec<Player>,
    /// Set when Sonos dropped invalid players or groups, or the household is changing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<bool>,
}

/// A group of players playing in sync. Its ID is ephemeral: see [`GroupId`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: GroupId,
    #[serde(default)]
    pub name: String,
    pub coordinator_id: PlayerId,
    /// Present only in the getGroups response, never in `groups` events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playback_state: Option<PlaybackState>,
    /// Every player in the group, the coordinator included.
    #[serde(default)]
    pub player_ids: Vec<PlayerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_ids: Option<Vec<String>>,
}

/// `groupInfo`: the answer to a regrouping command.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GroupInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<Group>,
}

/// A player: one room, or one bonded set (stereo pair, home theater with sub and surrounds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Player {
    pub id: PlayerId,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websocket_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_api_version: Option<String>,
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    /// One entry per physical device in the bonded set.
    #[serde(default)]
    pub device_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Deprecated by Sonos in favour of the `CLOUD` capability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_unregistered: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest_url: Option<String>,
}

impl Player {
    /// Whether the player reports `cap`.
    pub fn has(&self, cap: &Capability) -> bool {
        self.capabilities.contains(cap)
    }
}

open_enum!(
    /// What a player can do.
    Capability {
        Playback = "PLAYBACK",
        Cloud = "CLOUD",
        HtPlayback = "HT_PLAYBACK",
        HtPowerState = "HT_POWER_STATE",
        Airplay = "AIRPLAY",
        LineIn = "LINE_IN",
        AudioClip = "AUDIO_CLIP",
        Voice = "VOICE",
        SpeakerDetection = "SPEAKER_DETECTION",
        FixedVolume = "FIXED_VOLUME",
        RoomDetection = "ROOM_DETECTION",
    }
);

/// Body of `createGroup`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateGroup {
    pub player_ids: Vec<PlayerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub music_context_group_id: Option<GroupId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_ids: Option<Vec<String>>,
}

/// Body of `modifyGroupMembers`: adds first, then removes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ModifyGroupMembers {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub player_ids_to_add: Vec<PlayerId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub player_ids_to_remove: Vec<PlayerId>,
}

/// Body of `setGroupMembers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetGroupMembers {
    pub player_ids: Vec<PlayerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_ids: Option<Vec<String>>,
}

open_enum!(
    /// What happened to a group a subscriber was following.
    GroupStatus {
        Gone = "GROUP_STATUS_GONE",
        Moved = "GROUP_STATUS_MOVED",
        Updated = "GROUP_STATUS_UPDATED",
    }
);

/// `groupCoordinatorChanged`: sent to a group's subscribers when it dissolves or moves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupCoordinatorChanged {
    pub group_status: GroupStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub websocket_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub player_id: Option<PlayerId>,
}
