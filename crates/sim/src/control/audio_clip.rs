//! `audioClip` (REFERENCE §4.9): chimes and announcements on a player.

use super::{Answer, Body};
use crate::error::{ok, sonos, ApiError};
use crate::instance::Sim;
use axum::extract::{Path, State};
use roomtone_sonos::models::*;
use roomtone_sonos::{AudioClipId, PlayerId};
use std::sync::Arc;

pub(super) async fn load_clip(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<LoadAudioClip>,
) -> Answer {
    // A speaker plays MP3 and WAV (REFERENCE §4.9): any other sound ends in ERROR.
    let playable = request.stream_url.as_deref().is_none_or(|url| {
        let path = url
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        path.ends_with(".mp3") || path.ends_with(".wav")
    });
    let clip = sim.on_player(&p, |h, id, ctx| {
        h.load_clip(id, request, ctx.now, &mut ctx.out)
    })?;
    let (done, clip_id, player) = (sim.clone(), clip.id.clone(), p.clone());
    tokio::spawn(async move {
        tokio::time::sleep(done.config.audio_clip_duration).await;
        let _ = done.on_player(&player, |h, id, ctx| match playable {
            true => h.end_clip(id, &clip_id, AudioClipState::Done, None, &mut ctx.out),
            false => h.end_clip(
                id,
                &clip_id,
                AudioClipState::Error,
                Some("ERROR_AUDIO_CLIP_MEDIA_ERROR"),
                &mut ctx.out,
            ),
        });
    });
    Ok(sonos("audioClip", &clip))
}

pub(super) async fn cancel_clip(
    State(sim): State<Arc<Sim>>,
    Path((p, clip)): Path<(PlayerId, AudioClipId)>,
) -> Answer {
    sim.on_player(&p, |h, id, ctx| {
        if !h
            .player(id)
            .expect("resolved")
            .model
            .has(&Capability::AudioClip)
        {
            return Err(ApiError::unsupported_namespace(
                "this player cannot play audio clips",
            ));
        }
        h.end_clip(id, &clip, AudioClipState::Dismissed, None, &mut ctx.out)
            .map(|()| ok())
    })
}
