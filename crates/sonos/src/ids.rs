//! Identifier newtypes. Each is a transparent string on the wire, so a new ID format from
//! Sonos never breaks decoding, and each is its own type, so a group ID can't be passed
//! where a player ID belongs.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a raw ID as received from Sonos or typed by a user.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The ID as it goes on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

id_type!(
    /// A household (`Sonos_…`): stable, but changes when the players move to another network.
    HouseholdId
);
id_type!(
    /// A group (`RINCON_<coordinator>:<n>`): ephemeral, changes on every regrouping.
    GroupId
);
id_type!(
    /// A player (`RINCON_<MAC>01400`): permanent. A bonded set (stereo pair, home theater) is one player.
    PlayerId
);
id_type!(
    /// A favorite in the household's Sonos favorites.
    FavoriteId
);
id_type!(
    /// A Sonos playlist.
    PlaylistId
);
id_type!(
    /// An audio clip played on a player.
    AudioClipId
);
id_type!(
    /// A playback session on a group (`playbackSession`): an app's hold on what the group plays.
    SessionId
);
