//! One handler per Control API namespace (REFERENCE §4.1–4.11), reached from [`Client`]:
//! `client.playback().play(&group)`, `client.group_volume().set(&group, 30)`.
//!
//! Handlers borrow the client and take the target of each command as an argument, because
//! some namespaces address a household for one command and a group for another.

mod audio_clip;
mod favorites;
mod groups;
mod home_theater;
mod households;
mod metadata;
mod playback;
mod playback_session;
mod playlists;
mod settings;
mod volume;

pub use audio_clip::AudioClipHandler;
pub use favorites::FavoritesHandler;
pub use groups::GroupsHandler;
pub use home_theater::HomeTheaterHandler;
pub use households::HouseholdsHandler;
pub use metadata::PlaybackMetadataHandler;
pub use playback::PlaybackHandler;
pub use playback_session::PlaybackSessionHandler;
pub use playlists::PlaylistsHandler;
pub use settings::SettingsHandler;
pub use volume::{GroupVolumeHandler, PlayerVolumeHandler};

use crate::client::{Call, Client};
use crate::error::Result;
use crate::ids::{GroupId, HouseholdId, PlayerId, SessionId};

/// What a command addresses: the first two segments of its path.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    Household(&'a HouseholdId),
    Group(&'a GroupId),
    Player(&'a PlayerId),
    /// A playback session, as docs.sonos.com addresses it (`/playbackSessions/{id}`).
    Session(&'a SessionId),
}

impl Target<'_> {
    /// `[households|groups|players, id, rest…]`.
    pub fn path(&self, rest: &[&str]) -> Vec<String> {
        let (kind, id) = match self {
            Target::Household(id) => ("households", id.as_str()),
            Target::Group(id) => ("groups", id.as_str()),
            Target::Player(id) => ("players", id.as_str()),
            Target::Session(id) => ("playbackSessions", id.as_str()),
        };
        [kind, id]
            .into_iter()
            .chain(rest.iter().copied())
            .map(str::to_owned)
            .collect()
    }

    pub fn describe(&self) -> String {
        match self {
            Target::Household(id) => format!("household {id}"),
            Target::Group(id) => format!("group {id}"),
            Target::Player(id) => format!("player {id}"),
            Target::Session(id) => format!("playback session {id}"),
        }
    }

    pub fn get(&self, rest: &[&str], expected: &'static str) -> Call {
        Call::get(self.describe(), self.path(rest), expected)
    }

    pub fn post(&self, rest: &[&str], idempotent: bool) -> Call {
        Call::post(self.describe(), self.path(rest), idempotent)
    }

    pub fn delete(&self, rest: &[&str]) -> Call {
        Call::delete(self.describe(), self.path(rest))
    }
}

impl Client {
    /// `households`.
    pub fn households(&self) -> HouseholdsHandler<'_> {
        HouseholdsHandler { client: self }
    }
    /// `groups`: listing and regrouping.
    pub fn groups(&self) -> GroupsHandler<'_> {
        GroupsHandler { client: self }
    }
    /// `playback`: transport and play modes of a group.
    pub fn playback(&self) -> PlaybackHandler<'_> {
        PlaybackHandler { client: self }
    }
    /// `playbackMetadata`: what a group is playing.
    pub fn playback_metadata(&self) -> PlaybackMetadataHandler<'_> {
        PlaybackMetadataHandler { client: self }
    }
    /// `groupVolume`.
    pub fn group_volume(&self) -> GroupVolumeHandler<'_> {
        GroupVolumeHandler { client: self }
    }
    /// `playerVolume`.
    pub fn player_volume(&self) -> PlayerVolumeHandler<'_> {
        PlayerVolumeHandler { client: self }
    }
    /// `favorites`.
    pub fn favorites(&self) -> FavoritesHandler<'_> {
        FavoritesHandler { client: self }
    }
    /// `playlists`.
    pub fn playlists(&self) -> PlaylistsHandler<'_> {
        PlaylistsHandler { client: self }
    }
    /// `playbackSession`.
    pub fn playback_session(&self) -> PlaybackSessionHandler<'_> {
        PlaybackSessionHandler { client: self }
    }
    /// `audioClip`.
    pub fn audio_clip(&self) -> AudioClipHandler<'_> {
        AudioClipHandler { client: self }
    }
    /// `homeTheater`.
    pub fn home_theater(&self) -> HomeTheaterHandler<'_> {
        HomeTheaterHandler { client: self }
    }
    /// `settings`.
    pub fn settings(&self) -> SettingsHandler<'_> {
        SettingsHandler { client: self }
    }

    /// `POST {target}/{namespace}/subscription`.
    pub(crate) async fn subscribe(&self, target: Target<'_>, namespace: &str) -> Result<()> {
        self.send_ok(target.post(&[namespace, "subscription"], true))
            .await
    }

    /// `DELETE {target}/{namespace}/subscription`.
    pub(crate) async fn unsubscribe(&self, target: Target<'_>, namespace: &str) -> Result<()> {
        self.send_ok(target.delete(&[namespace, "subscription"]))
            .await
    }
}

/// Adds `subscribe` and `unsubscribe` for a namespace whose target is `$id`.
macro_rules! subscription {
    ($namespace:literal, $id:ty, $target:ident) => {
        /// Subscribes this integration's event callback to the namespace on `target`.
        /// Sonos keeps a subscription for 3 days; subscribe again to renew it.
        pub async fn subscribe(&self, target: &$id) -> crate::error::Result<()> {
            self.client
                .subscribe(crate::api::Target::$target(target), $namespace)
                .await
        }

        /// Ends the subscription to the namespace on `target`.
        pub async fn unsubscribe(&self, target: &$id) -> crate::error::Result<()> {
            self.client
                .unsubscribe(crate::api::Target::$target(target), $namespace)
                .await
        }
    };
}
pub(crate) use subscription;
