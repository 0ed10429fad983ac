//! Subscribing to and unsubscribing from each namespace's events, with the initial event
//! the configuration asks for.

use super::{Answer, Caller};
use crate::config::InitialEvents;
use crate::error::{ok, ApiError};
use crate::household::Emit;
use crate::instance::Sim;
use roomtone_sonos::events::{Namespace, TargetType};
use roomtone_sonos::models::*;
use roomtone_sonos::{GroupId, HouseholdId, PlayerId};
use std::sync::Arc;

pub(super) fn subscribe(
    sim: &Arc<Sim>,
    caller: Caller,
    kind: &'static str,
    namespace: &Namespace,
    id: String,
    on: bool,
) -> Answer {
    let now = sim.clock.now();
    let initial_for = |documented: bool| match sim.config.initial_events {
        InitialEvents::All => true,
        InitialEvents::Documented => documented,
        InitialEvents::None => false,
    };
    // Resolve the target (and its errors) and collect the initial event, if any.
    let (household, target_type, initial) = match kind {
        "households" => sim.on_household(&HouseholdId::new(id.clone()), |h, ctx| {
            let mut out = Vec::new();
            if initial_for(false) {
                match namespace {
                    Namespace::Groups => h.emit_groups(&mut out),
                    Namespace::Favorites => h.emit_favorites(&mut out),
                    _ => h.emit_playlists(&mut out),
                }
            }
            let _ = ctx;
            Ok((h.id.clone(), TargetType::HouseholdId, out))
        })?,
        "groups" => sim.on_group(&GroupId::new(id.clone()), |h, i, ctx| {
            let mut out: Vec<Emit> = Vec::new();
            match namespace {
                Namespace::PlaybackMetadata if initial_for(true) => {
                    h.emit_metadata(i, ctx.links, &mut out)
                }
                Namespace::Playback if initial_for(false) => h.emit_playback(i, ctx.now, &mut out),
                Namespace::GroupVolume if initial_for(false) => h.emit_group_volume(i, &mut out),
                _ => {}
            }
            Ok((h.id.clone(), TargetType::GroupId, out))
        })?,
        "playbackSessions" | "sessions" => sim
            .on_session(&roomtone_sonos::SessionId::new(id.clone()), |h, _| {
                Ok((h.id.clone(), TargetType::SessionId, Vec::new()))
            })?,
        _ => sim.on_player(&PlayerId::new(id.clone()), |h, pid, _| {
            let player = h.player(pid).expect("resolved");
            if *namespace == Namespace::AudioClip && !player.model.has(&Capability::AudioClip) {
                return Err(ApiError::unsupported_namespace(format!(
                    "{} cannot play audio clips",
                    player.model.name
                )));
            }
            let mut out = Vec::new();
            match namespace {
                Namespace::PlayerVolume if initial_for(true) => h.emit_player_volume(pid, &mut out),
                Namespace::AudioClip if initial_for(false) => h.emit_clips(pid, &mut out),
                _ => {}
            }
            Ok((h.id.clone(), TargetType::PlayerId, out))
        })?,
    };
    if on {
        sim.subscribe(caller.0, &household, namespace, target_type, &id, initial)?;
    } else {
        // Unsubscribing from nothing is not an error: the answer is the same either way.
        sim.world()
            .subscriptions
            .unsubscribe(caller.0, namespace, &id, now);
    }
    Ok(ok())
}
