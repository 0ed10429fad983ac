//! Finding a group again after a regroup. Sonos gives a group a new ID whenever its rooms
//! change (and sometimes when its coordinator moves), so whatever follows a group — the
//! window's selection, the group the tray controls, an action retried after a 410 — keeps a
//! [`Trace`] of it and looks for it by ID, then by coordinator, then by its rooms. One rule,
//! used by every one of them.

use crate::view::{Group, Household};
use roomtone_sonos::{GroupId, PlayerId};

/// What is known of a group, to find it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    pub id: GroupId,
    pub coordinator: PlayerId,
    pub rooms: Vec<PlayerId>,
}

impl Trace {
    pub fn of(group: &Group) -> Self {
        Self {
            id: group.id.clone(),
            coordinator: group.coordinator_id.clone(),
            rooms: group.rooms.iter().map(|r| r.id.clone()).collect(),
        }
    }

    /// The group this trace is now: the same ID; else the group its coordinator leads;
    /// else the group holding its coordinator; else the group holding most of its rooms.
    pub fn find<'a>(&self, households: &'a [Household]) -> Option<&'a Group> {
        let groups = || households.iter().flat_map(|h| &h.groups);
        groups()
            .find(|g| g.id == self.id)
            .or_else(|| groups().find(|g| g.coordinator_id == self.coordinator))
            .or_else(|| groups().find(|g| g.rooms.iter().any(|r| r.id == self.coordinator)))
            .or_else(|| {
                groups()
                    .map(|g| (self.shared(g), g))
                    .filter(|(shared, _)| *shared > 0)
                    // The first of the groups sharing most, in the order Sonos lists them.
                    .fold(None, |best: Option<(usize, &Group)>, (n, g)| match best {
                        Some((m, _)) if m >= n => best,
                        _ => Some((n, g)),
                    })
                    .map(|(_, g)| g)
            })
    }

    fn shared(&self, group: &Group) -> usize {
        group
            .rooms
            .iter()
            .filter(|r| self.rooms.contains(&r.id))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{Actions, Modes, PlayState, Room, Volume};

    fn group(id: &str, coordinator: &str, rooms: &[&str]) -> Group {
        Group {
            id: id.into(),
            name: id.into(),
            coordinator_id: coordinator.into(),
            rooms: rooms
                .iter()
                .map(|r| Room {
                    id: (*r).into(),
                    name: (*r).into(),
                    volume: Volume::default(),
                    line_in: false,
                    home_theater: false,
                    tv_power: false,
                    can_chime: false,
                })
                .collect(),
            state: PlayState::Idle,
            position: None,
            now_playing: None,
            volume: Volume::default(),
            actions: Actions::default(),
            modes: Modes::default(),
        }
    }

    fn house(groups: Vec<Group>) -> Vec<Household> {
        vec![Household {
            id: "h".into(),
            groups,
        }]
    }

    #[test]
    fn a_group_is_found_by_id_then_coordinator_then_rooms() {
        let kitchen = Trace::of(&group("g1", "kitchen", &["kitchen", "den"]));
        let same = house(vec![
            group("g2", "x", &["x"]),
            group("g1", "kitchen", &["kitchen"]),
        ]);
        assert_eq!(kitchen.find(&same).unwrap().id, "g1");

        let renamed = house(vec![group("g9", "kitchen", &["kitchen", "den", "porch"])]);
        assert_eq!(
            kitchen.find(&renamed).unwrap().id,
            "g9",
            "the same coordinator"
        );

        let joined = house(vec![
            group("g3", "porch", &["porch"]),
            group("g4", "office", &["office", "kitchen"]),
        ]);
        assert_eq!(
            kitchen.find(&joined).unwrap().id,
            "g4",
            "the group holding it"
        );

        let split = house(vec![
            group("g5", "porch", &["porch"]),
            group("g6", "den", &["den"]),
        ]);
        assert_eq!(kitchen.find(&split).unwrap().id, "g6", "most of its rooms");

        let elsewhere = house(vec![group("g7", "porch", &["porch"])]);
        assert_eq!(kitchen.find(&elsewhere), None);
    }
}
