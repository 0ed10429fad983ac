//! A stream URL played on a group through a playback session; Sonos's refusal, and a URL
//! that is not one, told in words with nothing lost.

mod common;

use common::control::*;
use common::World;
use roomtone_core::{Action, ErrorKind};
use roomtone_sim::config::PlaybackSessions;

fn play(group: &roomtone_sonos::GroupId, url: &str, name: Option<&str>) -> Action {
    Action::PlayStream {
        group: group.clone(),
        url: url.into(),
        name: name.map(str::to_owned),
    }
}

#[tokio::test]
async fn a_stream_url_plays_on_the_group_under_its_name() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let bedroom = group(&controller.live(), "Bedroom").id.clone();
    controller
        .perform(play(
            &bedroom,
            "https://radio.example/live.mp3",
            Some("Harbour FM"),
        ))
        .await
        .unwrap();
    let after = controller.live();
    let bedroom_now = group(&after, "Bedroom");
    assert!(bedroom_now.state.is_playing(), "{:?}", bedroom_now.state);
    let now = bedroom_now.now_playing.clone().unwrap();
    assert!(
        now.title == "Harbour FM" || now.container.as_deref() == Some("Harbour FM"),
        "{now:?}"
    );
    assert!(
        !bedroom_now.actions.can_skip,
        "a live stream has no next track"
    );
    // Sonos holds Roomtone's session on the group.
    let state = sim_state(&world).await;
    let metadata = state["households"][0]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"]["name"] == "Bedroom")
        .map(|g| g["metadata"]["container"]["name"].clone())
        .unwrap();
    assert_eq!(metadata, "Harbour FM");
}

#[tokio::test]
async fn a_refusal_is_explained_and_a_bad_url_is_never_sent() {
    let world = World::start(|c| c.playback_sessions = PlaybackSessions::Refused).await;
    let controller = signed_in(&world).await;
    let bedroom = group(&controller.live(), "Bedroom").clone();
    let err = controller
        .perform(play(&bedroom.id, "https://radio.example/live.mp3", None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Sonos);
    assert!(err.to_string().contains("content partners"), "{err}");
    let refused = controller.live().refused.unwrap();
    assert_eq!(refused.what, "play the stream");
    assert!(refused.message.contains("content partners"));
    assert_eq!(
        group(&controller.live(), "Bedroom").now_playing,
        bedroom.now_playing,
        "what the group had stays"
    );

    let before = control_requests(&world).await;
    for url in ["", "radio.example/live", "rtsp://radio.example/live"] {
        let err = controller
            .perform(play(&bedroom.id, url, None))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{url:?}: {err}");
    }
    assert_eq!(
        control_requests(&world).await,
        before,
        "nothing reached Sonos"
    );
}
