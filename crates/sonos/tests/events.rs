//! Contract: events delivered by the simulator decode, and their signatures verify, through
//! the client's webhook parser.

mod common;

use common::Setup;
use roomtone_sim::config::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use roomtone_sim::testing::{config, EventSink};
use roomtone_sonos::events::{Event, EventBody, TargetType};
use roomtone_sonos::{ClientSecret, Error};

async fn setup_with_sink() -> (Setup, EventSink) {
    let sink = EventSink::start().await;
    let mut config = config();
    config.event_callback = Some(sink.url.clone());
    (Setup::with(config).await, sink)
}

#[tokio::test]
async fn a_volume_event_verifies_and_decodes() {
    let (setup, mut sink) = setup_with_sink().await;
    let group = setup.group("Office").id;
    setup.client.group_volume().subscribe(&group).await.unwrap();
    setup.client.group_volume().set(&group, 44).await.unwrap();
    let received = sink.next_of("groupVolume").await;
    let event = Event::verified(
        &received.headers,
        &received.body,
        DEFAULT_CLIENT_ID,
        &ClientSecret::new(DEFAULT_CLIENT_SECRET),
    )
    .unwrap();
    assert_eq!(event.headers.household_id, setup.household);
    assert_eq!(event.headers.namespace.as_str(), "groupVolume");
    assert_eq!(event.headers.target_type, TargetType::GroupId);
    assert_eq!(event.headers.target_value, group.as_str());
    match event.body {
        EventBody::GroupVolume(volume) => {
            assert_eq!((volume.volume, volume.muted), (44, Some(false)))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_secret_or_a_missing_header_is_rejected() {
    let (setup, mut sink) = setup_with_sink().await;
    let kitchen = setup.player("Kitchen").id;
    setup
        .client
        .player_volume()
        .subscribe(&kitchen)
        .await
        .unwrap();
    // The initial playerVolume event arrives without any change.
    let received = sink.next_of("playerVolume").await;
    let err = Event::verified(
        &received.headers,
        &received.body,
        DEFAULT_CLIENT_ID,
        &ClientSecret::new("not-the-secret"),
    )
    .unwrap_err();
    assert!(matches!(err, Error::BadEventSignature), "{err:?}");
    let mut headers = received.headers.clone();
    headers.remove("x-sonos-event-seq-id");
    let err = Event::verified(
        &headers,
        &received.body,
        DEFAULT_CLIENT_ID,
        &ClientSecret::new(DEFAULT_CLIENT_SECRET),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::MissingEventHeader("x-sonos-event-seq-id")),
        "{err:?}"
    );
    let mut headers = received.headers.clone();
    headers.insert("x-sonos-target-value", "RINCON_OTHER01400".parse().unwrap());
    let err = Event::verified(
        &headers,
        &received.body,
        DEFAULT_CLIENT_ID,
        &ClientSecret::new(DEFAULT_CLIENT_SECRET),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::BadEventSignature),
        "a changed header breaks the signature"
    );
}

#[tokio::test]
async fn every_subscribable_namespace_delivers_typed_events() {
    let (setup, mut sink) = setup_with_sink().await;
    let c = &setup.client;
    let office = setup.group("Office").id;
    let kitchen = setup.player("Kitchen").id;
    c.groups().subscribe(&setup.household).await.unwrap();
    c.favorites().subscribe(&setup.household).await.unwrap();
    c.playlists().subscribe(&setup.household).await.unwrap();
    c.playback().subscribe(&office).await.unwrap();
    c.playback_metadata().subscribe(&office).await.unwrap();
    c.audio_clip().subscribe(&kitchen).await.unwrap();
    let secret = ClientSecret::new(DEFAULT_CLIENT_SECRET);
    let decode = |r: roomtone_sim::testing::Received| {
        Event::verified(&r.headers, &r.body, DEFAULT_CLIENT_ID, &secret)
            .unwrap()
            .body
    };

    assert!(
        matches!(decode(sink.next_of("metadataStatus").await), EventBody::MetadataStatus(m) if m.container.is_some())
    );
    c.playback().skip_to_next_track(&office).await.unwrap();
    assert!(matches!(
        decode(sink.next_of("playbackStatus").await),
        EventBody::PlaybackStatus(_)
    ));
    let clip = roomtone_sonos::models::LoadAudioClip {
        name: "Chime".into(),
        app_id: "com.roomtone.tests".into(),
        priority: None,
        clip_type: None,
        stream_url: None,
        http_authorization: None,
        volume: None,
    };
    c.audio_clip().load(&kitchen, &clip).await.unwrap();
    assert!(
        matches!(decode(sink.next_of("audioClipStatus").await), EventBody::AudioClipStatus(s) if s.audio_clips.len() == 1)
    );
    c.groups()
        .set_members(
            &office,
            &roomtone_sonos::models::SetGroupMembers {
                player_ids: vec![setup.player("Office").id, setup.player("Bedroom").id],
                area_ids: None,
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        decode(sink.next_of("groupCoordinatorChanged").await),
        EventBody::GroupCoordinatorChanged(_)
    ));
    match decode(sink.next_of("groups").await) {
        EventBody::Groups(groups) => assert!(
            groups.groups.iter().all(|g| g.playback_state.is_none()),
            "groups events carry no playbackState"
        ),
        other => panic!("{other:?}"),
    }
}
