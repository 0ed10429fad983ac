//! Contract: `playlists`.

mod common;

use common::{code, Setup};
use roomtone_sonos::models::{LoadAction, LoadPlaylist, PlaybackState};
use roomtone_sonos::PlaylistId;

#[tokio::test]
async fn lists_at_least_five_playlists() {
    let setup = Setup::new().await;
    let list = setup
        .client
        .playlists()
        .list(&setup.household)
        .await
        .unwrap();
    assert!(list.playlists.len() >= 5);
    assert!(list
        .playlists
        .iter()
        .all(|p| p.track_count.unwrap_or(0) > 0 && p.kind.as_deref() == Some("playlist")));
}

#[tokio::test]
async fn get_playlist_in_both_forms() {
    let setup = Setup::new().await;
    let id = PlaylistId::new("1");
    let summary = setup
        .client
        .playlists()
        .get(&setup.household, &id)
        .await
        .unwrap();
    assert_eq!(summary.name, "Thursday Morning Mix");
    assert_eq!(summary.tracks.len(), 6);
    assert!(summary
        .tracks
        .iter()
        .all(|t| t.name.is_some() && t.artist.is_some() && t.album.is_some()));
    let legacy = setup
        .client
        .playlists()
        .get_legacy(&setup.household, &id)
        .await
        .unwrap();
    assert_eq!(legacy, summary);
    let err = setup
        .client
        .playlists()
        .get(&setup.household, &"77".into())
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_INVALID_OBJECT_ID");
}

/// REFERENCE §10 item 11: which form the cloud answers is not known, so the simulator can
/// answer either alone; the other is refused as an unsupported command.
#[tokio::test]
async fn a_household_may_answer_only_one_form_of_get_playlist() {
    use roomtone_sim::config::{Config, PlaylistForms};
    let id = PlaylistId::new("1");
    for (forms, current, legacy) in [
        (PlaylistForms::Current, true, false),
        (PlaylistForms::Legacy, false, true),
    ] {
        let setup = Setup::with(Config {
            playlist_forms: forms,
            ..roomtone_sim::testing::config()
        })
        .await;
        let playlists = setup.client.playlists();
        let answers = [
            playlists.get(&setup.household, &id).await,
            playlists.get_legacy(&setup.household, &id).await,
        ];
        for (answer, answered) in answers.into_iter().zip([current, legacy]) {
            match answer {
                Ok(summary) => {
                    assert!(answered, "{forms:?}");
                    assert_eq!(summary.tracks.len(), 6);
                }
                Err(err) => {
                    assert!(!answered, "{forms:?}: {err}");
                    assert_eq!(code(&err), "ERROR_UNSUPPORTED_COMMAND");
                }
            }
        }
    }
}

#[tokio::test]
async fn load_replaces_and_plays() {
    let setup = Setup::new().await;
    let group = setup.group("Bedroom").id;
    let request = LoadPlaylist {
        playlist_id: "4".into(),
        action: Some(LoadAction::Replace),
        play_modes: None,
        play_on_completion: Some(true),
    };
    setup
        .client
        .playlists()
        .load(&group, &request)
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
        Some("Road Trip")
    );
    assert_eq!(
        setup
            .client
            .playback()
            .status(&group)
            .await
            .unwrap()
            .playback_state,
        PlaybackState::Playing
    );
}

#[tokio::test]
async fn append_adds_to_the_end_of_the_queue() {
    let setup = Setup::new().await;
    // The bedroom has a four-track album loaded, at its first track.
    let group = setup.group("Bedroom").id;
    let track_name = |m: roomtone_sonos::models::MetadataStatus| {
        m.current_item.and_then(|i| i.track).and_then(|t| t.name)
    };
    let before = track_name(
        setup
            .client
            .playback_metadata()
            .status(&group)
            .await
            .unwrap(),
    );
    let request = LoadPlaylist {
        playlist_id: "3".into(),
        action: Some(LoadAction::Append),
        play_modes: None,
        play_on_completion: None,
    };
    setup
        .client
        .playlists()
        .load(&group, &request)
        .await
        .unwrap();
    assert_eq!(
        track_name(
            setup
                .client
                .playback_metadata()
                .status(&group)
                .await
                .unwrap()
        ),
        before,
        "the current track stays"
    );
    for _ in 0..4 {
        setup
            .client
            .playback()
            .skip_to_next_track(&group)
            .await
            .unwrap();
    }
    let fifth = track_name(
        setup
            .client
            .playback_metadata()
            .status(&group)
            .await
            .unwrap(),
    );
    assert_eq!(
        fifth.as_deref(),
        Some("Escapement"),
        "the playlist's first track follows the album"
    );
}

#[tokio::test]
async fn subscribe_and_unsubscribe() {
    let mut config = roomtone_sim::testing::config();
    config.event_callback = Some("http://127.0.0.1:9/events".into());
    let setup = Setup::with(config).await;
    setup
        .client
        .playlists()
        .subscribe(&setup.household)
        .await
        .unwrap();
    assert_eq!(
        setup.subscriptions(),
        vec![format!("playlists {}", setup.household)]
    );
    setup
        .client
        .playlists()
        .unsubscribe(&setup.household)
        .await
        .unwrap();
    assert!(setup.subscriptions().is_empty());
}
