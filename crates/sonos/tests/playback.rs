//! Contract: `playback` — every transport command, play modes and line-in.

mod common;

use common::{code, Setup};
use roomtone_sonos::models::{PlayModes, PlaybackState};
use roomtone_sonos::Error;

#[tokio::test]
async fn status_of_a_playing_group() {
    let setup = Setup::new().await;
    let status = setup
        .client
        .playback()
        .status(&setup.group("Living Room").id)
        .await
        .unwrap();
    assert_eq!(status.playback_state, PlaybackState::Playing);
    assert_eq!(status.position_millis, Some(40_000));
    assert!(status.item_id.is_some());
    let actions = status.available_playback_actions.unwrap();
    assert_eq!(
        (actions.can_skip, actions.can_seek, actions.can_pause),
        (Some(true), Some(true), Some(true))
    );
    assert_eq!(status.play_modes.unwrap().shuffle, Some(false));
}

#[tokio::test]
async fn pause_then_play_then_toggle() {
    let setup = Setup::new().await;
    let group = setup.group("Living Room").id;
    let playback = setup.client.playback();
    playback.pause(&group).await.unwrap();
    assert_eq!(
        playback.status(&group).await.unwrap().playback_state,
        PlaybackState::Paused
    );
    playback.play(&group).await.unwrap();
    let state = playback.status(&group).await.unwrap().playback_state;
    assert!(
        matches!(state, PlaybackState::Buffering | PlaybackState::Playing),
        "{state:?}"
    );
    playback.toggle_play_pause(&group).await.unwrap();
    assert_eq!(
        playback.status(&group).await.unwrap().playback_state,
        PlaybackState::Paused
    );
    playback.toggle_play_pause(&group).await.unwrap();
    let state = playback.status(&group).await.unwrap().playback_state;
    assert!(
        matches!(state, PlaybackState::Buffering | PlaybackState::Playing),
        "{state:?}"
    );
}

#[tokio::test]
async fn skipping_moves_through_the_queue() {
    let setup = Setup::new().await;
    let group = setup.group("Living Room").id;
    let playback = setup.client.playback();
    let first = playback.status(&group).await.unwrap();
    playback.skip_to_next_track(&group).await.unwrap();
    let next = playback.status(&group).await.unwrap();
    assert_ne!(next.item_id, first.item_id);
    assert_eq!(next.previous_item_id, first.item_id);
    assert_eq!(next.position_millis, Some(0));
    playback.skip_to_previous_track(&group).await.unwrap();
    assert_eq!(
        playback.status(&group).await.unwrap().item_id,
        first.item_id
    );
}

#[tokio::test]
async fn skip_back_restarts_a_track_more_than_three_seconds_in() {
    let setup = Setup::new().await;
    let group = setup.group("Living Room").id;
    let playback = setup.client.playback();
    let before = playback.status(&group).await.unwrap();
    playback.skip_back(&group).await.unwrap();
    let after = playback.status(&group).await.unwrap();
    assert_eq!(after.item_id, before.item_id, "same track");
    assert_eq!(after.position_millis, Some(0));
    playback.skip_back(&group).await.unwrap();
    assert_ne!(
        playback.status(&group).await.unwrap().item_id,
        before.item_id,
        "previous track at the start"
    );
}

#[tokio::test]
async fn seek_absolute_and_relative() {
    let setup = Setup::new().await;
    let group = setup.group("Office").id;
    let playback = setup.client.playback();
    let item = playback.status(&group).await.unwrap().item_id.unwrap();
    playback.seek(&group, 10_000, Some(&item)).await.unwrap();
    assert_eq!(
        playback.status(&group).await.unwrap().position_millis,
        Some(10_000)
    );
    playback.seek_relative(&group, 5_000, None).await.unwrap();
    assert_eq!(
        playback.status(&group).await.unwrap().position_millis,
        Some(15_000)
    );
    playback
        .seek_relative(&group, -60_000, Some(&item))
        .await
        .unwrap();
    assert_eq!(
        playback.status(&group).await.unwrap().position_millis,
        Some(0)
    );
    let err = playback
        .seek(&group, 1_000, Some("not-the-item"))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_INVALID_OBJECT_ID");
}

#[tokio::test]
async fn seeking_past_the_end_skips_to_the_next_track() {
    let setup = Setup::new().await;
    let group = setup.group("Office").id;
    let playback = setup.client.playback();
    let before = playback.status(&group).await.unwrap();
    playback.seek(&group, 10_000_000, None).await.unwrap();
    let after = playback.status(&group).await.unwrap();
    assert_ne!(after.item_id, before.item_id);
    assert_eq!(after.position_millis, Some(0));
}

#[tokio::test]
async fn play_modes_change_only_what_is_given() {
    let setup = Setup::new().await;
    let group = setup.group("Living Room").id;
    let playback = setup.client.playback();
    playback
        .set_play_modes(
            &group,
            PlayModes {
                shuffle: Some(true),
                ..PlayModes::default()
            },
        )
        .await
        .unwrap();
    playback
        .set_play_modes(
            &group,
            PlayModes {
                repeat: Some(true),
                crossfade: Some(true),
                ..PlayModes::default()
            },
        )
        .await
        .unwrap();
    let modes = playback.status(&group).await.unwrap().play_modes.unwrap();
    assert_eq!(
        modes,
        PlayModes {
            repeat: Some(true),
            repeat_one: Some(false),
            shuffle: Some(true),
            crossfade: Some(true)
        }
    );
}

#[tokio::test]
async fn line_in_plays_a_capable_player_and_refuses_others() {
    let setup = Setup::new().await;
    let office = setup.group("Office").id;
    setup
        .client
        .playback()
        .load_line_in(&office, None, true)
        .await
        .unwrap();
    let metadata = setup
        .client
        .playback_metadata()
        .status(&office)
        .await
        .unwrap();
    assert_eq!(metadata.container.unwrap().kind.as_deref(), Some("linein"));
    assert_eq!(
        setup
            .client
            .playback()
            .status(&office)
            .await
            .unwrap()
            .playback_state,
        PlaybackState::Playing
    );
    let kitchen = setup.player("Kitchen").id;
    let err = setup
        .client
        .playback()
        .load_line_in(&office, Some(&kitchen), false)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_NOT_CAPABLE");
}

#[tokio::test]
async fn skipping_a_station_fails_and_playback_continues() {
    let setup = Setup::new().await;
    let den = setup.group("Den").id;
    let err = setup
        .client
        .playback()
        .skip_to_next_track(&den)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Sonos { status: 499, .. }), "{err:?}");
    assert_eq!(code(&err), "ERROR_PLAYBACK_FAILED");
    assert_eq!(
        setup
            .client
            .playback()
            .status(&den)
            .await
            .unwrap()
            .playback_state,
        PlaybackState::Playing
    );
    // Pausing a station stops it: IDLE rather than PAUSED.
    setup.client.playback().pause(&den).await.unwrap();
    assert_eq!(
        setup
            .client
            .playback()
            .status(&den)
            .await
            .unwrap()
            .playback_state,
        PlaybackState::Idle
    );
}

#[tokio::test]
async fn play_with_nothing_loaded_fails() {
    let setup = Setup::new().await;
    let err = setup
        .client
        .playback()
        .play(&setup.group("Bathroom").id)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_PLAYBACK_NO_CONTENT");
}

#[tokio::test]
async fn subscribe_needs_a_callback() {
    let setup = Setup::new().await;
    let group = setup.group("Office").id;
    let err = setup.client.playback().subscribe(&group).await.unwrap_err();
    assert_eq!(code(&err), "ERROR_NO_PERMISSION");
    let err = setup
        .client
        .playback()
        .unsubscribe(&"RINCON_X:99".into())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Gone { .. }), "{err:?}");
}
