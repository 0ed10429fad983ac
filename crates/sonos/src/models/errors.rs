//! Error envelopes Sonos sends in response bodies and events (REFERENCE §3).

use crate::ids::PlayerId;
use crate::open_enum::open_enum;
use serde::{Deserialize, Serialize};

open_enum!(
    /// `errorCode` values seen in the documentation, the OpenAPI file and real traffic.
    ErrorCode {
        InvalidObjectId = "ERROR_INVALID_OBJECT_ID",
        InvalidParameter = "ERROR_INVALID_PARAMETER",
        InvalidSyntax = "ERROR_INVALID_SYNTAX",
        MissingParameters = "ERROR_MISSING_PARAMETERS",
        NoPermission = "ERROR_NO_PERMISSION",
        GroupChanged = "ERROR_GROUP_CHANGED",
        UnsupportedNamespace = "ERROR_UNSUPPORTED_NAMESPACE",
        UnsupportedCommand = "ERROR_UNSUPPORTED_COMMAND",
        NotCapable = "ERROR_NOT_CAPABLE",
        CmdFuture = "ERROR_CMD_FUTURE",
        ResourceGone = "ERROR_RESOURCE_GONE",
        CommandFailed = "ERROR_COMMAND_FAILED",
        /// Legacy spelling of `ERROR_COMMAND_FAILED`.
        CmdFailed = "ERROR_CMD_FAILED",
        QueueFull = "ERROR_QUEUE_FULL",
        Nyi = "ERROR_NYI",
        PlaybackFailed = "ERROR_PLAYBACK_FAILED",
        PlaybackNoContent = "ERROR_PLAYBACK_NO_CONTENT",
        NoContent = "ERROR_NO_CONTENT",
        SkipLimitReached = "ERROR_SKIP_LIMIT_REACHED",
        DisallowedByPolicy = "ERROR_DISALLOWED_BY_POLICY",
        SessionInProgress = "ERROR_SESSION_IN_PROGRESS",
        SessionJoinFailed = "ERROR_SESSION_JOIN_FAILED",
        SessionEvicted = "ERROR_SESSION_EVICTED",
        AccountInvalidId = "ERROR_ACCOUNT_INVALID_ID",
        CloudQueueServer = "ERROR_CLOUD_QUEUE_SERVER",
        Internal = "ERROR_INTERNAL",
        AudioClipIdNotFound = "ERROR_AUDIO_CLIP_ID_NOT_FOUND",
        AudioClipMediaError = "ERROR_AUDIO_CLIP_MEDIA_ERROR",
        AudioClipPauseContentFailed = "ERROR_AUDIO_CLIP_PAUSE_CONTENT_FAILED",
    }
);

/// `globalError` (and its `playerSetError` variant with `playerIds`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalError {
    pub error_code: ErrorCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The offending players of an `ERROR_INVALID_PARAMETER` on a regrouping command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub player_ids: Option<Vec<PlayerId>>,
}

impl GlobalError {
    /// An error with a code and a reason.
    pub fn new(error_code: ErrorCode, reason: impl Into<String>) -> Self {
        Self {
            error_code,
            reason: Some(reason.into()),
            player_ids: None,
        }
    }
}

/// `playbackError`, sent as an event when playback fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaybackError {
    pub error_code: ErrorCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_version: Option<String>,
}

/// `sessionError`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<ErrorCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
}

/// `accountError`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountError {
    pub error_code: ErrorCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}
