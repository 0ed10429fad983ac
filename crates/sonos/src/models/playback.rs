//! Playback state, play modes and available actions (REFERENCE §5 "Playback").

use crate::open_enum::open_enum;
use serde::{Deserialize, Serialize};

open_enum!(
    /// A group's transport state.
    PlaybackState {
        Idle = "PLAYBACK_STATE_IDLE",
        Buffering = "PLAYBACK_STATE_BUFFERING",
        Paused = "PLAYBACK_STATE_PAUSED",
        Playing = "PLAYBACK_STATE_PLAYING",
    }
);

/// `playbackStatus`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaybackStatus {
    pub playback_state: PlaybackState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_ducking: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_millis: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_item_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_position_millis: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub play_modes: Option<PlayModes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_playback_actions: Option<PlaybackActions>,
}

/// `playMode`. In a request, an omitted mode is left unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlayModes {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat_one: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shuffle: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crossfade: Option<bool>,
}

/// `playbackAction`: what the current source allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlaybackActions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_skip: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_skip_back: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_seek: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_pause: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_stop: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_repeat: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_repeat_one: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_crossfade: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_shuffle: Option<bool>,
}

/// `playbackPolicy` of a queue item. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlaybackPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_skip: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_skip_back: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limited_skips: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_seek: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_skip_to_item: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_repeat: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_repeat_one: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_crossfade: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_shuffle: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_resume: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pause_at_end_of_queue: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_auth_while_paused: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_n_next_tracks: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_n_previous_tracks: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_visible: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_user_intent: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pause_ttl_sec: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub play_ttl_sec: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pause_on_duck: Option<bool>,
}

/// Body of `seek`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seek {
    pub position_millis: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
}

/// Body of `seekRelative`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeekRelative {
    pub delta_millis: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
}

/// Body of `playMode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetPlayModes {
    pub play_modes: PlayModes,
}

/// Body of `lineIn`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LoadLineIn {
    /// The player whose line-in to play; the coordinator when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<crate::ids::PlayerId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub play_on_completion: Option<bool>,
}
