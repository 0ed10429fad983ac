//! What the tray shows: a function of the live state and the settings, tested without a
//! window; [`super`] draws it as the icon's tooltip and menu.

use crate::settings::Settings;
use roomtone_core::live::{Live, ReadState, SessionPhase};
use roomtone_core::sleep;
use roomtone_sonos::{GroupId, HouseholdId, PlayerId};

/// What the tray shows, from the live state and the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayModel {
    pub tooltip: String,
    /// The first, disabled line of the menu.
    pub headline: String,
    /// The group the tray controls, if any.
    pub controls: Option<Controls>,
    /// Every group, for the "Room" submenu: (id, name, chosen).
    pub rooms: Vec<(GroupId, String, bool)>,
    /// The controlled group's household, for "Pause everything", and whether any of its
    /// groups plays.
    pub pause_all: Option<(HouseholdId, bool)>,
    /// The controlled group's rooms, for "Ring a chime": (id, label, can ring one).
    pub chimes: Vec<(PlayerId, String, bool)>,
    /// The controlled group's sleep timer.
    pub sleep: Option<SleepMenu>,
    pub signed_in: bool,
}

/// The "Sleep timer" submenu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SleepMenu {
    pub group: GroupId,
    /// "Sleep timer", or with the time left: "Sleep timer: 28 min left".
    pub title: String,
    /// It plays a track with an end to sleep at.
    pub end_of_track: bool,
    /// A timer is set (it can be turned off).
    pub set: bool,
}

/// The controlled group's buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Controls {
    pub group: GroupId,
    pub playing: bool,
    pub can_skip: bool,
    pub can_skip_back: bool,
    pub muted: bool,
    /// A fixed-volume group has no volume buttons.
    pub fixed: bool,
    pub step: u8,
}

/// See [`TrayModel`]: the tray controls the core's [`Live::controlled`] group.
pub fn model(live: &Live, settings: &Settings) -> TrayModel {
    let group = live.controlled();
    let signed_in = live.session.state == SessionPhase::SignedIn;
    let headline = match (live.session.state, group) {
        (SessionPhase::Starting, _) => "Roomtone is starting…".to_owned(),
        (SessionPhase::SignedOut, _) => "Not signed in to Sonos".to_owned(),
        (SessionPhase::SignedIn, None)
            if matches!(live.sync, ReadState::Loading | ReadState::Idle) =>
        {
            "Reading your rooms…".into()
        }
        (SessionPhase::SignedIn, None) => "No rooms found".to_owned(),
        (SessionPhase::SignedIn, Some(g)) => {
            let what = match &g.now_playing {
                Some(now) if g.state.is_playing() => now.line(),
                Some(now) => format!("{} (paused)", now.line()),
                None => "nothing playing".to_owned(),
            };
            format!("{}: {what}", g.name)
        }
    };
    TrayModel {
        tooltip: format!("Roomtone — {headline}"),
        controls: group.map(|g| Controls {
            group: g.id.clone(),
            playing: g.state.is_playing(),
            can_skip: g.actions.can_skip,
            can_skip_back: g.actions.can_skip_back,
            muted: g.volume.muted,
            fixed: g.volume.fixed,
            step: settings.tray_volume_step,
        }),
        rooms: live
            .groups()
            .map(|g| {
                let chosen = group.is_some_and(|c| c.id == g.id);
                (g.id.clone(), g.name.clone(), chosen)
            })
            .collect(),
        pause_all: group.and_then(|g| {
            let household = live
                .households
                .iter()
                .find(|h| h.groups.iter().any(|x| x.id == g.id))?;
            let playing = household.groups.iter().any(|x| x.state.is_playing());
            Some((household.id.clone(), playing))
        }),
        chimes: group.map_or_else(Vec::new, |g| {
            g.rooms
                .iter()
                .map(|r| match r.can_chime {
                    true => (r.id.clone(), r.name.clone(), true),
                    false => (
                        r.id.clone(),
                        format!("{} (its speaker takes no chimes)", r.name),
                        false,
                    ),
                })
                .collect()
        }),
        sleep: group.map(|g| {
            let timer = live.sleep_of(&g.id);
            SleepMenu {
                group: g.id.clone(),
                title: timer.map_or_else(
                    || "Sleep timer".to_owned(),
                    |t| format!("Sleep timer: {}", t.left),
                ),
                end_of_track: sleep::ends_with_track(g),
                set: timer.is_some(),
            }
        }),
        headline,
        signed_in,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{group, live};
    use roomtone_core::view::PlayState;

    /// The tray of `live`, with the core's controlled group `controlled`.
    fn at(live: &Live, settings: &Settings) -> TrayModel {
        model(live, settings)
    }

    fn controlling(mut live: Live, id: &str) -> Live {
        live.controlled = Some(id.into());
        live
    }

    #[test]
    fn the_tray_shows_and_controls_the_group_the_core_says() {
        let l = live(vec![
            group("a", "Office", PlayState::Paused, Some("Flywheel")),
            group("b", "Kitchen", PlayState::Playing, Some("Blue Hour")),
            group("c", "Den", PlayState::Idle, None),
        ]);
        let m = at(&controlling(l.clone(), "b"), &Settings::default());
        assert_eq!(m.headline, "Kitchen: Blue Hour — Forty Rooms");
        assert_eq!(m.tooltip, "Roomtone — Kitchen: Blue Hour — Forty Rooms");
        assert!(m.controls.as_ref().unwrap().playing);
        let chosen: Vec<_> = m
            .rooms
            .iter()
            .filter(|r| r.2)
            .map(|r| r.1.as_str())
            .collect();
        assert_eq!(chosen, ["Kitchen"]);

        let step = Settings {
            tray_volume_step: 5,
            ..Settings::default()
        };
        let m = at(&controlling(l.clone(), "a"), &step);
        assert_eq!(m.headline, "Office: Flywheel — Forty Rooms (paused)");
        assert_eq!(m.controls.as_ref().unwrap().step, 5);

        assert_eq!(m.pause_all, Some(("h".into(), true)), "the Kitchen plays");
        let quiet = live(vec![group(
            "a",
            "Office",
            PlayState::Paused,
            Some("Flywheel"),
        )]);
        let m = at(&controlling(quiet, "a"), &Settings::default());
        assert_eq!(m.pause_all, Some(("h".into(), false)), "nothing to pause");

        let m = at(&controlling(l.clone(), "c"), &Settings::default());
        assert_eq!(m.headline, "Den: nothing playing");
        assert!(
            m.controls.unwrap().fixed,
            "no volume buttons for a fixed volume"
        );
    }

    #[test]
    fn the_sleep_menu_says_the_time_left_and_offers_the_end_of_a_track_with_one() {
        let mut kitchen = group("b", "Kitchen", PlayState::Playing, Some("Blue Hour"));
        let l = controlling(live(vec![kitchen.clone()]), "b");
        let m = at(&l, &Settings::default()).sleep.unwrap();
        assert_eq!(m.title, "Sleep timer");
        assert!(!m.set && !m.end_of_track, "no position: no end known");

        kitchen.now_playing.as_mut().unwrap().duration_millis = Some(200_000);
        kitchen.position = Some(roomtone_core::view::Position {
            millis: 1_000,
            read_at: 0,
        });
        let mut l = controlling(live(vec![kitchen]), "b");
        l.sleep = vec![roomtone_core::sleep::SleepTimer {
            group: "b".into(),
            ends_at: 0,
            end_of_track: false,
            minutes_left: 28,
            fading: false,
            left: "28 min left".into(),
        }];
        let m = at(&l, &Settings::default()).sleep.unwrap();
        assert_eq!(m.title, "Sleep timer: 28 min left");
        assert!(m.set && m.end_of_track);
        l.sleep[0].left = "fading out".into();
        let m = at(&l, &Settings::default()).sleep.unwrap();
        assert_eq!(m.title, "Sleep timer: fading out");
    }

    #[test]
    fn the_chime_menu_offers_the_rooms_that_can_ring_one_and_says_why_not() {
        let room = |id: &str, name: &str, can_chime| roomtone_core::view::Room {
            id: id.into(),
            name: name.into(),
            volume: Default::default(),
            line_in: false,
            home_theater: false,
            tv_power: false,
            can_chime,
        };
        let mut kitchen = group("b", "Kitchen + 1", PlayState::Playing, Some("Blue Hour"));
        kitchen.rooms = vec![room("P1", "Kitchen", true), room("P2", "Den", false)];
        let m = at(&controlling(live(vec![kitchen]), "b"), &Settings::default());
        assert_eq!(
            m.chimes,
            [
                (PlayerId::from("P1"), "Kitchen".to_owned(), true),
                (
                    PlayerId::from("P2"),
                    "Den (its speaker takes no chimes)".to_owned(),
                    false
                ),
            ]
        );
        let nothing = at(&live(Vec::new()), &Settings::default());
        assert!(nothing.chimes.is_empty(), "no group, no chimes");
        assert_eq!(nothing.pause_all, None);
    }

    #[test]
    fn a_pending_change_shows_in_the_tray_as_in_the_window() {
        // The core shows a pending pause in the households every surface reads.
        let mut l = controlling(
            live(vec![group(
                "b",
                "Kitchen",
                PlayState::Paused,
                Some("Blue Hour"),
            )]),
            "b",
        );
        l.pending.push(roomtone_core::pending::Pending {
            target: "b".into(),
            state: Some(PlayState::Paused),
            volume: None,
            muted: None,
        });
        let m = at(&l, &Settings::default());
        assert_eq!(m.headline, "Kitchen: Blue Hour — Forty Rooms (paused)");
        assert!(!m.controls.unwrap().playing, "the button offers play");
    }

    #[test]
    fn signed_out_and_starting_trays_say_so_and_control_nothing() {
        let mut l = live(Vec::new());
        l.session.state = SessionPhase::SignedOut;
        let m = at(&l, &Settings::default());
        assert_eq!(m.headline, "Not signed in to Sonos");
        assert!(m.controls.is_none() && !m.signed_in && m.rooms.is_empty());
        l.session.state = SessionPhase::Starting;
        assert_eq!(
            at(&l, &Settings::default()).headline,
            "Roomtone is starting…"
        );
        l.session.state = SessionPhase::SignedIn;
        l.sync = ReadState::Loading;
        assert_eq!(at(&l, &Settings::default()).headline, "Reading your rooms…");
        l.sync = ReadState::Ready;
        assert_eq!(at(&l, &Settings::default()).headline, "No rooms found");
    }
}
