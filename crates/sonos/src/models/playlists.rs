//! Sonos playlists (REFERENCE §4.8, §5 "Favorites and playlists").

use crate::ids::PlaylistId;
use crate::models::{LoadAction, PlayModes};
use serde::{Deserialize, Serialize};

/// `playlistsList`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlaylistsList {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub playlists: Vec<Playlist>,
}

/// One playlist in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Playlist {
    pub id: PlaylistId,
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_count: Option<u32>,
    /// Not in the documentation; the simulator sends it and real payloads may.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

/// `playlistSummary`: a playlist with its tracks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaylistSummary {
    pub id: PlaylistId,
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub tracks: Vec<PlaylistTrack>,
}

/// A track of a [`PlaylistSummary`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlaylistTrack {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artist: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub album: Option<String>,
}

/// Body of `loadPlaylist`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadPlaylist {
    pub playlist_id: PlaylistId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<LoadAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub play_modes: Option<PlayModes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub play_on_completion: Option<bool>,
}

/// Body of the older `POST …/playlists/getPlaylist` form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetPlaylist {
    pub playlist_id: PlaylistId,
}
