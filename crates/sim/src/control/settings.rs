//! `settings` (REFERENCE §4.11): player settings.

use super::{Answer, Body};
use crate::error::{sonos, ApiError};
use crate::instance::Sim;
use axum::extract::{Path, State};
use roomtone_sonos::models::*;
use roomtone_sonos::PlayerId;
use serde_json::json;
use std::sync::Arc;

pub(super) async fn settings(State(sim): State<Arc<Sim>>, Path(p): Path<PlayerId>) -> Answer {
    sim.on_player(&p, |h, id, _| {
        Ok(sonos(
            "playerSettings",
            &h.player(id).expect("resolved").settings,
        ))
    })
}

pub(super) async fn set_settings(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<PlayerSettings>,
) -> Answer {
    if let Some(factor) = request.volume_scaling_factor {
        if !(0.01..=1.0).contains(&factor) {
            return Err(ApiError::invalid_parameter(
                "volumeScalingFactor must be between 0.01 and 1.0",
            ));
        }
    }
    if let Some(VolumeMode::Other(mode)) = &request.volume_mode {
        return Err(ApiError::invalid_parameter(format!(
            "unknown volumeMode {mode}"
        )));
    }
    // A bonded set (a stereo pair, a home theater's surrounds) is one player, addressed by
    // its primary's ID; another of its devices is not a primary player (REFERENCE §4.11).
    let secondary = sim.world().households.iter().any(|h| {
        h.players
            .iter()
            .any(|pl| pl.model.device_ids.iter().skip(1).any(|d| *d == p.as_str()))
    });
    if secondary {
        return Err(if request.volume_scaling_factor.is_some() {
            ApiError::not_capable("volumeScalingFactor can only be set on a primary player")
        } else {
            ApiError::invalid_object(format!("{p} is part of a bonded set: use its primary"))
        });
    }
    sim.on_player(&p, |h, id, _| {
        let player = h.player_mut(id).expect("resolved");
        let settings = &mut player.settings;
        settings.volume_mode = request.volume_mode.or(settings.volume_mode.take());
        settings.volume_scaling_factor = request
            .volume_scaling_factor
            .or(settings.volume_scaling_factor);
        settings.mono_mode = request.mono_mode.or(settings.mono_mode);
        settings.wifi_disable = request.wifi_disable.or(settings.wifi_disable);
        Ok(sonos("none", &json!({})))
    })
}
