//! Playback sessions (REFERENCE §4.12): an app's hold on what a group plays, through which
//! it loads a stream URL or a cloud queue.

use crate::ids::SessionId;
use crate::models::Container;
use crate::open_enum::open_enum;
use serde::{Deserialize, Serialize};

/// Body of createSession, joinSession and joinOrCreateSession.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSession {
    /// Reverse-DNS application ID (≤ 127 characters).
    pub app_id: String,
    /// The app's context for the session, e.g. a user or a device (≤ 127 characters).
    pub app_context: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<String>,
}

open_enum!(
    /// Where a session stands.
    SessionState { Connected = "SESSION_STATE_CONNECTED", }
);

/// `sessionStatus`: the session made or joined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    pub session_id: SessionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_state: Option<SessionState>,
    /// False when an existing session was joined.
    #[serde(default)]
    pub session_created: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<String>,
}

/// Body of loadStreamUrl: a live stream (a radio station's URL) to play.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadStreamUrl {
    pub stream_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub play_on_completion: Option<bool>,
    /// What the group shows for it: its name (and `type: "station"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station_metadata: Option<Container>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
}

/// `sessionInfo`: a session suspended or resumed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended: Option<bool>,
}
