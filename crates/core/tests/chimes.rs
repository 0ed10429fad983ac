//! Chimes: rung through the one action path, followed to their end through Sonos's
//! `audioClipStatus` events, and refused in words where a room cannot ring one.

mod common;

use common::control::*;
use common::World;
use roomtone_core::chime::ChimeStatus;
use roomtone_core::live::ReadState;
use roomtone_core::{Action, ErrorKind};
use std::time::Duration;

#[tokio::test]
async fn a_chime_is_followed_to_its_end_through_sonos_events() {
    let world = World::start(|c| c.audio_clip_duration = Duration::from_millis(300)).await;
    let controller = signed_in_on_events_only(&world).await;
    let mut live = controller.watch();
    let ready = until(&mut live, |l| {
        l.sync == ReadState::Ready && !l.households.is_empty()
    })
    .await;
    let kitchen = room_id(&ready, "Kitchen");
    until_subscriptions(&world, |subs| {
        subs.iter().any(|s| {
            s["namespace"] == "audioClip" && s["targetValue"].as_str() == Some(kitchen.as_str())
        })
    })
    .await;

    let done = controller
        .perform(Action::Chime {
            room: kitchen.clone(),
            url: None,
            volume: Some(30),
        })
        .await
        .unwrap();
    let rung = done.chime.expect("the chime Sonos answered with");
    assert_eq!(rung.room, kitchen);
    assert_eq!(rung.status, ChimeStatus::Ringing);
    assert!(rung.followed, "its events come through the stream");
    let ended = until(&mut live, |l| {
        l.chimes
            .iter()
            .any(|c| c.id == rung.id && c.status == ChimeStatus::Done)
    })
    .await;
    assert_eq!(ended.chimes.len(), 1, "one chime, the Kitchen's last");

    // A sound the speaker cannot play: Sonos says so in its event, and the state says why.
    let done = controller
        .perform(Action::Chime {
            room: kitchen.clone(),
            url: Some("https://example.com/ding.ogg".into()),
            volume: None,
        })
        .await
        .unwrap();
    let id = done.chime.unwrap().id;
    let failed = until(&mut live, |l| {
        l.chimes
            .iter()
            .any(|c| c.id == id && c.status == ChimeStatus::Failed)
    })
    .await;
    let problem = failed.chimes[0].problem.clone().unwrap();
    assert!(problem.contains("MP3 or WAV"), "{problem}");
}

#[tokio::test]
async fn a_room_that_cannot_chime_and_a_url_that_is_not_one_are_refused_before_sending() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let before = control_requests(&world).await;
    let den = room_id(&controller.live(), "Den");
    let err = controller
        .perform(Action::Chime {
            room: den.clone(),
            url: None,
            volume: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(
        err.to_string().starts_with("Den cannot ring a chime"),
        "{err}"
    );
    let refused = controller.live().refused.unwrap();
    assert_eq!(
        (refused.what.as_str(), refused.target.as_str()),
        ("ring a chime", den.as_str())
    );

    let kitchen = room_id(&controller.live(), "Kitchen");
    for url in [
        "file:///etc/passwd",
        "not a url",
        "https://u:p@example.com/a.mp3",
    ] {
        let err = controller
            .perform(Action::Chime {
                room: kitchen.clone(),
                url: Some(url.into()),
                volume: None,
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{url}: {err}");
    }
    assert_eq!(
        control_requests(&world).await,
        before,
        "nothing reached Sonos"
    );

    // Without an event stream the chime is sent but not followed: the state says so.
    let done = controller
        .perform(Action::Chime {
            room: kitchen.clone(),
            url: None,
            volume: None,
        })
        .await
        .unwrap();
    let chime = done.chime.unwrap();
    assert!(!chime.followed);
    assert_eq!(controller.live().chimes, vec![chime]);
}
