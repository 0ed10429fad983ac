//! Contract: `playerVolume`.

mod common;

use common::{code, Setup};
use roomtone_sonos::models::{SetRelativeVolume, SetVolume};
use roomtone_sonos::Error;

#[tokio::test]
async fn set_get_and_mute_a_player() {
    let setup = Setup::new().await;
    let kitchen = setup.player("Kitchen").id;
    let volumes = setup.client.player_volume();
    assert_eq!(volumes.get(&kitchen).await.unwrap().volume, 24);
    volumes.set_mute(&kitchen, true).await.unwrap();
    volumes
        .set(
            &kitchen,
            SetVolume {
                volume: Some(30),
                muted: None,
            },
        )
        .await
        .unwrap();
    let after = volumes.get(&kitchen).await.unwrap();
    assert_eq!(
        (after.volume, after.muted),
        (30, Some(false)),
        "setVolume unmutes"
    );
    volumes
        .set(
            &kitchen,
            SetVolume {
                volume: Some(31),
                muted: Some(true),
            },
        )
        .await
        .unwrap();
    let after = volumes.get(&kitchen).await.unwrap();
    assert_eq!(
        (after.volume, after.muted),
        (31, Some(true)),
        "unless told otherwise"
    );
    volumes
        .set_relative(
            &kitchen,
            SetRelativeVolume {
                volume_delta: Some(-40),
                muted: None,
            },
        )
        .await
        .unwrap();
    let after = volumes.get(&kitchen).await.unwrap();
    assert_eq!((after.volume, after.muted), (0, Some(false)));
    volumes.set_mute(&kitchen, true).await.unwrap();
    assert_eq!(volumes.get(&kitchen).await.unwrap().muted, Some(true));
}

#[tokio::test]
async fn a_player_change_moves_its_group_average() {
    let setup = Setup::new().await;
    let group = setup.group("Living Room");
    setup
        .client
        .player_volume()
        .set(
            &group.player_ids[1],
            SetVolume {
                volume: Some(100),
                muted: None,
            },
        )
        .await
        .unwrap();
    let first = setup
        .client
        .player_volume()
        .get(&group.player_ids[0])
        .await
        .unwrap()
        .volume as u32;
    assert_eq!(
        setup
            .client
            .group_volume()
            .get(&group.id)
            .await
            .unwrap()
            .volume as u32,
        (first + 100).div_ceil(2)
    );
}

#[tokio::test]
async fn fixed_volume_players_refuse_volume_but_not_mute() {
    let setup = Setup::new().await;
    let den = setup.player("Den").id;
    let volumes = setup.client.player_volume();
    assert_eq!(volumes.get(&den).await.unwrap().fixed, Some(true));
    let err = volumes
        .set(
            &den,
            SetVolume {
                volume: Some(10),
                muted: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Sonos { status: 499, .. }));
    assert_eq!(code(&err), "ERROR_COMMAND_FAILED");
    volumes.set_mute(&den, true).await.unwrap();
}

#[tokio::test]
async fn duck_and_unduck() {
    let setup = Setup::new().await;
    let kitchen = setup.player("Kitchen").id;
    let group = setup.group("Living Room").id;
    setup
        .client
        .player_volume()
        .duck(&kitchen, Some(5_000))
        .await
        .unwrap();
    assert_eq!(
        setup
            .client
            .playback()
            .status(&group)
            .await
            .unwrap()
            .is_ducking,
        Some(true)
    );
    setup.client.player_volume().unduck(&kitchen).await.unwrap();
    assert_eq!(
        setup
            .client
            .playback()
            .status(&group)
            .await
            .unwrap()
            .is_ducking,
        Some(false)
    );
    let err = setup
        .client
        .player_volume()
        .duck(&kitchen, Some(60_001))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_INVALID_PARAMETER");
}

#[tokio::test]
async fn unknown_players_are_invalid_objects() {
    let setup = Setup::new().await;
    let err = setup
        .client
        .player_volume()
        .get(&"RINCON_NOPE01400".into())
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_INVALID_OBJECT_ID");
}

#[tokio::test]
async fn subscribe_and_unsubscribe() {
    let mut config = roomtone_sim::testing::config();
    config.event_callback = Some("http://127.0.0.1:9/events".into());
    let setup = Setup::with(config).await;
    let kitchen = setup.player("Kitchen").id;
    setup
        .client
        .player_volume()
        .subscribe(&kitchen)
        .await
        .unwrap();
    assert_eq!(
        setup.subscriptions(),
        vec![format!("playerVolume {}", kitchen)]
    );
    setup
        .client
        .player_volume()
        .unsubscribe(&kitchen)
        .await
        .unwrap();
    assert!(setup.subscriptions().is_empty());
}
