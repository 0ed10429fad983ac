//! `groupVolume` and `playerVolume` (REFERENCE §4.5, §4.6), and ducking.

use super::in_range;
use super::{Answer, Body};
use crate::error::{ok, sonos, ApiError};
use crate::instance::Sim;
use axum::extract::{Path, State};
use roomtone_sonos::models::*;
use roomtone_sonos::{GroupId, PlayerId};
use std::sync::Arc;

pub(super) async fn group_volume(State(sim): State<Arc<Sim>>, Path(g): Path<GroupId>) -> Answer {
    sim.on_group(&g, |h, i, _| Ok(sonos("groupVolume", &h.group_volume(i))))
}

pub(super) async fn set_group_volume(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<SetVolume>,
) -> Answer {
    let volume = request
        .volume
        .ok_or_else(|| ApiError::missing("Missing required value: volume"))?;
    in_range("volume", volume as i64, 0, 100)?;
    sim.on_group(&g, |h, i, ctx| {
        h.set_group_volume(i, volume, &mut ctx.out).map(|()| ok())
    })
}

pub(super) async fn group_relative(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<SetRelativeVolume>,
) -> Answer {
    let delta = request
        .volume_delta
        .ok_or_else(|| ApiError::missing("Missing required value: volumeDelta"))?;
    in_range("volumeDelta", delta as i64, -100, 100)?;
    sim.on_group(&g, |h, i, ctx| {
        let target = (h.group_volume(i).volume as i64 + delta as i64).clamp(0, 100) as u8;
        h.set_group_volume(i, target, &mut ctx.out).map(|()| ok())
    })
}

pub(super) async fn group_mute(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<SetMute>,
) -> Answer {
    sim.on_group(&g, |h, i, ctx| {
        h.set_group_mute(i, request.muted, &mut ctx.out);
        Ok(ok())
    })
}

pub(super) async fn player_volume(State(sim): State<Arc<Sim>>, Path(p): Path<PlayerId>) -> Answer {
    sim.on_player(&p, |h, id, _| {
        let player = h.player(id).expect("resolved");
        Ok(sonos(
            "playerVolume",
            &Volume {
                volume: player.volume,
                muted: Some(player.muted),
                fixed: Some(player.fixed()),
            },
        ))
    })
}

pub(super) async fn set_player_volume(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<SetVolume>,
) -> Answer {
    if request.volume.is_none() && request.muted.is_none() {
        return Err(ApiError::missing("Missing required value: volume or muted"));
    }
    if let Some(volume) = request.volume {
        in_range("volume", volume as i64, 0, 100)?;
    }
    sim.on_player(&p, |h, id, ctx| {
        h.set_player_volume(id, request.volume, request.muted, &mut ctx.out)
            .map(|()| ok())
    })
}

pub(super) async fn player_relative(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<SetRelativeVolume>,
) -> Answer {
    if request.volume_delta.is_none() && request.muted.is_none() {
        return Err(ApiError::missing(
            "Missing required value: volumeDelta or muted",
        ));
    }
    if let Some(delta) = request.volume_delta {
        in_range("volumeDelta", delta as i64, -100, 100)?;
    }
    sim.on_player(&p, |h, id, ctx| {
        let current = h.player(id).expect("resolved").volume as i64;
        let volume = request
            .volume_delta
            .map(|d| (current + d as i64).clamp(0, 100) as u8);
        h.set_player_volume(id, volume, request.muted, &mut ctx.out)
            .map(|()| ok())
    })
}

pub(super) async fn player_mute(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<SetMute>,
) -> Answer {
    sim.on_player(&p, |h, id, ctx| {
        h.set_player_volume(id, None, Some(request.muted), &mut ctx.out)
            .map(|()| ok())
    })
}

pub(super) async fn duck(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<Duck>,
) -> Answer {
    let duration = request.duration_millis.unwrap_or(3_000);
    in_range("durationMillis", duration as i64, 0, 60_000)?;
    sim.on_player(&p, |h, id, ctx| {
        h.player_mut(id).expect("resolved").ducked_until = Some(ctx.now + duration as i64);
        Ok(ok())
    })
}

pub(super) async fn unduck(State(sim): State<Arc<Sim>>, Path(p): Path<PlayerId>) -> Answer {
    sim.on_player(&p, |h, id, _| {
        h.player_mut(id).expect("resolved").ducked_until = None;
        Ok(ok())
    })
}
