//! The controller the app's window and tray use, against the simulator and the relay.

mod common;

use common::control::*;
use common::World;
use roomtone_core::live::{ReadState, SessionPhase};
use roomtone_core::view::{LoadAction, PlayState};
use roomtone_core::Action;
use roomtone_core::{CoreError, SessionState};
use roomtone_sim::faults::ErrorRate;
use roomtone_sonos::{GroupId, HouseholdId, PlayerId};

#[tokio::test]
async fn sign_in_read_toggle_and_sign_out() {
    let world = World::start(|_| {}).await;
    let controller = controller(&world);
    assert!(matches!(
        controller.session(),
        SessionState::SignedOut { .. }
    ));
    assert!(matches!(
        controller.households().await.unwrap_err(),
        CoreError::NotSignedIn
    ));

    sign_in(&world, &controller).await;
    assert_eq!(
        controller.session(),
        SessionState::SignedIn { persistent: true }
    );

    let households = controller.households().await.unwrap();
    let office = households[0]
        .groups
        .iter()
        .find(|g| g.group.name == "Office")
        .unwrap();
    assert_eq!(
        office.playback.playback_state.as_str(),
        "PLAYBACK_STATE_PAUSED"
    );
    controller
        .perform(Action::Toggle {
            group: office.group.id.clone(),
        })
        .await
        .unwrap();
    let after = controller.households().await.unwrap();
    let state = after[0]
        .groups
        .iter()
        .find(|g| g.group.name == "Office")
        .unwrap()
        .playback
        .playback_state
        .as_str()
        .to_owned();
    assert!(
        state == "PLAYBACK_STATE_BUFFERING" || state == "PLAYBACK_STATE_PLAYING",
        "{state}"
    );

    controller.sign_out().await.unwrap();
    assert!(matches!(
        controller.session(),
        SessionState::SignedOut { reason: None }
    ));
}

#[tokio::test]
async fn the_live_state_follows_the_session_and_every_action_is_read_back_from_sonos() {
    let world = World::start(|_| {}).await;
    let controller = controller(&world);
    let mut live = controller.watch();
    tokio::spawn(controller.clone().follow_session());
    let first = until(&mut live, |l| l.session.state == SessionPhase::SignedOut).await;
    assert!(first.households.is_empty());
    assert_eq!(first.sync, ReadState::Idle);

    // Nothing waits for the browser: there is no login page to show again.
    assert!(matches!(
        controller.reopen_sign_in(&Remember::default()),
        Err(CoreError::NoPendingSignIn)
    ));
    sign_in(&world, &controller).await;
    let read = until(&mut live, |l| l.sync == ReadState::Ready).await;
    assert_eq!(read.session.state, SessionPhase::SignedIn);
    assert!(!read.signing_in);
    assert_eq!(read.households.len(), 2);
    let office = group(&read, "Office");
    assert_eq!(office.state, PlayState::Paused);
    assert_eq!(
        office.now_playing.as_ref().unwrap().line(),
        "Flywheel — Forty Rooms"
    );
    assert!(
        group(&read, "Den").volume.fixed,
        "the Den's volume is fixed"
    );
    let living = group(&read, "Living Room + 1");
    assert_eq!(living.rooms.len(), 2);
    assert!(living.rooms.iter().any(|r| r.home_theater));

    // Each action lands in Sonos (the simulator's own state) and comes back through Live.
    let office_id = office.id.clone();
    let before = read.revision;
    controller
        .perform(Action::Toggle {
            group: office_id.clone(),
        })
        .await
        .unwrap();
    let now = controller.live();
    assert!(now.revision > before);
    assert!(group(&now, "Office").state.is_playing());

    controller
        .perform(Action::SetGroupVolume {
            group: office_id.clone(),
            volume: 31,
        })
        .await
        .unwrap();
    assert_eq!(group(&controller.live(), "Office").volume.volume, 31);
    controller
        .perform(Action::AdjustGroupVolume {
            group: office_id.clone(),
            delta: -3,
        })
        .await
        .unwrap();
    assert_eq!(group(&controller.live(), "Office").volume.volume, 28);
    controller
        .perform(Action::SetGroupMute {
            group: office_id.clone(),
            muted: true,
        })
        .await
        .unwrap();
    assert!(group(&controller.live(), "Office").volume.muted);
    let room = PlayerId::from(group(&controller.live(), "Office").rooms[0].id.as_str());
    controller
        .perform(Action::SetRoomVolume {
            room: room.clone(),
            volume: 12,
        })
        .await
        .unwrap();
    assert_eq!(
        group(&controller.live(), "Office").rooms[0].volume.volume,
        12
    );
    let state = sim_state(&world).await.to_string();
    assert!(
        state.contains("\"volume\":12"),
        "the simulator holds the room volume"
    );

    // Grouping: the Patio joins the Office; the group list is read again.
    let kitchen = group(&controller.live(), "Patio").rooms[0].id.clone();
    let office_rooms: Vec<PlayerId> = group(&controller.live(), "Office")
        .rooms
        .iter()
        .map(|r| r.id.clone())
        .chain([kitchen.clone()])
        .collect();
    controller
        .perform(Action::SetGroupMembers {
            group: office_id.clone(),
            rooms: office_rooms,
        })
        .await
        .unwrap();
    let regrouped = controller.live();
    assert!(
        regrouped.groups().all(|g| g.name != "Patio"),
        "the Patio left its own group"
    );
    let joined = regrouped
        .groups()
        .find(|g| g.rooms.iter().any(|r| r.id == kitchen))
        .unwrap();
    assert_eq!(joined.rooms.len(), 2);

    // Favorites and playlists, then playing one.
    let household = HouseholdId::from(regrouped.households[0].id.as_str());
    let library = controller.library(&household).await.unwrap();
    assert!(library.favorites.len() >= 6 && !library.playlists.is_empty());
    let favorite = library.favorites[0].clone();
    let target = joined.id.clone();
    controller
        .perform(Action::LoadFavorite {
            group: target.clone(),
            favorite: favorite.id.clone(),
            load: LoadAction::Replace,
        })
        .await
        .unwrap();
    let playing = controller.live();
    let now_playing = playing
        .group(&joined.id)
        .unwrap()
        .now_playing
        .clone()
        .unwrap();
    assert!(
        now_playing.title == favorite.name
            || now_playing.container.as_deref() == Some(&favorite.name),
        "{now_playing:?} after playing {favorite:?}"
    );

    // Sign-out empties the state.
    controller.sign_out().await.unwrap();
    let out = until(&mut live, |l| l.session.state == SessionPhase::SignedOut).await;
    assert!(out.households.is_empty());
    assert_eq!(out.sync, ReadState::Idle);
}

#[tokio::test]
async fn a_failed_read_keeps_the_last_state_and_says_why() {
    let world = World::start(|_| {}).await;
    let controller = controller(&world);
    let mut live = controller.watch();
    tokio::spawn(controller.clone().follow_session());
    sign_in(&world, &controller).await;
    let read = until(&mut live, |l| l.sync == ReadState::Ready).await;
    // An unknown group is a Sonos error; the state shown stays and the failure is named.
    let err = controller
        .perform(Action::Toggle {
            group: GroupId::from("RINCON_nope:1"),
        })
        .await
        .unwrap_err();
    assert_eq!(controller.live().households, read.households);
    assert!(!err.to_string().is_empty());
    // A read that fails (Sonos answering 500 to everything) marks the state as old, keeps
    // it, and says why.
    world.sim.sim.world().faults.error_rates = vec![ErrorRate {
        status: 500,
        rate: 1.0,
    }];
    assert!(controller.refresh().await.is_err());
    let after = controller.live();
    assert_eq!(after.households, read.households);
    assert!(
        // Sonos failing on its side, past the retries: try again later.
        matches!(after.sync, ReadState::Failed { ref kind, offline: true, ref message } if *kind == roomtone_core::ErrorKind::Network && message.contains("500")),
        "{:?}",
        after.sync
    );
}

#[tokio::test]
async fn the_last_known_household_shows_until_the_first_read_answers() {
    let world = World::start(|_| {}).await;
    let controller = controller(&world);
    let remembered = vec![roomtone_core::view::Household {
        id: "Sonos_remembered".into(),
        groups: Vec::new(),
    }];
    // Signed out: nothing to show.
    controller.seed(remembered.clone());
    assert!(controller.live().households.is_empty());
    sign_in(&world, &controller).await;
    controller.seed(remembered.clone());
    let seeded = controller.live();
    assert_eq!(seeded.households, remembered);
    assert_eq!(seeded.sync, ReadState::Loading);
    // The first read replaces it; a late seed changes nothing.
    controller.refresh().await.unwrap();
    controller.seed(remembered);
    let read = controller.live();
    assert_eq!(read.sync, ReadState::Ready);
    assert_eq!(read.households.len(), 2);
    assert_ne!(read.households[0].id, "Sonos_remembered");
}

#[tokio::test]
async fn artwork_reaches_the_surfaces_from_https_and_the_simulator_only() {
    let world = World::start(|_| {}).await;
    let controller = controller(&world);
    sign_in(&world, &controller).await;
    // What an app kept from an earlier run (or any metadata) may name any URL.
    let group = |id: &str, art: &str| roomtone_core::view::Group {
        id: id.into(),
        name: id.into(),
        coordinator_id: id.into(),
        rooms: Vec::new(),
        state: roomtone_core::view::PlayState::Playing,
        position: None,
        now_playing: Some(roomtone_core::view::NowPlaying {
            art_url: Some(art.into()),
            ..track()
        }),
        volume: roomtone_core::view::Volume {
            volume: 20,
            muted: false,
            fixed: false,
        },
        actions: Default::default(),
        modes: Default::default(),
    };
    let sim_art = format!("{}/sim/art/a.svg", world.sim.url);
    controller.seed(vec![roomtone_core::view::Household {
        id: "H".into(),
        groups: vec![
            group("a", "http://127.0.0.1:631/printers"),
            group("b", "http://192.168.1.20:1400/getaa?s=1"),
            group("c", "https://art.example/a.jpg"),
            group("d", &sim_art),
        ],
    }]);
    let arts: Vec<Option<String>> = controller.live().households[0]
        .groups
        .iter()
        .map(|g| g.now_playing.as_ref().unwrap().art_url.clone())
        .collect();
    assert_eq!(
        arts,
        [
            None,
            None,
            Some("https://art.example/a.jpg".into()),
            Some(sim_art)
        ]
    );
    // What Sonos (the simulator) says comes through: its artwork is its own origin's.
    controller.refresh().await.unwrap();
    let live = controller.live();
    let read: Vec<&String> = live
        .households
        .iter()
        .flat_map(|h| &h.groups)
        .filter_map(|g| g.now_playing.as_ref()?.art_url.as_ref())
        .collect();
    assert!(!read.is_empty());
    assert!(
        read.iter().all(|u| u.starts_with(&world.sim.url)),
        "{read:?}"
    );
}

fn track() -> roomtone_core::view::NowPlaying {
    roomtone_core::view::NowPlaying {
        title: "Flywheel".into(),
        artist: None,
        album: None,
        container: None,
        service: None,
        art_url: None,
        duration_millis: None,
    }
}

#[tokio::test]
async fn home_theater_options_the_tv_and_line_in() {
    let world = World::start(|_| {}).await;
    let controller = controller(&world);
    sign_in(&world, &controller).await;
    controller.refresh().await.unwrap();
    let live = controller.live();
    let theater = live
        .groups()
        .flat_map(|g| &g.rooms)
        .find(|r| r.home_theater)
        .expect("a home-theater room")
        .clone();
    let room = theater.id.clone();
    let before = controller.theater_options(&room).await.unwrap();
    let wanted = roomtone_core::view::TheaterOptions {
        night_mode: !before.night_mode,
        enhance_dialog: true,
    };
    controller
        .perform(Action::SetTheaterOptions {
            room: room.clone(),
            options: wanted,
        })
        .await
        .unwrap();
    assert_eq!(controller.theater_options(&room).await.unwrap(), wanted);
    controller
        .perform(Action::PlayTv { room: room.clone() })
        .await
        .unwrap();
    let tv = controller.live();
    let group = tv
        .groups()
        .find(|g| g.rooms.iter().any(|r| r.id == theater.id))
        .unwrap();
    assert!(group.state.is_playing(), "the TV plays: {:?}", group.state);

    // Its TV on and to standby (Sonos cannot say which it is: the simulator's state can).
    assert!(theater.tv_power, "the home theater can switch its TV");
    let tv_power = |state: serde_json::Value| {
        state["households"][0]["players"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == room.as_str())
            .map(|p| p["tvPowerState"].clone())
            .unwrap()
    };
    assert_eq!(tv_power(sim_state(&world).await), "STANDBY");
    controller
        .perform(Action::SetTvPower {
            room: room.clone(),
            on: true,
        })
        .await
        .unwrap();
    assert_eq!(tv_power(sim_state(&world).await), "ON");
    controller
        .perform(Action::SetTvPower {
            room: room.clone(),
            on: false,
        })
        .await
        .unwrap();
    assert_eq!(tv_power(sim_state(&world).await), "STANDBY");
    // A room with no TV says so.
    let speaker = tv
        .groups()
        .flat_map(|g| &g.rooms)
        .find(|r| !r.home_theater)
        .unwrap()
        .id
        .clone();
    let err = controller
        .perform(Action::SetTvPower {
            room: speaker,
            on: true,
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("home-theater"), "{err}");

    let (group_id, line_in) = {
        let live = controller.live();
        let (g, r) = live
            .groups()
            .find_map(|g| {
                g.rooms
                    .iter()
                    .find(|r| r.line_in)
                    .map(|r| (g.id.clone(), r.id.clone()))
            })
            .expect("a room with a line-in");
        (g.clone(), r.clone())
    };
    controller
        .perform(Action::PlayLineIn {
            group: group_id.clone(),
            room: line_in.clone(),
        })
        .await
        .unwrap();
    let after = controller.live();
    let playing = after.group(&group_id).unwrap();
    assert!(
        playing.state.is_playing(),
        "line-in plays: {:?}",
        playing.state
    );
}

#[tokio::test]
async fn a_change_made_on_another_phone_reaches_the_live_state_through_the_relays_stream() {
    let world = World::start(|_| {}).await;
    let controller = signed_in_on_events_only(&world).await;
    let mut live = controller.watch();
    let office = until(&mut live, |l| {
        l.sync == ReadState::Ready && l.groups().any(|g| g.name == "Office")
    })
    .await;
    // The controller subscribes everything in view once its stream is open: per household
    // three, per group three, per room one, and one more per room that can ring a chime.
    let wanted: usize = office
        .households
        .iter()
        .map(|h| {
            let rooms = |g: &roomtone_core::view::Group| {
                g.rooms
                    .iter()
                    .map(|r| 1 + usize::from(r.can_chime))
                    .sum::<usize>()
            };
            3 + h.groups.iter().map(|g| 3 + rooms(g)).sum::<usize>()
        })
        .sum();
    let office = group(&office, "Office").id.clone();
    until_subscriptions(&world, |subs| {
        subs.len() == wanted
            && subs.iter().any(|s| {
                s["namespace"] == "groupVolume"
                    && s["targetValue"].as_str() == Some(office.as_str())
            })
    })
    .await;

    // Another phone turns the Office to 33: the controller's state follows, with no action
    // here and no request to Sonos (the event says all there is to know).
    let requests = || async {
        json_of(&world, format!("{}/sim/admin/stats", world.sim.url)).await["controlRequests"]
            .as_u64()
            .unwrap()
    };
    let before = requests().await;
    another_phone_sets_the_volume(&world, &office, 33).await;
    let after = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        until(&mut live, |l| {
            l.sync == ReadState::Ready && group(l, "Office").volume.volume == 33
        }),
    )
    .await
    .unwrap_or_else(|_| {
        panic!(
            "the phone's change never reached the controller: {:?}, Office {:?}",
            live.borrow().sync,
            group(&live.borrow(), "Office").volume
        )
    });
    assert_eq!(after.session.state, SessionPhase::SignedIn);
    assert!(controller.streaming());
    assert_eq!(requests().await - before, 1, "the phone's request alone");

    // Signing out ends the subscriptions (Sonos would send events for days otherwise).
    controller.sign_out().await.unwrap();
    until_subscriptions(&world, |subs| subs.is_empty()).await;
}

#[tokio::test]
async fn duplicated_reordered_and_dropped_events_leave_the_state_right() {
    let world = World::start(|_| {}).await;
    let controller = signed_in_on_events_only(&world).await;
    let mut live = controller.watch();
    let first = until(&mut live, |l| {
        l.sync == ReadState::Ready && l.groups().any(|g| g.name == "Office")
    })
    .await;
    let groups: Vec<(String, GroupId)> = first
        .groups()
        .filter(|g| !g.volume.fixed)
        .map(|g| (g.name.clone(), g.id.clone()))
        .collect();
    assert!(groups.len() >= 3, "{groups:?}");
    until_subscriptions(&world, |subs| {
        groups.iter().all(|(_, id)| {
            subs.iter().any(|s| {
                s["namespace"] == "groupVolume" && s["targetValue"].as_str() == Some(id.as_str())
            })
        })
    })
    .await;

    // A bad network between Sonos and the relay: events lost, sent twice, and out of order,
    // while another phone moves every group's volume up and down.
    set_faults(
        &world,
        serde_json::json!({"drop_events": 0.3, "duplicate_events": 0.4, "reorder_events": 0.4}),
    )
    .await;
    for round in 0..6u8 {
        for (i, (_, id)) in groups.iter().enumerate() {
            another_phone_sets_the_volume(&world, id, 10 + round * 7 + i as u8).await;
        }
    }
    // The network heals; one more change somewhere brings an event through.
    set_faults(&world, serde_json::json!({})).await;
    let (_, office) = groups.iter().find(|(name, _)| name == "Office").unwrap();
    another_phone_sets_the_volume(&world, office, 77).await;

    // Every group ends where the phone left it, not where a late or lost event would leave it.
    let phone = another_phone(&world);
    let mut truth = std::collections::BTreeMap::new();
    for (name, id) in &groups {
        let volume = phone.group_volume().get(&id.clone()).await.unwrap().volume;
        truth.insert(name.clone(), volume);
    }
    assert_eq!(truth["Office"], 77);
    let converged = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        until(&mut live, |l| {
            l.sync == ReadState::Ready
                && truth
                    .iter()
                    .all(|(name, volume)| group(l, name).volume.volume == *volume)
        }),
    )
    .await;
    let seen: std::collections::BTreeMap<_, _> = live
        .borrow()
        .groups()
        .map(|g| (g.name.clone(), g.volume.volume))
        .collect();
    assert!(
        converged.is_ok(),
        "the state never matched Sonos: {seen:?}, Sonos {truth:?}"
    );
    // The faults did happen: events were lost at the simulator and duplicates dropped at
    // the relay.
    let sim = json_of(&world, format!("{}/sim/admin/stats", world.sim.url)).await;
    assert!(sim["eventsDropped"].as_u64() > Some(0), "{sim}");
    let relay = json_of(&world, format!("{}/events/stats", world.relay_url)).await;
    assert!(relay["duplicates"].as_u64() > Some(0), "{relay}");
}

#[tokio::test]
async fn without_a_stream_the_controller_polls_the_group_on_screen_often_and_the_rest_rarely() {
    let mut world = World::start(|_| {}).await;
    let controller = controller(&world);
    tokio::spawn(controller.clone().follow_session());
    sign_in(&world, &controller).await;
    let mut live = controller.watch();
    let first = until(&mut live, |l| {
        l.sync == ReadState::Ready && !l.households.is_empty()
    })
    .await;
    let office = group(&first, "Office").id.clone();
    let other = first
        .groups()
        .find(|g| g.name != "Office" && !g.volume.fixed)
        .unwrap()
        .clone();
    // The relay is gone: no event stream. Sonos itself still answers.
    world.stop_relay().await;
    // The window shows the Office: it is read often, everything else once an hour.
    controller.set_focus(Some(&office));
    controller.poll_every(roomtone_core::updates::PollEvery {
        watched: std::time::Duration::from_millis(50),
        others: std::time::Duration::from_secs(3600),
        unwatched: std::time::Duration::from_secs(3600),
    });
    tokio::spawn(controller.clone().follow_events());

    let elsewhere = if other.volume.volume == 9 { 10 } else { 9 };
    another_phone_sets_the_volume(&world, &other.id, elsewhere).await;
    another_phone_sets_the_volume(&world, &office, 41).await;
    let seen = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        until(&mut live, |l| {
            l.sync == ReadState::Ready && group(l, "Office").volume.volume == 41
        }),
    )
    .await
    .expect("a poll read the phone's change");
    assert!(!controller.streaming());
    assert_eq!(
        group(&seen, &other.name).volume.volume,
        other.volume.volume,
        "only the group on screen was read"
    );

    // The rest is read at its own pace.
    controller.poll_every(roomtone_core::updates::PollEvery {
        watched: std::time::Duration::from_millis(50),
        others: std::time::Duration::from_millis(50),
        unwatched: std::time::Duration::from_secs(3600),
    });
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        until(&mut live, |l| {
            group(l, &other.name).volume.volume == elsewhere
        }),
    )
    .await
    .expect("a poll of everything read the other group's change");
}

#[tokio::test]
async fn the_stream_comes_back_after_the_relay_restarts() {
    let mut world = World::start(|_| {}).await;
    let controller = signed_in_on_events_only(&world).await;
    let mut live = controller.watch();
    let first = until(&mut live, |l| {
        l.sync == ReadState::Ready && !l.households.is_empty()
    })
    .await;
    let office = group(&first, "Office").id.clone();
    until_subscriptions(&world, |subs| !subs.is_empty()).await;

    // The relay goes away (its open streams end with it) and comes back at the same address.
    world.stop_relay().await;
    let mut streaming = controller.watch();
    world.start_relay();
    // The controller reconnects by itself; then a phone's change arrives through the stream.
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while !controller.streaming() {
            // Reconnecting reads everything again: each attempt that gets through publishes.
            let _ = streaming.changed().await;
        }
    })
    .await
    .expect("the stream came back");
    another_phone_sets_the_volume(&world, &office, 27).await;
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        until(&mut live, |l| {
            l.sync == ReadState::Ready && group(l, "Office").volume.volume == 27
        }),
    )
    .await
    .expect("the phone's change came through the new stream");
}
