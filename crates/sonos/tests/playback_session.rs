//! Contract: `playbackSession` — sessions on a group, and a stream URL played through one.

mod common;

use common::{code, Setup};
use roomtone_sim::config::{Config, PlaybackSessions};
use roomtone_sonos::models::{
    Container, CreateSession, LoadStreamUrl, PlaybackState, SessionState,
};
use roomtone_sonos::SessionId;

fn app(context: &str) -> CreateSession {
    CreateSession {
        app_id: "com.roomtone.desktop".into(),
        app_context: context.into(),
        account_id: None,
        custom_data: None,
    }
}

fn stream(name: Option<&str>) -> LoadStreamUrl {
    LoadStreamUrl {
        stream_url: "https://radio.example/live.mp3".into(),
        play_on_completion: Some(true),
        station_metadata: name.map(|n| Container {
            name: Some(n.into()),
            kind: Some("station".into()),
            ..Container::default()
        }),
        item_id: None,
    }
}

#[tokio::test]
async fn a_stream_url_plays_through_a_session_and_names_the_station() {
    let setup = Setup::new().await;
    let group = setup.group("Bedroom").id;
    let sessions = setup.client.playback_session();
    let made = sessions.create(&group, &app("desk")).await.unwrap();
    assert!(made.session_created);
    assert_eq!(made.session_state, Some(SessionState::Connected));
    sessions
        .load_stream_url(&made.session_id, &stream(Some("Harbour FM")))
        .await
        .unwrap();
    let metadata = setup
        .client
        .playback_metadata()
        .status(&group)
        .await
        .unwrap();
    let container = metadata.container.unwrap();
    assert_eq!(container.name.as_deref(), Some("Harbour FM"));
    assert_eq!(container.kind.as_deref(), Some("station"));
    let playback = setup.client.playback().status(&group).await.unwrap();
    assert!(matches!(
        playback.playback_state,
        PlaybackState::Playing | PlaybackState::Buffering
    ));
    assert_eq!(
        playback.available_playback_actions.unwrap().can_skip,
        Some(false),
        "a live stream"
    );

    // joinOrCreate finds the same session; a name-less stream is named by its host.
    let joined = sessions.join_or_create(&group, &app("desk")).await.unwrap();
    assert_eq!(
        (joined.session_id.clone(), joined.session_created),
        (made.session_id.clone(), false)
    );
    let joined = sessions.join(&group, &app("desk")).await.unwrap();
    assert_eq!(joined.session_id, made.session_id);
    sessions
        .load_stream_url(&made.session_id, &stream(None))
        .await
        .unwrap();
    let metadata = setup
        .client
        .playback_metadata()
        .status(&group)
        .await
        .unwrap();
    assert_eq!(
        metadata.container.unwrap().name.as_deref(),
        Some("radio.example")
    );
    sessions.leave(&made.session_id).await.unwrap();
    let err = sessions
        .load_stream_url(&made.session_id, &stream(None))
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        "ERROR_INVALID_OBJECT_ID",
        "a session left is gone"
    );
}

#[tokio::test]
async fn both_documented_path_prefixes_reach_a_session() {
    let setup = Setup::new().await;
    let group = setup.group("Bedroom").id;
    let made = setup
        .client
        .playback_session()
        .create(&group, &app("desk"))
        .await
        .unwrap();
    // The OAS form, `/sessions/{id}/…`, beside the client's `/playbackSessions/{id}/…`.
    let url = format!(
        "{}/sessions/{}/playbackSession/loadStreamUrl",
        setup.sim.control_url(),
        made.session_id
    );
    let (token, _) = setup.sim.mint_tokens();
    let answer = reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .json(&stream(Some("Other Form FM")))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let metadata = setup
        .client
        .playback_metadata()
        .status(&group)
        .await
        .unwrap();
    assert_eq!(
        metadata.container.unwrap().name.as_deref(),
        Some("Other Form FM")
    );
}

#[tokio::test]
async fn unknown_sessions_vanished_groups_and_a_refused_integration_get_sonos_errors() {
    let setup = Setup::new().await;
    let sessions = setup.client.playback_session();
    let err = sessions
        .load_stream_url(&SessionId::new("SID_nope"), &stream(None))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_INVALID_OBJECT_ID");
    let err = sessions
        .join(&setup.group("Bedroom").id, &app("nobody"))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_INVALID_OBJECT_ID", "nothing to join");

    // A session whose group regrouped has gone with it.
    let bedroom = setup.group("Bedroom").id;
    let made = sessions.create(&bedroom, &app("desk")).await.unwrap();
    let bathroom = setup.player("Bathroom").id;
    let mut members = setup.group("Bedroom").player_ids.clone();
    members.push(bathroom);
    setup
        .client
        .groups()
        .set_members(
            &bedroom,
            &roomtone_sonos::models::SetGroupMembers {
                player_ids: members,
                area_ids: None,
            },
        )
        .await
        .unwrap();
    let err = sessions
        .load_stream_url(&made.session_id, &stream(None))
        .await
        .unwrap_err();
    assert!(matches!(err, roomtone_sonos::Error::Gone { .. }), "{err}");

    // An integration Sonos does not let open sessions.
    let refused = Setup::with(Config {
        playback_sessions: PlaybackSessions::Refused,
        ..roomtone_sim::testing::config()
    })
    .await;
    let err = refused
        .client
        .playback_session()
        .create(&refused.group("Bedroom").id, &app("desk"))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_NO_PERMISSION");
}
