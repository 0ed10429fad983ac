//! Sonos events as they arrive at the callback URL (REFERENCE §6): the seven `X-Sonos-*`
//! headers, the body named by `X-Sonos-Type`, and the signature over the headers.
//!
//! ```text
//! signature = base64url_nopad(SHA256(seqId ‖ namespace ‖ type ‖ targetType ‖ targetValue ‖ clientKey ‖ clientSecret))
//! ```

use crate::client::decode;
use crate::error::{Error, Result};
use crate::ids::HouseholdId;
use crate::models::{
    AudioClipStatus, GroupCoordinatorChanged, GroupVolume, Groups, MetadataStatus, PlaybackError,
    PlaybackStatus, PlayerVolume, SessionError, VersionChanged,
};
use crate::open_enum::open_enum;
use crate::secret::{ClientSecret, Secret};
use base64::Engine;
use http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The seven event headers, in the order the signature covers the ones it covers.
pub mod header {
    pub const HOUSEHOLD_ID: &str = "x-sonos-household-id";
    pub const SEQ_ID: &str = "x-sonos-event-seq-id";
    pub const SIGNATURE: &str = "x-sonos-event-signature";
    pub const NAMESPACE: &str = "x-sonos-namespace";
    pub const TYPE: &str = "x-sonos-type";
    pub const TARGET_TYPE: &str = "x-sonos-target-type";
    pub const TARGET_VALUE: &str = "x-sonos-target-value";
}

open_enum!(
    /// A Control API namespace, as events name it (`X-Sonos-Namespace`) and as a
    /// subscription's path does (`…/{namespace}/subscription`).
    Namespace {
        Groups = "groups",
        Playback = "playback",
        PlaybackMetadata = "playbackMetadata",
        PlaybackSession = "playbackSession",
        GroupVolume = "groupVolume",
        PlayerVolume = "playerVolume",
        Favorites = "favorites",
        Playlists = "playlists",
        AudioClip = "audioClip",
        HomeTheater = "homeTheater",
        Settings = "settings",
    }
);

impl From<String> for Namespace {
    fn from(value: String) -> Self {
        Self::from(value.as_str())
    }
}

open_enum!(
    /// What `X-Sonos-Target-Value` identifies.
    TargetType {
        HouseholdId = "householdId",
        GroupId = "groupId",
        PlayerId = "playerId",
        SessionId = "sessionId",
    }
);

/// The headers of one event delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventHeaders {
    pub household_id: HouseholdId,
    /// Ordering and de-duplication key; its scope and format are undocumented (REFERENCE §6.5).
    pub seq_id: String,
    pub signature: String,
    pub namespace: Namespace,
    /// The body's object type, e.g. `playbackStatus`.
    pub event_type: String,
    pub target_type: TargetType,
    pub target_value: String,
}

impl EventHeaders {
    /// Reads the seven headers; a missing or non-text header is an error.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self> {
        let get = |name: &'static str| -> Result<String> {
            let value = headers.get(name).ok_or(Error::MissingEventHeader(name))?;
            let text = value
                .to_str()
                .map_err(|_| Error::InvalidEventHeader(name))?;
            if text.is_empty() {
                return Err(Error::InvalidEventHeader(name));
            }
            Ok(text.to_owned())
        };
        Ok(Self {
            household_id: HouseholdId::new(get(header::HOUSEHOLD_ID)?),
            seq_id: get(header::SEQ_ID)?,
            signature: get(header::SIGNATURE)?,
            namespace: Namespace::from(get(header::NAMESPACE)?.as_str()),
            event_type: get(header::TYPE)?,
            target_type: TargetType::from(get(header::TARGET_TYPE)?.as_str()),
            target_value: get(header::TARGET_VALUE)?,
        })
    }

    /// The headers as name/value pairs, for sending an event (the simulator does).
    pub fn to_pairs(&self) -> [(&'static str, String); 7] {
        [
            (header::HOUSEHOLD_ID, self.household_id.to_string()),
            (header::SEQ_ID, self.seq_id.clone()),
            (header::SIGNATURE, self.signature.clone()),
            (header::NAMESPACE, self.namespace.to_string()),
            (header::TYPE, self.event_type.clone()),
            (header::TARGET_TYPE, self.target_type.to_string()),
            (header::TARGET_VALUE, self.target_value.clone()),
        ]
    }

    /// The signature these headers should carry for the integration `client_id`.
    pub fn expected_signature(&self, client_id: &str, secret: &ClientSecret) -> String {
        signature(
            &self.seq_id,
            self.namespace.as_str(),
            &self.event_type,
            self.target_type.as_str(),
            &self.target_value,
            client_id,
            secret,
        )
    }

    /// Checks `X-Sonos-Event-Signature` in constant time.
    pub fn verify(&self, client_id: &str, secret: &ClientSecret) -> Result<()> {
        let expected = self.expected_signature(client_id, secret);
        let presented = self.signature.as_bytes();
        let ok =
            presented.len() == expected.len() && bool::from(presented.ct_eq(expected.as_bytes()));
        if ok {
            Ok(())
        } else {
            Err(Error::BadEventSignature)
        }
    }
}

/// Computes an event signature (REFERENCE §6.4): plain SHA-256 over the concatenation, not
/// an HMAC, encoded as URL-safe base64 without padding.
pub fn signature(
    seq_id: &str,
    namespace: &str,
    event_type: &str,
    target_type: &str,
    target_value: &str,
    client_id: &str,
    secret: &ClientSecret,
) -> String {
    let mut hash = Sha256::new();
    for part in [
        seq_id,
        namespace,
        event_type,
        target_type,
        target_value,
        client_id,
        secret.expose(),
    ] {
        hash.update(part.as_bytes());
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hash.finalize())
}

/// A decoded event body, by `X-Sonos-Type`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventBody {
    Groups(Groups),
    GroupCoordinatorChanged(GroupCoordinatorChanged),
    PlaybackStatus(PlaybackStatus),
    PlaybackError(PlaybackError),
    MetadataStatus(Box<MetadataStatus>),
    GroupVolume(GroupVolume),
    PlayerVolume(PlayerVolume),
    VersionChanged(VersionChanged),
    AudioClipStatus(AudioClipStatus),
    SessionError(SessionError),
    /// A type this version does not know, kept as JSON.
    Other(serde_json::Value),
}

/// One event: who it is about and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub headers: EventHeaders,
    pub body: EventBody,
}

impl Event {
    /// Reads an event delivery without checking its signature.
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self> {
        let headers = EventHeaders::from_headers(headers)?;
        let body = parse_body(&headers.event_type, body)?;
        Ok(Self { headers, body })
    }

    /// Reads an event delivery and checks its signature before decoding the body.
    pub fn verified(
        headers: &HeaderMap,
        body: &[u8],
        client_id: &str,
        secret: &ClientSecret,
    ) -> Result<Self> {
        let headers = EventHeaders::from_headers(headers)?;
        headers.verify(client_id, secret)?;
        let body = parse_body(&headers.event_type, body)?;
        Ok(Self { headers, body })
    }
}

/// Decodes an event body by its `X-Sonos-Type`.
pub fn parse_body(event_type: &str, body: &[u8]) -> Result<EventBody> {
    Ok(match event_type {
        "groups" => EventBody::Groups(decode(body, "groups")?),
        "groupCoordinatorChanged" => {
            EventBody::GroupCoordinatorChanged(decode(body, "groupCoordinatorChanged")?)
        }
        "playbackStatus" => EventBody::PlaybackStatus(decode(body, "playbackStatus")?),
        "playbackError" => EventBody::PlaybackError(decode(body, "playbackError")?),
        "metadataStatus" => EventBody::MetadataStatus(Box::new(decode(body, "metadataStatus")?)),
        "groupVolume" => EventBody::GroupVolume(decode(body, "groupVolume")?),
        "playerVolume" => EventBody::PlayerVolume(decode(body, "playerVolume")?),
        "versionChanged" => EventBody::VersionChanged(decode(body, "versionChanged")?),
        "audioClipStatus" => EventBody::AudioClipStatus(decode(body, "audioClipStatus")?),
        "sessionError" => EventBody::SessionError(decode(body, "sessionError")?),
        _ => EventBody::Other(decode(body, "event")?),
    })
}
