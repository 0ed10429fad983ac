//! What a simulator instance is configured with. Everything REFERENCE.md lists as unknown
//! about Sonos is a setting here, with the documented or most likely behaviour as default.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The client ID the simulator accepts unless told otherwise.
pub const DEFAULT_CLIENT_ID: &str = "roomtone-sim-client";
/// The client secret the simulator accepts unless told otherwise.
pub const DEFAULT_CLIENT_SECRET: &str = "roomtone-sim-secret";

/// See the module documentation.
#[derive(Clone)]
pub struct Config {
    /// Seeds IDs, tokens and fault dice: the same seed gives the same household and tokens.
    pub seed: u64,
    /// The integration's client ID ("key").
    pub client_id: String,
    /// The integration's client secret.
    pub client_secret: String,
    /// The integration's display name, shown on the consent page.
    pub integration_name: String,
    /// Registered redirect URIs; the authorize call's must equal one of them.
    pub redirect_uris: Vec<String>,
    /// The registered event callback URL; without one, subscribing answers 403.
    pub event_callback: Option<String>,
    /// Skip the consent page and redirect with a code at once.
    pub auto_consent: bool,
    /// `expires_in` of access tokens, in seconds (Sonos: 86400).
    pub access_token_lifetime_secs: u64,
    /// How long an authorization code can be exchanged.
    pub code_lifetime_secs: u64,
    /// Whether refresh returns a new refresh token (and a reused old one revokes the family).
    pub rotate_refresh_tokens: bool,
    /// The body of a Control API 401.
    pub unauthorized_style: UnauthorizedStyle,
    /// How long `play` stays in `BUFFERING` before `PLAYING`.
    pub buffering: Duration,
    /// How long one event POST may take before it counts as failed (Sonos: 1 s).
    pub event_timeout: Duration,
    /// The pause between event delivery attempts (Sonos: 1 s).
    pub event_retry_interval: Duration,
    /// Delivery retries after the first attempt (Sonos: 3).
    pub event_retries: u32,
    /// Which namespaces send the current state to a new subscriber.
    pub initial_events: InitialEvents,
    /// How long an audio clip plays before it is `DONE`.
    pub audio_clip_duration: Duration,
    /// Which forms of getPlaylist the Control API answers (REFERENCE §4.8, §10 item 11).
    pub playlist_forms: PlaylistForms,
    /// Whether this integration may open playback sessions (REFERENCE §4.12: they are
    /// mostly for content partners; what Sonos answers anyone else is not known).
    pub playback_sessions: PlaybackSessions,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("seed", &self.seed)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_uris", &self.redirect_uris)
            .field("event_callback", &self.event_callback)
            .field("auto_consent", &self.auto_consent)
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            seed: 1,
            client_id: DEFAULT_CLIENT_ID.into(),
            client_secret: DEFAULT_CLIENT_SECRET.into(),
            integration_name: "Roomtone".into(),
            redirect_uris: Vec::new(),
            event_callback: None,
            auto_consent: false,
            access_token_lifetime_secs: 86_400,
            code_lifetime_secs: 300,
            rotate_refresh_tokens: false,
            unauthorized_style: UnauthorizedStyle::OAuth,
            buffering: Duration::from_millis(300),
            event_timeout: Duration::from_secs(1),
            event_retry_interval: Duration::from_secs(1),
            event_retries: 3,
            initial_events: InitialEvents::Documented,
            audio_clip_duration: Duration::from_secs(4),
            playlist_forms: PlaylistForms::Both,
            playback_sessions: PlaybackSessions::Allowed,
        }
    }
}

/// The two 401 bodies seen from the Control API (REFERENCE §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum UnauthorizedStyle {
    /// `{"error":"access_denied","error_description":"Invalid Token"}` (current).
    #[value(name = "oauth")]
    OAuth,
    /// `{"fault":{"faultstring":…,"detail":{"errorcode":"keymanagement.service.…"}}}` (older).
    Fault,
}

/// Which subscriptions get the current state at once (REFERENCE §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum InitialEvents {
    /// Only `playbackMetadata` and `playerVolume`, as documented.
    Documented,
    /// Every namespace.
    All,
    /// None.
    None,
}

/// The two documented forms of getPlaylist (REFERENCE §4.8): `GET …/playlists/{id}` (the
/// OAS, 1.18.1+) and `POST …/playlists/getPlaylist` (older pages). Which one the cloud
/// answers today is not known; the form it does not answer gets 404
/// `ERROR_UNSUPPORTED_COMMAND`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum PlaylistForms {
    /// Both.
    Both,
    /// Only `GET …/playlists/{id}`.
    Current,
    /// Only `POST …/playlists/getPlaylist`.
    Legacy,
}

impl PlaylistForms {
    /// Whether the `GET …/playlists/{id}` form is answered.
    pub fn current(self) -> bool {
        self != Self::Legacy
    }

    /// Whether the `POST …/playlists/getPlaylist` form is answered.
    pub fn legacy(self) -> bool {
        self != Self::Current
    }
}

/// Whether createSession and joinOrCreateSession are allowed (see
/// [`Config::playback_sessions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum PlaybackSessions {
    /// Sessions open, as for a content partner.
    Allowed,
    /// 403 `ERROR_NO_PERMISSION`: this integration may not open sessions.
    Refused,
}
