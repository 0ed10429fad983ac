//! `homeTheater` (REFERENCE §4.10): TV input, TV power, night mode, dialog enhancement.

use super::{Answer, Body};
use crate::error::{ok, sonos, ApiError};
use crate::household::Household;
use crate::instance::Sim;
use axum::extract::{Path, State};
use roomtone_sonos::models::*;
use roomtone_sonos::PlayerId;
use std::sync::Arc;

pub(super) async fn home_theater_playback(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
) -> Answer {
    sim.on_player(&p, |h, id, ctx| {
        h.home_theater_playback(id, ctx).map(|()| ok())
    })
}

fn home_theater(h: &mut Household, id: &PlayerId) -> Result<(), ApiError> {
    let player = h.player(id).expect("resolved");
    if player.home_theater.is_none() {
        return Err(ApiError::unsupported_namespace(format!(
            "{} is not a home-theater player",
            player.model.name
        )));
    }
    Ok(())
}

pub(super) async fn tv_power(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<SetTvPowerState>,
) -> Answer {
    if let TvPowerState::Other(value) = &request.tv_power_state {
        return Err(ApiError::invalid_parameter(format!(
            "tvPowerState must be ON or STANDBY, not {value}"
        )));
    }
    sim.on_player(&p, |h, id, _| {
        home_theater(h, id)?;
        let player = h.player_mut(id).expect("resolved");
        if !player.model.has(&Capability::HtPowerState) {
            return Err(ApiError::unsupported_command(
                "this home-theater player cannot switch the TV (no HDMI-CEC)",
            ));
        }
        player.tv_power = request.tv_power_state;
        Ok(ok())
    })
}

pub(super) async fn ht_options(State(sim): State<Arc<Sim>>, Path(p): Path<PlayerId>) -> Answer {
    sim.on_player(&p, |h, id, _| {
        home_theater(h, id)?;
        Ok(sonos(
            "homeTheaterOptions",
            &h.player(id).expect("resolved").home_theater,
        ))
    })
}

pub(super) async fn set_ht_options(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<HomeTheaterOptions>,
) -> Answer {
    sim.on_player(&p, |h, id, _| {
        home_theater(h, id)?;
        let options = h
            .player_mut(id)
            .expect("resolved")
            .home_theater
            .as_mut()
            .expect("checked");
        options.night_mode = request.night_mode.or(options.night_mode);
        options.enhance_dialog = request.enhance_dialog.or(options.enhance_dialog);
        Ok(sonos("homeTheaterOptions", &*options))
    })
}
