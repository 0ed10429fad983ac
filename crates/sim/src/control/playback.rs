//! `playback` (REFERENCE §4.3): transport and play modes of a group.

use super::{parse, Answer};
use crate::error::{ok, sonos, ApiError};
use crate::instance::Sim;
use axum::body::Bytes;
use axum::extract::{Path, State};
use roomtone_sonos::models::*;
use roomtone_sonos::GroupId;
use std::sync::Arc;

pub(super) async fn playback_status(State(sim): State<Arc<Sim>>, Path(g): Path<GroupId>) -> Answer {
    sim.on_group(&g, |h, i, ctx| {
        Ok(sonos("playbackStatus", &h.playback_status(i, ctx.now)))
    })
}

/// After `play`, the BUFFERING → PLAYING step, `config.buffering` later.
fn schedule_playing(sim: &Arc<Sim>, group: GroupId, generation: u64) {
    let sim = sim.clone();
    tokio::spawn(async move {
        tokio::time::sleep(sim.config.buffering).await;
        let _ = sim.act(|households, ctx| {
            for h in households.iter_mut() {
                h.finish_buffering(&group, generation, ctx);
            }
            Ok(())
        });
    });
}

pub(super) async fn playback_command(
    State(sim): State<Arc<Sim>>,
    Path((g, command)): Path<(GroupId, String)>,
    body: Bytes,
) -> Answer {
    macro_rules! parsed {
        ($t:ty) => {
            parse::<$t>(&body)?
        };
    }
    let playing = match command.as_str() {
        "play" => sim.on_group(&g, |h, i, ctx| h.play(i, ctx).map(Some))?,
        "pause" => sim.on_group(&g, |h, i, ctx| h.pause(i, ctx).map(|()| None))?,
        "togglePlayPause" => sim.on_group(&g, |h, i, ctx| h.toggle(i, ctx))?,
        "skipToNextTrack" => sim.on_group(&g, |h, i, ctx| h.skip_next(i, ctx).map(|()| None))?,
        "skipToPreviousTrack" => {
            sim.on_group(&g, |h, i, ctx| h.skip_previous(i, ctx).map(|()| None))?
        }
        "skipBack" => sim.on_group(&g, |h, i, ctx| h.skip_back(i, ctx).map(|()| None))?,
        "seek" => {
            let seek = parsed!(Seek);
            sim.on_group(&g, |h, i, ctx| {
                h.seek(i, seek.position_millis, seek.item_id.as_deref(), ctx)
                    .map(|()| None)
            })?
        }
        "seekRelative" => {
            let seek = parsed!(SeekRelative);
            sim.on_group(&g, |h, i, ctx| {
                let now = h.playback_status(i, ctx.now).position_millis.unwrap_or(0);
                h.seek(
                    i,
                    (now + seek.delta_millis).max(0),
                    seek.item_id.as_deref(),
                    ctx,
                )
                .map(|()| None)
            })?
        }
        "playMode" => {
            let modes = parsed!(SetPlayModes);
            sim.on_group(&g, |h, i, ctx| {
                h.set_modes(i, modes.play_modes, ctx).map(|()| None)
            })?
        }
        "lineIn" => {
            let line_in = parsed!(LoadLineIn);
            if line_in
                .device_id
                .as_ref()
                .is_some_and(|d| d.as_str().len() > 24)
            {
                return Err(ApiError::invalid_parameter(
                    "deviceId has at most 24 characters",
                ));
            }
            sim.on_group(&g, |h, i, ctx| {
                h.line_in(
                    i,
                    line_in.device_id.as_ref(),
                    line_in.play_on_completion.unwrap_or(false),
                    ctx,
                )
                .map(|()| None)
            })?
        }
        _ => {
            return Err(ApiError::unsupported_command(format!(
                "playback has no command {command}"
            )))
        }
    };
    if let Some(generation) = playing {
        schedule_playing(&sim, g, generation);
    }
    Ok(ok())
}
