//! The one action path: what an action shows before Sonos answers, what a refusal takes
//! back, a group that has gone found again, and the position only a position moves.

mod common;

use common::control::*;
use common::World;
use roomtone_core::live::ReadState;
use roomtone_core::view::{LoadAction, PlayState};
use roomtone_core::{Action, Controller, ErrorKind};
use roomtone_sonos::models::SetGroupMembers;
use roomtone_sonos::{GroupId, PlayerId};
use std::future::Future;
use std::task::Poll;

/// Polls `action` once: what it shows before any answer from Sonos is then published.
async fn started<F: Future>(action: &mut std::pin::Pin<&mut F>) {
    let first = std::future::poll_fn(|cx| Poll::Ready(action.as_mut().poll(cx).is_pending()));
    assert!(first.await, "the action waits for Sonos");
}

#[tokio::test]
async fn a_change_shows_at_once_everywhere_and_settles_on_what_sonos_says() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let office = group(&controller.live(), "Office").clone();
    assert_eq!(office.state, PlayState::Paused);

    let mut toggle = std::pin::pin!(controller.perform(Action::Toggle {
        group: office.id.clone(),
    }));
    started(&mut toggle).await;
    // Every surface reads this one state: the window, the tray and the media session.
    let shown = controller.live();
    assert_eq!(group(&shown, "Office").state, PlayState::Playing);
    assert_eq!(shown.pending.len(), 1);
    assert_eq!(shown.pending[0].target, office.id.as_str());

    toggle.await.unwrap();
    let settled = controller.live();
    assert!(settled.pending.is_empty(), "answered: nothing pending");
    assert!(group(&settled, "Office").state.is_playing());
    assert_eq!(settled.refused, None);
}

#[tokio::test]
async fn a_refused_change_is_taken_back_with_the_reason() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let office = group(&controller.live(), "Office").clone();
    set_faults(&world, serde_json::json!({"fail_next": [{"status": 499}]})).await;

    let wanted = if office.volume.volume == 77 { 78 } else { 77 };
    let mut set = std::pin::pin!(controller.perform(Action::SetGroupVolume {
        group: office.id.clone(),
        volume: wanted,
    }));
    started(&mut set).await;
    assert_eq!(group(&controller.live(), "Office").volume.volume, wanted);

    let err = set.await.expect_err("Sonos refuses it");
    let after = controller.live();
    assert_eq!(
        group(&after, "Office").volume.volume,
        office.volume.volume,
        "taken back to what Sonos says"
    );
    assert!(after.pending.is_empty());
    let refused = after.refused.expect("the refusal is in the state");
    assert_eq!(refused.kind, err.kind());
    assert_eq!(refused.kind, ErrorKind::Sonos);
    assert_eq!(refused.what, "change the volume");
    assert_eq!(refused.target, office.id.as_str());
    assert_eq!(refused.message, err.to_string());
    assert_eq!(refused.serial, 1);
}

/// Another phone puts a second room into Office: Sonos gives Office a new ID.
async fn another_phone_regroups_office(world: &World, controller: &Controller) -> GroupId {
    let live = controller.live();
    let office = group(&live, "Office");
    let other = live
        .groups()
        .find(|g| g.id != office.id && g.rooms.len() == 1)
        .expect("another single room");
    let mut rooms: Vec<PlayerId> = office.rooms.iter().map(|r| r.id.clone()).collect();
    rooms.push(PlayerId::from(other.rooms[0].id.as_str()));
    let request = SetGroupMembers {
        player_ids: rooms,
        area_ids: None,
    };
    let info = another_phone(world)
        .groups()
        .set_members(&office.id.clone(), &request)
        .await
        .unwrap();
    let new = info.group.unwrap().id;
    assert_ne!(new, office.id, "a regroup gives a new group ID");
    new
}

#[tokio::test]
async fn an_action_safe_to_repeat_is_sent_again_to_the_group_found_after_a_410() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let old = group(&controller.live(), "Office").id.clone();
    controller.set_focus(Some(&old));
    controller.set_chosen(Some(&old));
    let new = another_phone_regroups_office(&world, &controller).await;
    assert!(controller.live().group(&old).is_some(), "not seen yet");

    let done = controller
        .perform(Action::SetGroupVolume {
            group: old.clone(),
            volume: 41,
        })
        .await
        .expect("retried on the group found again");
    assert_eq!(done.group.as_ref(), Some(&new));
    let live = controller.live();
    assert_eq!(live.group(&new).unwrap().volume.volume, 41);
    assert!(live.group(&old).is_none());
    // One rule found it for the retry, the window's selection and the tray's choice.
    assert_eq!(live.focus.as_ref(), Some(&new));
    assert_eq!(live.chosen.as_ref(), Some(&new));
    assert_eq!(live.controlled.as_ref(), Some(&new));
    let sim = sim_state(&world).await.to_string();
    assert!(
        sim.contains(new.as_str()),
        "the simulator has the new group"
    );
}

#[tokio::test]
async fn a_toggle_on_a_group_that_has_gone_is_never_sent_twice() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let old = group(&controller.live(), "Office").clone();
    controller.set_focus(Some(&old.id));
    let new = another_phone_regroups_office(&world, &controller).await;

    let err = controller
        .perform(Action::Toggle {
            group: old.id.clone(),
        })
        .await
        .expect_err("a toggle is not repeated");
    assert_eq!(err.kind(), ErrorKind::Gone);
    let live = controller.live();
    // The groups were read again (the window follows Office), and Office did not start.
    assert_eq!(live.focus.as_ref(), Some(&new));
    let now = live.group(&new).unwrap();
    assert_eq!(
        now.state, old.state,
        "the toggle was not sent to the new group"
    );
    assert_eq!(live.refused.unwrap().kind, ErrorKind::Gone);
}

#[tokio::test]
async fn a_volume_event_leaves_the_position_where_sonos_last_put_it() {
    let world = World::start(|_| {}).await;
    let controller = signed_in_on_events_only(&world).await;
    let mut live = controller.watch();
    let read = until(&mut live, |l| {
        l.sync == ReadState::Ready && l.groups().any(|g| g.position.is_some())
    })
    .await;
    let playing = read
        .groups()
        .find(|g| g.position.is_some())
        .unwrap()
        .clone();
    until_subscriptions(&world, |subs| {
        subs.iter().any(|s| {
            s["namespace"] == "groupVolume"
                && s["targetValue"].as_str() == Some(playing.id.as_str())
        })
    })
    .await;
    let volume = if playing.volume.volume == 9 { 10 } else { 9 };
    another_phone_sets_the_volume(&world, &playing.id, volume).await;
    let after = until(&mut live, |l| {
        l.group(&playing.id)
            .is_some_and(|g| g.volume.volume == volume)
    })
    .await;
    assert_eq!(
        after.group(&playing.id).unwrap().position,
        playing.position,
        "the same position, read at the same moment"
    );
}

#[tokio::test]
async fn play_next_keeps_what_plays_and_the_favorite_comes_next() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let office = group(&controller.live(), "Office").clone();
    let playing = office
        .now_playing
        .clone()
        .expect("the Office plays a track");
    let household = controller.live().households[0].id.clone();
    let library = controller.library(&household).await.unwrap();
    let favorite = library
        .favorites
        .iter()
        .find(|f| f.id == "1")
        .expect("the seeded favorite 1")
        .clone();

    controller
        .perform(Action::LoadFavorite {
            group: office.id.clone(),
            favorite: favorite.id.clone(),
            load: LoadAction::InsertNext,
        })
        .await
        .unwrap();
    let after = controller.live();
    let now = group(&after, "Office").now_playing.clone().unwrap();
    assert_eq!(now.title, playing.title, "what played goes on");
    assert!(
        group(&after, "Office").state.is_playing(),
        "and plays (the window loads with playOnCompletion)"
    );

    controller
        .perform(Action::Next {
            group: office.id.clone(),
        })
        .await
        .unwrap();
    let next = group(&controller.live(), "Office")
        .now_playing
        .clone()
        .unwrap();
    assert_eq!(next.title, "Salt on the Window", "the favorite came next");
}

#[tokio::test]
async fn pause_everything_pauses_every_playing_group_of_the_household_only() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let live = controller.live();
    let (home, cabin) = (&live.households[0], &live.households[1]);
    let playing: Vec<_> = home
        .groups
        .iter()
        .filter(|g| g.state.is_playing())
        .collect();
    assert!(playing.len() >= 2, "the seed plays in several groups");
    // The cabin plays too, so leaving it alone is seen.
    let cabin_group = cabin.groups[0].id.clone();
    controller
        .perform(Action::Play {
            group: cabin_group.clone(),
        })
        .await
        .unwrap();

    controller
        .perform(Action::PauseAll {
            household: home.id.clone(),
        })
        .await
        .unwrap();
    let after = controller.live();
    assert!(
        after.households[0]
            .groups
            .iter()
            .all(|g| !g.state.is_playing()),
        "{:?}",
        after.households[0]
            .groups
            .iter()
            .map(|g| (&g.name, g.state))
            .collect::<Vec<_>>()
    );
    let state = sim_state(&world).await;
    let sonos_playing: Vec<_> = state["households"][0]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| {
            let s = g["playback"]["playbackState"].as_str().unwrap();
            s == "PLAYBACK_STATE_PLAYING" || s == "PLAYBACK_STATE_BUFFERING"
        })
        .map(|g| g["group"]["name"].clone())
        .collect();
    assert!(
        sonos_playing.is_empty(),
        "Sonos still plays {sonos_playing:?}"
    );
    assert!(
        after.group(&cabin_group).unwrap().state.is_playing(),
        "the other household plays on"
    );
}
