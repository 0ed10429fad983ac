//! Finding a group or room by the name a person uses (`--group "Living Room + 1"`,
//! `--room Kitchen`), in what the controller shows.

use crate::error::{CoreError, Result};
use crate::view::{Group, Household, Room};

/// How a person names a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The group whose name is this ("Living Room + 1") or whose coordinator is this room.
    Group(String),
    /// The group this room is in.
    Room(String),
    /// The only group, or else the one playing, or else an error listing the choices.
    Default,
}

fn coordinator(group: &Group) -> Option<&Room> {
    group.rooms.iter().find(|r| r.id == group.coordinator_id)
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Finds the group `target` names (names compare without case).
pub fn group<'a>(households: &'a [Household], target: &Target) -> Result<&'a Group> {
    let groups: Vec<&Group> = households.iter().flat_map(|h| &h.groups).collect();
    let found = match target {
        Target::Group(name) => groups.iter().find(|g| same(&g.name, name)).or_else(|| {
            groups
                .iter()
                .find(|g| coordinator(g).is_some_and(|r| same(&r.name, name)))
        }),
        Target::Room(name) => groups
            .iter()
            .find(|g| g.rooms.iter().any(|r| same(&r.name, name))),
        Target::Default => match groups.as_slice() {
            [only] => Some(only),
            _ => {
                let playing: Vec<_> = groups.iter().filter(|g| g.state.is_playing()).collect();
                match playing.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }
            }
        },
    };
    found.copied().ok_or_else(|| {
        let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
        let what = match target {
            Target::Group(name) => format!("no group is called {name:?}"),
            Target::Room(name) => format!("no room is called {name:?}"),
            Target::Default => {
                "more than one group could be meant: name one with --group or --room".to_owned()
            }
        };
        CoreError::NotFound(format!("{what}; the groups are: {}", names.join(", ")))
    })
}

/// Finds the room called `name`, with the group it is in.
pub fn room<'a>(households: &'a [Household], name: &str) -> Result<(&'a Group, &'a Room)> {
    let group = group(households, &Target::Room(name.to_owned()))?;
    let room = group
        .rooms
        .iter()
        .find(|r| same(&r.name, name))
        .expect("the group was found by this room");
    Ok((group, room))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{Actions, Modes, PlayState, Volume};

    fn room(id: &str, name: &str) -> Room {
        Room {
            id: id.into(),
            name: name.into(),
            volume: Volume::default(),
            line_in: false,
            home_theater: false,
            tv_power: false,
            can_chime: false,
        }
    }

    fn group(id: &str, name: &str, rooms: Vec<Room>, state: PlayState) -> Group {
        Group {
            id: id.into(),
            name: name.into(),
            coordinator_id: rooms[0].id.clone(),
            rooms,
            state,
            position: None,
            now_playing: None,
            volume: Volume::default(),
            actions: Actions::default(),
            modes: Modes::default(),
        }
    }

    fn home(groups: Vec<Group>) -> Vec<Household> {
        vec![Household {
            id: "h".into(),
            groups,
        }]
    }

    #[test]
    fn groups_are_found_by_name_coordinator_room_or_what_plays() {
        let households = home(vec![
            group(
                "g1",
                "Living Room + 1",
                vec![room("p1", "Living Room"), room("p2", "Kitchen")],
                PlayState::Paused,
            ),
            group(
                "g2",
                "Office",
                vec![room("p3", "Office")],
                PlayState::Playing,
            ),
        ]);
        let find = |t: Target| super::group(&households, &t).map(|g| g.id.clone());
        assert_eq!(find(Target::Group("living room + 1".into())).unwrap(), "g1");
        assert_eq!(find(Target::Group(" Living Room".into())).unwrap(), "g1");
        assert_eq!(find(Target::Room("KITCHEN".into())).unwrap(), "g1");
        assert_eq!(find(Target::Default).unwrap(), "g2", "the one playing");
        let missing = find(Target::Room("Attic".into())).unwrap_err();
        assert_eq!(missing.kind(), crate::ErrorKind::NotFound);
        assert!(missing.to_string().contains("Living Room + 1, Office"));
        let (g, r) = super::room(&households, "kitchen").unwrap();
        assert_eq!((g.id.as_str(), r.id.as_str()), ("g1", "p2"));
    }

    #[test]
    fn without_one_group_playing_the_default_is_ambiguous() {
        let households = home(vec![
            group("g1", "A", vec![room("p1", "A")], PlayState::Paused),
            group("g2", "B", vec![room("p2", "B")], PlayState::Paused),
        ]);
        let err = super::group(&households, &Target::Default).unwrap_err();
        assert!(err.to_string().contains("--group or --room"), "{err}");
        let one = home(vec![group(
            "g1",
            "A",
            vec![room("p1", "A")],
            PlayState::Idle,
        )]);
        assert_eq!(super::group(&one, &Target::Default).unwrap().id, "g1");
    }
}
