//! Audio clips on a player: loading one, and ending it.

use super::{Emit, Household};
use crate::clock::Millis;
use crate::error::ApiError;
use roomtone_sonos::models::*;
use roomtone_sonos::{AudioClipId, PlayerId};

impl Household {
    pub fn load_clip(
        &mut self,
        id: &PlayerId,
        request: LoadAudioClip,
        now: Millis,
        out: &mut Vec<Emit>,
    ) -> Result<AudioClip, ApiError> {
        let player = self.player(id).expect("resolved");
        if !player.model.has(&Capability::AudioClip) {
            return Err(ApiError::unsupported_namespace(format!(
                "{} cannot play audio clips",
                player.model.name
            )));
        }
        if request.name.is_empty() || request.name.len() > 64 {
            return Err(ApiError::invalid_parameter("name has 1 to 64 characters"));
        }
        if request.app_id.is_empty() || request.app_id.len() > 127 {
            return Err(ApiError::invalid_parameter("appId has 1 to 127 characters"));
        }
        if request
            .stream_url
            .as_ref()
            .is_some_and(|u| u.chars().count() > 1024)
        {
            return Err(ApiError::invalid_parameter(
                "streamUrl has at most 1024 characters",
            ));
        }
        if request.volume.is_some_and(|v| v > 100) {
            return Err(ApiError::invalid_parameter("volume must be 0..100"));
        }
        let priority = request.priority.clone().unwrap_or(AudioClipPriority::Low);
        let active = player
            .clips
            .iter()
            .find(|(c, _)| c.status == AudioClipState::Active);
        if let Some((clip, started)) = active {
            let refused = match (&clip.priority, &priority) {
                (Some(AudioClipPriority::High), AudioClipPriority::Low) => true,
                (Some(AudioClipPriority::High), AudioClipPriority::High) => now - started <= 10_000,
                _ => false,
            };
            if refused {
                return Err(ApiError::command_failed(
                    "a higher-priority clip is playing",
                ));
            }
        }
        self.clip_counter += 1;
        let clip = AudioClip {
            id: AudioClipId::new(self.clip_counter.to_string()),
            name: request.name,
            app_id: request.app_id,
            priority: Some(priority),
            clip_type: Some(request.clip_type.unwrap_or(AudioClipType::Chime)),
            status: AudioClipState::Active,
            error_code: None,
        };
        let player = self.player_mut(id).expect("resolved");
        for (old, _) in &mut player.clips {
            if old.status == AudioClipState::Active {
                old.status = AudioClipState::Interrupted;
            }
        }
        player.clips.retain(|(c, _)| {
            c.status == AudioClipState::Active || c.status == AudioClipState::Interrupted
        });
        player.clips.push((clip.clone(), now));
        self.emit_clips(id, out);
        Ok(clip)
    }

    /// Ends a clip as `status` (DONE when it finished, DISMISSED when cancelled, ERROR with
    /// `error` when the sound could not be played).
    pub fn end_clip(
        &mut self,
        id: &PlayerId,
        clip: &AudioClipId,
        status: AudioClipState,
        error: Option<&str>,
        out: &mut Vec<Emit>,
    ) -> Result<(), ApiError> {
        let player = self.player_mut(id).expect("resolved");
        let Some((entry, _)) = player.clips.iter_mut().find(|(c, _)| &c.id == clip) else {
            return Err(ApiError::clip_not_found(format!(
                "no clip {clip} on this player"
            )));
        };
        if entry.status == AudioClipState::Active {
            entry.status = status;
            entry.error_code = error.map(str::to_owned);
            self.emit_clips(id, out);
        }
        Ok(())
    }
}
