//! Group and player volume (REFERENCE §4.5, §4.6, §5 "Volume").

use serde::{Deserialize, Serialize};

/// `groupVolume` and `playerVolume` share this shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    /// 0..=100. A group's volume is the average of its players'.
    pub volume: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    /// A fixed-volume player (line-level output) refuses volume changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<bool>,
}

/// `groupVolume`.
pub type GroupVolume = Volume;
/// `playerVolume`.
pub type PlayerVolume = Volume;

/// Body of group `setVolume`: `{volume}`; of player `setVolume`: `{volume?, muted?}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SetVolume {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
}

/// Body of `setRelativeVolume`: `{volumeDelta}` (group) or `{volumeDelta?, muted?}` (player).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SetRelativeVolume {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_delta: Option<i16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
}

/// Body of `setMute`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetMute {
    pub muted: bool,
}

/// Body of player `duck`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Duck {
    /// 0..=60000; Sonos defaults to 3000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_millis: Option<u32>,
}
