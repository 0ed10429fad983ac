//! `favorites` (REFERENCE §4.7).

use super::{image, Load};
use super::{Answer, Body};
use crate::catalog::SourceDef;
use crate::error::sonos;
use crate::instance::Sim;
use axum::extract::{Path, State};
use roomtone_sonos::models::*;
use roomtone_sonos::{GroupId, HouseholdId};
use std::sync::Arc;

pub(super) async fn favorites(State(sim): State<Arc<Sim>>, Path(hh): Path<HouseholdId>) -> Answer {
    sim.on_household(&hh, |h, ctx| {
        let items = h
            .favorites
            .iter()
            .map(|f| Favorite {
                id: f.id.as_str().into(),
                name: f.name.clone(),
                description: Some(f.description.clone()),
                image_url: Some(image(ctx.links, &f.art)),
                service: Some(Service {
                    name: Some(f.service.to_owned()),
                    id: Some("9".into()),
                    ..Service::default()
                }),
                kind: None,
                image_compilation: None,
                resource: Some(FavoriteResource {
                    kind: Some(match &f.source {
                        SourceDef::Station { .. } => "STATION".into(),
                        SourceDef::Tracks { kind, .. } => kind.to_uppercase(),
                    }),
                    id: Some(MusicObjectId {
                        service_id: Some("9".into()),
                        object_id: format!("sim:container:{}", f.id),
                        account_id: None,
                    }),
                }),
            })
            .collect();
        Ok(sonos(
            "favoritesList",
            &FavoritesList {
                version: Some(h.favorites_version.to_string()),
                items,
            },
        ))
    })
}

pub(super) async fn load_favorite(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<LoadFavorite>,
) -> Answer {
    let load = Load {
        id: request.favorite_id.as_str(),
        field: "favoriteId",
        action: request.action,
        modes: request.play_modes,
        play: request.play_on_completion.unwrap_or(false),
    };
    load.apply(&sim, &g, |h| &h.favorites)
}
