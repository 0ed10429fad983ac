//! `households` (REFERENCE §4.1): the households the caller can control.

use super::Answer;
use crate::error::sonos;
use crate::instance::Sim;
use axum::extract::State;
use roomtone_sonos::models::*;
use std::sync::Arc;

pub(super) async fn households(State(sim): State<Arc<Sim>>) -> Answer {
    sim.act(|households, _| {
        let list = Households {
            households: households
                .iter()
                .map(|h| roomtone_sonos::models::Household {
                    id: h.id.clone(),
                    name: None,
                })
                .collect(),
        };
        Ok(sonos("households", &list))
    })
}
