//! `groups` (REFERENCE §4.2): listing and regrouping.

use super::{Answer, Body};
use crate::error::sonos;
use crate::instance::Sim;
use axum::extract::{Path, State};
use roomtone_sonos::models::*;
use roomtone_sonos::{GroupId, HouseholdId};
use std::sync::Arc;

pub(super) async fn groups(State(sim): State<Arc<Sim>>, Path(hh): Path<HouseholdId>) -> Answer {
    sim.on_household(&hh, |h, _| Ok(sonos("groups", &h.groups_model(true))))
}

pub(super) async fn create_group(
    State(sim): State<Arc<Sim>>,
    Path(hh): Path<HouseholdId>,
    Body(request): Body<CreateGroup>,
) -> Answer {
    sim.on_household(&hh, |h, ctx| {
        let group = h.create_group(request, ctx)?;
        Ok(sonos("groupInfo", &GroupInfo { group: Some(group) }))
    })
}

pub(super) async fn modify_group(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<ModifyGroupMembers>,
) -> Answer {
    sim.on_group(&g, |h, i, ctx| {
        let group = h.modify_group(
            i,
            &request.player_ids_to_add,
            &request.player_ids_to_remove,
            ctx,
        )?;
        Ok(sonos("groupInfo", &GroupInfo { group: Some(group) }))
    })
}

pub(super) async fn set_group(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<SetGroupMembers>,
) -> Answer {
    sim.on_group(&g, |h, i, ctx| {
        let group = h.set_group(i, request.player_ids, ctx)?;
        Ok(sonos("groupInfo", &GroupInfo { group: Some(group) }))
    })
}
