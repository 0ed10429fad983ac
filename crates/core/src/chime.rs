//! Chimes: a short sound over what a room plays (Sonos's `audioClip`, on rooms with the
//! `AUDIO_CLIP` capability). Ringing one is an [`crate::Action::Chime`]; what became of it
//! — still ringing, done, failed — is followed through Sonos's `audioClipStatus` events and
//! kept in [`crate::Live::chimes`], the last one per room.

use roomtone_sonos::models::{
    AudioClip, AudioClipPriority, AudioClipState, AudioClipType, LoadAudioClip,
};
use roomtone_sonos::{AudioClipId, PlayerId};
use serde::Serialize;

/// What the clip is called on Sonos (other apps see it in `audioClipStatus`).
const CLIP_NAME: &str = "Roomtone chime";
/// Roomtone's reverse-DNS application ID, as Sonos asks for one.
pub const APP_ID: &str = "com.roomtone.desktop";
/// Sonos's limit on a clip's `streamUrl`.
pub const MAX_URL: usize = 1024;

/// The last chime Roomtone rang in a room, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Chime {
    pub room: PlayerId,
    pub id: AudioClipId,
    pub status: ChimeStatus,
    /// Whether Sonos's events about it reach Roomtone (an event stream is open). Without
    /// them a chime stays [`ChimeStatus::Ringing`] as Sonos first answered: a surface says
    /// it was sent rather than that it still rings.
    pub followed: bool,
    /// Why it failed, in words, when it did.
    pub problem: Option<String>,
}

/// Where a chime stands (Sonos's clip status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ChimeStatus {
    /// Playing, or about to (`ACTIVE`).
    Ringing,
    /// Played to its end (`DONE`).
    Done,
    /// Another clip cut it off (`INTERRUPTED`).
    Interrupted,
    /// Cancelled before its end (`DISMISSED`, `INACTIVE`).
    Dismissed,
    /// The speaker could not play it (`ERROR`).
    Failed,
}

impl ChimeStatus {
    fn of(state: &AudioClipState) -> Self {
        match state {
            AudioClipState::Done => Self::Done,
            AudioClipState::Interrupted => Self::Interrupted,
            AudioClipState::Dismissed | AudioClipState::Inactive => Self::Dismissed,
            AudioClipState::Error => Self::Failed,
            // ACTIVE, and PENDING of older players, and anything new: under way.
            _ => Self::Ringing,
        }
    }
}

/// The loadAudioClip request for a chime: Sonos's own chime sound unless `url` names
/// another (an MP3 or WAV), at `volume` when given (else the room's own).
pub(crate) fn request(url: Option<&str>, volume: Option<u8>) -> LoadAudioClip {
    LoadAudioClip {
        name: CLIP_NAME.into(),
        app_id: APP_ID.into(),
        priority: Some(AudioClipPriority::Low),
        clip_type: Some(match url {
            Some(_) => AudioClipType::Custom,
            None => AudioClipType::Chime,
        }),
        stream_url: url.map(str::to_owned),
        http_authorization: None,
        volume: volume.map(|v| v.min(100)),
    }
}

impl Chime {
    /// The chime Sonos answered loadAudioClip with.
    pub(crate) fn started(room: &PlayerId, clip: &AudioClip, followed: bool) -> Self {
        let mut chime = Self {
            room: room.clone(),
            id: clip.id.clone(),
            status: ChimeStatus::Ringing,
            followed,
            problem: None,
        };
        chime.apply(clip);
        chime
    }

    /// Takes what Sonos says of this clip now.
    fn apply(&mut self, clip: &AudioClip) {
        self.status = ChimeStatus::of(&clip.status);
        self.problem =
            (self.status == ChimeStatus::Failed).then(|| problem(clip.error_code.as_deref()));
    }
}

/// Applies an `audioClipStatus` event of `room` (every clip on it, from every app) to the
/// chimes Roomtone rang there; true when one changed.
pub(crate) fn apply_status(chimes: &mut [Chime], room: &str, clips: &[AudioClip]) -> bool {
    let mut changed = false;
    for chime in chimes.iter_mut().filter(|c| c.room == room) {
        if let Some(clip) = clips.iter().find(|c| c.id == chime.id) {
            let before = chime.clone();
            chime.apply(clip);
            chime.followed = true;
            changed |= *chime != before;
        }
    }
    changed
}

/// Keeps `chime` as the room's last one.
pub(crate) fn keep(chimes: &mut Vec<Chime>, chime: Chime) {
    chimes.retain(|c| c.room != chime.room);
    chimes.push(chime);
}

/// Why a clip failed, in words (REFERENCE §3.3's clip error codes).
fn problem(code: Option<&str>) -> String {
    match code {
        Some("ERROR_AUDIO_CLIP_MEDIA_ERROR") => {
            "the speaker could not play the sound: is it an MP3 or WAV file it can reach?".into()
        }
        Some("ERROR_AUDIO_CLIP_PAUSE_CONTENT_FAILED") => {
            "the speaker could not pause what it plays for the chime".into()
        }
        Some(other) => format!("the speaker could not play it ({other})"),
        None => "the speaker could not play it".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip(id: &str, status: AudioClipState, error: Option<&str>) -> AudioClip {
        AudioClip {
            id: id.into(),
            name: "x".into(),
            app_id: "y".into(),
            priority: None,
            clip_type: None,
            status,
            error_code: error.map(str::to_owned),
        }
    }

    #[test]
    fn a_chime_follows_its_own_clip_only() {
        let room = PlayerId::from("P1");
        let mut chimes = vec![Chime::started(
            &room,
            &clip("7", AudioClipState::Active, None),
            false,
        )];
        assert_eq!(chimes[0].status, ChimeStatus::Ringing);
        // Another app's clip on the same room, and another room's: not ours.
        assert!(!apply_status(
            &mut chimes,
            "P1",
            &[clip("8", AudioClipState::Done, None)]
        ));
        assert!(!apply_status(
            &mut chimes,
            "P2",
            &[clip("7", AudioClipState::Done, None)]
        ));
        assert!(apply_status(
            &mut chimes,
            "P1",
            &[clip("7", AudioClipState::Done, None)]
        ));
        assert_eq!(chimes[0].status, ChimeStatus::Done);
        assert!(chimes[0].followed, "an event about it came");
        assert!(apply_status(
            &mut chimes,
            "P1",
            &[clip(
                "7",
                AudioClipState::Error,
                Some("ERROR_AUDIO_CLIP_MEDIA_ERROR")
            )]
        ));
        assert_eq!(chimes[0].status, ChimeStatus::Failed);
        assert!(chimes[0].problem.as_deref().unwrap().contains("MP3 or WAV"));
    }

    #[test]
    fn a_room_keeps_its_last_chime() {
        let room = PlayerId::from("P1");
        let mut chimes = Vec::new();
        keep(
            &mut chimes,
            Chime::started(&room, &clip("1", AudioClipState::Active, None), true),
        );
        keep(
            &mut chimes,
            Chime::started(&"P2".into(), &clip("2", AudioClipState::Active, None), true),
        );
        keep(
            &mut chimes,
            Chime::started(&room, &clip("3", AudioClipState::Active, None), true),
        );
        let ids: Vec<_> = chimes
            .iter()
            .map(|c| (c.room.as_str(), c.id.as_str()))
            .collect();
        assert_eq!(ids, [("P2", "2"), ("P1", "3")]);
    }

    #[test]
    fn the_request_is_sonos_chime_unless_a_sound_is_named() {
        let plain = request(None, None);
        assert_eq!(plain.clip_type, Some(AudioClipType::Chime));
        assert_eq!(plain.app_id, APP_ID);
        assert!(plain.stream_url.is_none());
        let custom = request(Some("https://example.com/ding.mp3"), Some(250));
        assert_eq!(custom.clip_type, Some(AudioClipType::Custom));
        assert_eq!(custom.volume, Some(100));
    }
}
