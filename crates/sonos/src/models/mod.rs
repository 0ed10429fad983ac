//! Serde models of every Sonos Control API object (REFERENCE §5), split by namespace.
//!
//! Decoding is tolerant by design: unknown fields are ignored, every field Sonos may omit is
//! an `Option` or defaults to empty, and enums keep unknown values in an `Other` variant.
//! Encoding omits `None` fields, so a model can also serve as a request body or, in the
//! simulator, as a response.

mod audio_clip;
mod errors;
mod event_bodies;
mod favorites;
mod groups;
mod home_theater;
mod metadata;
mod playback;
mod playback_session;
mod playlists;
mod settings;
mod volume;

pub use audio_clip::*;
pub use errors::*;
pub use event_bodies::*;
pub use favorites::*;
pub use groups::*;
pub use home_theater::*;
pub use metadata::*;
pub use playback::*;
pub use playback_session::*;
pub use playlists::*;
pub use settings::*;
pub use volume::*;

use serde::{Deserialize, Serialize};

/// The empty success body (`{}`, `X-Sonos-Type: none`) most commands answer with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}
