//! `playlists` (REFERENCE §4.8).

use super::{image, Load};
use super::{Answer, Body};
use crate::catalog::SourceDef;
use crate::error::{sonos, ApiError};
use crate::household::Household;
use crate::instance::Sim;
use axum::extract::{Path, State};
use axum::response::Response;
use roomtone_sonos::models::*;
use roomtone_sonos::{GroupId, HouseholdId, PlaylistId};
use std::sync::Arc;

pub(super) async fn playlists(State(sim): State<Arc<Sim>>, Path(hh): Path<HouseholdId>) -> Answer {
    sim.on_household(&hh, |h, ctx| {
        let playlists = h
            .playlists
            .iter()
            .map(|p| Playlist {
                id: p.id.as_str().into(),
                name: p.name.clone(),
                kind: Some("playlist".into()),
                track_count: Some(match &p.source {
                    SourceDef::Tracks { tracks, .. } => tracks.len() as u32,
                    SourceDef::Station { .. } => 0,
                }),
                image_url: Some(image(ctx.links, &p.art)),
            })
            .collect();
        Ok(sonos(
            "playlistsList",
            &PlaylistsList {
                version: Some(h.playlists_version.to_string()),
                playlists,
            },
        ))
    })
}

fn playlist_summary(h: &Household, id: &PlaylistId) -> Result<Response, ApiError> {
    let p = h
        .playlists
        .iter()
        .find(|p| p.id == id.as_str())
        .ok_or_else(|| ApiError::invalid_object(format!("no playlist {id}")))?;
    let tracks = match &p.source {
        SourceDef::Tracks { tracks, .. } => tracks
            .iter()
            .map(|t| PlaylistTrack {
                name: Some(t.name.to_owned()),
                artist: Some(t.artist.to_owned()),
                album: Some(t.album.to_owned()),
            })
            .collect(),
        SourceDef::Station { .. } => Vec::new(),
    };
    Ok(sonos(
        "playlistSummary",
        &PlaylistSummary {
            id: id.clone(),
            name: p.name.clone(),
            kind: Some("playlist".into()),
            tracks,
        },
    ))
}

pub(super) async fn get_playlist(
    State(sim): State<Arc<Sim>>,
    Path((hh, id)): Path<(HouseholdId, PlaylistId)>,
) -> Answer {
    if !sim.config.playlist_forms.current() {
        return Err(unanswered_form("GET …/playlists/{playlistId}"));
    }
    sim.on_household(&hh, |h, _| playlist_summary(h, &id))
}

/// A form of getPlaylist this simulator is set not to answer.
fn unanswered_form(form: &str) -> ApiError {
    ApiError::unsupported_command(format!("getPlaylist is not answered as {form} here"))
}

pub(super) async fn get_playlist_legacy(
    State(sim): State<Arc<Sim>>,
    Path(hh): Path<HouseholdId>,
    Body(request): Body<GetPlaylist>,
) -> Answer {
    if !sim.config.playlist_forms.legacy() {
        return Err(unanswered_form("POST …/playlists/getPlaylist"));
    }
    sim.on_household(&hh, |h, _| playlist_summary(h, &request.playlist_id))
}

pub(super) async fn load_playlist(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<LoadPlaylist>,
) -> Answer {
    let load = Load {
        id: request.playlist_id.as_str(),
        field: "playlistId",
        action: request.action,
        modes: request.play_modes,
        play: request.play_on_completion.unwrap_or(false),
    };
    load.apply(&sim, &g, |h| &h.playlists)
}
