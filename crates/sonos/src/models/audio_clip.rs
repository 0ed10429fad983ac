//! Audio clips: chimes and announcements over what is playing (REFERENCE §4.9).

use crate::ids::AudioClipId;
use crate::open_enum::open_enum;
use serde::{Deserialize, Serialize};

open_enum!(
    /// Clip priority: LOW cannot interrupt HIGH.
    AudioClipPriority { Low = "LOW", High = "HIGH", }
);

open_enum!(
    /// Kind of clip.
    AudioClipType { Chime = "CHIME", Custom = "CUSTOM", VoiceAssistant = "VOICE_ASSISTANT", }
);

open_enum!(
    /// Lifecycle of a clip.
    AudioClipState {
        Active = "ACTIVE",
        Done = "DONE",
        Dismissed = "DISMISSED",
        Inactive = "INACTIVE",
        Interrupted = "INTERRUPTED",
        Error = "ERROR",
        /// Before API 11.
        Pending = "PENDING",
    }
);

/// Body of `loadAudioClip`. No `PartialEq`: it may carry a credential.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadAudioClip {
    pub name: String,
    /// Reverse-DNS application ID, e.g. `com.roomtone.app`.
    pub app_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<AudioClipPriority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip_type: Option<AudioClipType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_url: Option<String>,
    /// A credential for the stream's host; redacted under `Debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_authorization: Option<crate::secret::StreamAuthorization>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<u8>,
}

/// `audioClip`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioClip {
    pub id: AudioClipId,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub app_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<AudioClipPriority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip_type: Option<AudioClipType>,
    pub status: AudioClipState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

/// `audioClipStatus`: every clip on a player, from all apps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AudioClipStatus {
    pub audio_clips: Vec<AudioClip>,
}
