//! `playbackSession` (REFERENCE §4.12): sessions on a group, and a stream URL loaded
//! through one.

use super::{Answer, Body};
use crate::config::PlaybackSessions;
use crate::error::{ok, sonos, ApiError};
use crate::household::Open;
use crate::instance::Sim;
use axum::extract::{Path, State};
use roomtone_sonos::models::*;
use roomtone_sonos::{GroupId, SessionId};
use std::sync::Arc;

fn open(sim: &Arc<Sim>, g: &GroupId, how: Open, request: CreateSession) -> Answer {
    if sim.config.playback_sessions == PlaybackSessions::Refused {
        return Err(ApiError::no_permission(
            "this integration may not open playback sessions",
        ));
    }
    sim.on_group(g, |h, i, ctx| {
        let status = h.open_session(i, how, request, &mut ctx.out)?;
        Ok(sonos("sessionStatus", &status))
    })
}

pub(super) async fn create(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<CreateSession>,
) -> Answer {
    open(&sim, &g, Open::Create, request)
}

pub(super) async fn join(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<CreateSession>,
) -> Answer {
    open(&sim, &g, Open::Join, request)
}

pub(super) async fn join_or_create(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<CreateSession>,
) -> Answer {
    open(&sim, &g, Open::JoinOrCreate, request)
}

pub(super) async fn load_stream_url(
    State(sim): State<Arc<Sim>>,
    Path(s): Path<SessionId>,
    Body(request): Body<LoadStreamUrl>,
) -> Answer {
    sim.on_session(&s, |h, ctx| h.load_stream(&s, request, ctx).map(|()| ok()))
}

pub(super) async fn leave(State(sim): State<Arc<Sim>>, Path(s): Path<SessionId>) -> Answer {
    sim.on_session(&s, |h, _| h.leave_session(&s).map(|()| ok()))
}
