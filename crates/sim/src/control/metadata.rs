//! `playbackMetadata` (REFERENCE §4.4): what a group is playing.

use super::Answer;
use crate::error::sonos;
use crate::instance::Sim;
use axum::extract::{Path, State};
use roomtone_sonos::GroupId;
use std::sync::Arc;

pub(super) async fn metadata(State(sim): State<Arc<Sim>>, Path(g): Path<GroupId>) -> Answer {
    sim.on_group(&g, |h, i, ctx| {
        Ok(sonos("metadataStatus", &h.metadata(i, ctx.links)))
    })
}
