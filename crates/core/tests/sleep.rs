//! Sleep timers, run by the core on a short minute: the fade, the pause and the volumes put
//! back; a timer following its group across a regroup and a restart; a timer handed over by
//! another process (as `roomtone-cli sleep` does to the app) and turned off from there.

mod common;

use common::control::*;
use common::World;
use roomtone_core::sleep::{SleepAfter, Timers};
use roomtone_core::view::PlayState;
use roomtone_core::{Action, Controller, ErrorKind, Live};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A timer's minute in these tests: the fade takes a second.
const MINUTE: Duration = Duration::from_millis(2_000);

fn timer_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("roomtone-sleep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("test.sleep-timers.json")
}

fn runs_timers_in(
    controller: &Arc<Controller>,
    file: &std::path::Path,
) -> tokio::task::JoinHandle<()> {
    controller.keep_sleep_timers(Timers::in_file(file.to_path_buf()).with_minute(MINUTE));
    tokio::spawn(controller.clone().run_sleep_timers(false))
}

fn sleep_in(group: &roomtone_sonos::GroupId, minutes: u16) -> Action {
    Action::Sleep {
        group: group.clone(),
        after: SleepAfter::Minutes { minutes },
    }
}

/// The rooms' volumes in the simulator, by name.
async fn sim_volumes(world: &World, names: &[&str]) -> Vec<u64> {
    let state = sim_state(world).await;
    names
        .iter()
        .map(|name| {
            state["households"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|h| h["players"].as_array().unwrap())
                .find(|p| p["name"] == *name)
                .unwrap_or_else(|| panic!("no player {name}"))["volume"]
                .as_u64()
                .unwrap()
        })
        .collect()
}

#[tokio::test]
async fn a_due_timer_fades_the_group_pauses_it_and_puts_each_room_back() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let file = timer_file("fade");
    let _runner = runs_timers_in(&controller, &file);
    let live = controller.live();
    let living = group(&live, "Living Room + 1").clone();
    assert!(living.state.is_playing());
    for (name, volume) in [("Living Room", 20), ("Kitchen", 50)] {
        let room = room_id(&live, name);
        controller
            .perform(Action::SetRoomVolume { room, volume })
            .await
            .unwrap();
    }
    let start = group(&controller.live(), "Living Room + 1").volume.volume;
    assert_eq!(start, 35);

    // Every group volume and timer the state shows, as it changes.
    let seen: Arc<Mutex<Vec<(u8, bool)>>> = Arc::default();
    let mut changes = controller.watch();
    tokio::spawn({
        let (seen, id) = (seen.clone(), living.id.clone());
        async move {
            while changes.changed().await.is_ok() {
                let live = changes.borrow_and_update().clone();
                if let Some(g) = live.group(&id) {
                    let fading = live.sleep_of(&id).is_some_and(|t| t.fading);
                    seen.lock().unwrap().push((g.volume.volume, fading));
                }
            }
        }
    });

    controller.perform(sleep_in(&living.id, 1)).await.unwrap();
    let set = controller.live();
    let timer = set.sleep_of(&living.id).expect("the timer shows at once");
    assert_eq!(timer.minutes_left, 1);
    assert!(!timer.fading && !timer.end_of_track);
    let kept = std::fs::read_to_string(&file).expect("kept in the file");
    assert!(kept.contains(living.id.as_str()), "{kept}");
    assert!(!kept.to_lowercase().contains("token"), "{kept}");

    let mut live = controller.watch();
    let asleep = until(&mut live, |l| {
        l.sleep.is_empty()
            && l.group(&living.id)
                .is_some_and(|g| g.state == PlayState::Paused)
    })
    .await;
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter().any(|(_, fading)| *fading),
        "it said it was fading: {seen:?}"
    );
    let lowest = seen.iter().map(|(v, _)| *v).min().unwrap();
    assert!(
        lowest < start / 2,
        "the volume came down before the pause: {seen:?}"
    );
    assert_eq!(
        sim_volumes(&world, &["Living Room", "Kitchen"]).await,
        vec![20, 50],
        "each room's volume put back"
    );
    // What the state shows once the volumes' reads are in.
    let back = until(&mut live, |l| {
        l.group(&living.id)
            .is_some_and(|g| g.volume.volume == start)
    })
    .await;
    assert!(back.pending.is_empty());
    assert_eq!(asleep.refused, None);
    assert!(!file.exists(), "no timer left to keep");
}

#[tokio::test]
async fn a_timer_follows_its_group_across_a_regroup_and_a_restart() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let file = timer_file("follow");
    let runner = runs_timers_in(&controller, &file);
    let live = controller.live();
    let office = group(&live, "Office").clone();
    controller
        .perform(Action::Play {
            group: office.id.clone(),
        })
        .await
        .unwrap();
    controller.perform(sleep_in(&office.id, 30)).await.unwrap();
    let ends_at = controller.live().sleep_of(&office.id).unwrap().ends_at;

    // The Bathroom joins the Office: Sonos gives the group a new ID, and the timer follows.
    let bathroom = room_id(&live, "Bathroom");
    let done = controller
        .perform(Action::SetGroupMembers {
            group: office.id.clone(),
            rooms: vec![office.rooms[0].id.clone(), bathroom],
        })
        .await
        .unwrap();
    let regrouped = done.group.expect("the group's new ID");
    assert_ne!(regrouped, office.id);
    let moved = controller.live();
    assert_eq!(moved.sleep.len(), 1);
    assert_eq!(moved.sleep[0].group, regrouped, "on the group found again");
    assert_eq!(moved.sleep[0].ends_at, ends_at);

    // The app ends and starts again: the timer is read from the file and goes on.
    runner.abort();
    let _ = runner.await;
    let again = signed_in(&world).await;
    let _runner = runs_timers_in(&again, &file);
    let mut live = again.watch();
    let resumed = until(&mut live, |l| !l.sleep.is_empty()).await;
    assert_eq!(resumed.sleep[0].group, regrouped);
    assert_eq!(resumed.sleep[0].ends_at, ends_at);
    // Most of the half hour (of short minutes) goes by.
    world.clock.advance(MINUTE * 29);
    until(&mut live, |l| {
        l.sleep.is_empty()
            && l.group(&regrouped)
                .is_some_and(|g| g.state == PlayState::Paused)
    })
    .await;
}

#[tokio::test]
async fn a_timer_set_in_another_process_runs_in_the_one_that_runs_them_and_turns_off_there() {
    let world = World::start(|_| {}).await;
    let app = signed_in(&world).await;
    let file = timer_file("handed");
    let _runner = runs_timers_in(&app, &file);
    // The CLI: the same file, no runner of its own (the app holds it).
    let cli = signed_in(&world).await;
    cli.keep_sleep_timers(Timers::in_file(file.clone()).with_minute(MINUTE));
    assert!(
        Timers::in_file(file.clone()).try_run().is_none(),
        "the app runs the timers"
    );
    let den = group(&cli.live(), "Den").clone();
    assert!(den.state.is_playing());

    let mut shown = app.watch();
    cli.perform(sleep_in(&den.id, 30)).await.unwrap();
    let on_app = until(&mut shown, |l: &Live| l.sleep_of(&den.id).is_some()).await;
    assert_eq!(on_app.sleep_of(&den.id).unwrap().minutes_left, 30);
    cli.perform(Action::Sleep {
        group: den.id.clone(),
        after: SleepAfter::Off,
    })
    .await
    .unwrap();
    until(&mut shown, |l| l.sleep.is_empty()).await;

    // Handed over again, and due: the app stops the Den's station (fixed volume: nothing
    // to fade; a live stream paused is stopped).
    cli.perform(sleep_in(&den.id, 1)).await.unwrap();
    let asleep = until(&mut shown, |l| {
        l.sleep.is_empty() && l.group(&den.id).is_some_and(|g| !g.state.is_playing())
    })
    .await;
    assert_eq!(asleep.refused, None);
}

#[tokio::test]
async fn the_end_of_the_track_is_where_it_sleeps_and_a_stream_has_none() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let _runner = runs_timers_in(&controller, &timer_file("track"));
    let live = controller.live();

    // The Den plays a station: no end to sleep at, said before anything is kept.
    let den = group(&live, "Den").clone();
    let err = controller
        .perform(Action::Sleep {
            group: den.id.clone(),
            after: SleepAfter::EndOfTrack,
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(
        err.to_string().contains("choose a number of minutes"),
        "{err}"
    );
    let refused = controller.live().refused.expect("named as refused");
    assert_eq!(refused.what, "set the sleep timer");
    assert!(controller.live().sleep.is_empty());

    // The Living Room's track, moved to a second before its end.
    let living = group(&live, "Living Room + 1").clone();
    let length = living
        .now_playing
        .as_ref()
        .unwrap()
        .duration_millis
        .unwrap();
    controller
        .perform(Action::Seek {
            group: living.id.clone(),
            position_millis: length - 1_000,
        })
        .await
        .unwrap();
    controller
        .perform(Action::Sleep {
            group: living.id.clone(),
            after: SleepAfter::EndOfTrack,
        })
        .await
        .unwrap();
    let set = controller.live();
    let timer = set.sleep_of(&living.id).unwrap();
    assert!(timer.end_of_track);
    assert!(timer.ends_at <= controller.now_millis() + 1_000);
    let mut live = controller.watch();
    until(&mut live, |l| {
        l.sleep.is_empty()
            && l.group(&living.id)
                .is_some_and(|g| g.state == PlayState::Paused)
    })
    .await;
}
