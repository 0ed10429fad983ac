//! Contract: `playbackMetadata`.

mod common;

use common::Setup;

#[tokio::test]
async fn metadata_of_a_playlist_names_the_track_and_the_next() {
    let setup = Setup::new().await;
    let metadata = setup
        .client
        .playback_metadata()
        .status(&setup.group("Living Room").id)
        .await
        .unwrap();
    let container = metadata.container.expect("a playlist is loaded");
    assert_eq!(container.name.as_deref(), Some("Thursday Morning Mix"));
    assert_eq!(container.kind.as_deref(), Some("playlist"));
    let track = metadata.current_item.unwrap().track.unwrap();
    assert!(track.name.is_some() && track.artist.is_some() && track.album.is_some());
    assert!(track.duration_millis.unwrap() > 0);
    let art = track.artwork().expect("artwork");
    assert!(art.starts_with(&setup.sim.url), "{art}");
    let image = reqwest::get(art).await.unwrap();
    assert_eq!(image.headers()["content-type"], "image/svg+xml");
    assert!(metadata.next_item.unwrap().track.unwrap().name.is_some());
}

#[tokio::test]
async fn metadata_of_a_station_has_stream_info_and_no_items() {
    let setup = Setup::new().await;
    let metadata = setup
        .client
        .playback_metadata()
        .status(&setup.group("Den").id)
        .await
        .unwrap();
    assert_eq!(metadata.container.unwrap().kind.as_deref(), Some("station"));
    assert!(metadata.current_item.is_none());
    assert!(metadata.stream_info.is_some());
    assert!(metadata.current_show.unwrap().name.is_some());
}

#[tokio::test]
async fn metadata_of_an_empty_group_is_empty() {
    let setup = Setup::new().await;
    let metadata = setup
        .client
        .playback_metadata()
        .status(&setup.group("Patio").id)
        .await
        .unwrap();
    assert_eq!(metadata, Default::default());
}

#[tokio::test]
async fn subscribe_and_unsubscribe() {
    let mut config = roomtone_sim::testing::config();
    config.event_callback = Some("http://127.0.0.1:9/events".into());
    let setup = Setup::with(config).await;
    let group = setup.group("Office").id;
    setup
        .client
        .playback_metadata()
        .subscribe(&group)
        .await
        .unwrap();
    assert_eq!(
        setup.subscriptions(),
        vec![format!("playbackMetadata {}", group)]
    );
    setup
        .client
        .playback_metadata()
        .unsubscribe(&group)
        .await
        .unwrap();
    assert!(setup.subscriptions().is_empty());
}
