//! Sonos favorites (REFERENCE §4.7, §5 "Favorites and playlists").

use crate::ids::FavoriteId;
use crate::models::{MusicObjectId, PlayModes, Service};
use crate::open_enum::open_enum;
use serde::{Deserialize, Serialize};

/// `favoritesList`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FavoritesList {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub items: Vec<Favorite>,
}

/// One favorite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Favorite {
    pub id: FavoriteId,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_compilation: Option<Vec<String>>,
    /// Undocumented but present in real payloads: what the favorite points at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<FavoriteResource>,
}

/// The `resource` of a favorite: its kind (`PLAYLIST`, `ALBUM`, `STATION`…) and ID.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FavoriteResource {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<MusicObjectId>,
}

open_enum!(
    /// How loading a favorite or playlist treats the queue.
    LoadAction {
        /// Replace the queue with the new content (docs.sonos.com, "queue action").
        Replace = "REPLACE",
        /// Add to the end of the queue (Sonos's default); what plays goes on.
        Append = "APPEND",
        /// Add to the end of the queue and move the playback head to the first of the new
        /// content: it plays now, the rest of the queue kept before it.
        Insert = "INSERT",
        /// Put the new content right after what is playing: it plays next.
        InsertNext = "INSERT_NEXT",
    }
);

/// Body of `loadFavorite`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadFavorite {
    pub favorite_id: FavoriteId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<LoadAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub play_modes: Option<PlayModes>,
    /// Start playing once loaded; Sonos's default (false) leaves the group idle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub play_on_completion: Option<bool>,
}
