//! Contract: `groupVolume`.

mod common;

use common::{code, Setup};

#[tokio::test]
async fn group_volume_is_the_average_of_its_players() {
    let setup = Setup::new().await;
    let group = setup.group("Living Room");
    let volume = setup.client.group_volume().get(&group.id).await.unwrap();
    let mut sum = 0u32;
    for player in &group.player_ids {
        sum += setup
            .client
            .player_volume()
            .get(player)
            .await
            .unwrap()
            .volume as u32;
    }
    assert_eq!(volume.volume as u32, sum.div_ceil(2));
    assert_eq!((volume.muted, volume.fixed), (Some(false), Some(false)));
}

#[tokio::test]
async fn set_scales_the_players_and_unmutes() {
    let setup = Setup::new().await;
    let group = setup.group("Living Room");
    let volumes = setup.client.group_volume();
    volumes.set_mute(&group.id, true).await.unwrap();
    assert_eq!(volumes.get(&group.id).await.unwrap().muted, Some(true));
    let before: Vec<u8> = futures_volumes(&setup, &group.player_ids).await;
    volumes.set(&group.id, 56).await.unwrap();
    let after = volumes.get(&group.id).await.unwrap();
    assert_eq!(after.volume, 56);
    assert_eq!(after.muted, Some(false), "setVolume unmutes");
    let players: Vec<u8> = futures_volumes(&setup, &group.player_ids).await;
    assert!(
        players[0] > players[1] && before[0] > before[1],
        "relative levels kept: {before:?} -> {players:?}"
    );
}

async fn futures_volumes(setup: &Setup, players: &[roomtone_sonos::PlayerId]) -> Vec<u8> {
    let mut out = Vec::new();
    for player in players {
        out.push(
            setup
                .client
                .player_volume()
                .get(player)
                .await
                .unwrap()
                .volume,
        );
    }
    out
}

#[tokio::test]
async fn relative_changes_clamp_and_unmute() {
    let setup = Setup::new().await;
    let group = setup.group("Bedroom").id;
    let volumes = setup.client.group_volume();
    volumes.set_mute(&group, true).await.unwrap();
    volumes.set_relative(&group, 5).await.unwrap();
    let after = volumes.get(&group).await.unwrap();
    assert_eq!((after.volume, after.muted), (17, Some(false)));
    volumes.set_relative(&group, 100).await.unwrap();
    assert_eq!(volumes.get(&group).await.unwrap().volume, 100);
    volumes.set_relative(&group, -100).await.unwrap();
    assert_eq!(volumes.get(&group).await.unwrap().volume, 0);
}

#[tokio::test]
async fn mute_is_independent_of_volume() {
    let setup = Setup::new().await;
    let group = setup.group("Office").id;
    let volumes = setup.client.group_volume();
    let before = volumes.get(&group).await.unwrap().volume;
    volumes.set_mute(&group, true).await.unwrap();
    let muted = volumes.get(&group).await.unwrap();
    assert_eq!((muted.volume, muted.muted), (before, Some(true)));
    volumes.set_mute(&group, false).await.unwrap();
    assert_eq!(volumes.get(&group).await.unwrap().muted, Some(false));
}

#[tokio::test]
async fn out_of_range_volume_is_an_invalid_parameter() {
    let setup = Setup::new().await;
    let group = setup.group("Office").id;
    let err = setup
        .client
        .group_volume()
        .set(&group, 101)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_INVALID_PARAMETER");
    let err = setup
        .client
        .group_volume()
        .set_relative(&group, -101)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_INVALID_PARAMETER");
}

#[tokio::test]
async fn a_fixed_volume_group_refuses_volume_changes() {
    let setup = Setup::new().await;
    let den = setup.group("Den").id;
    let volume = setup.client.group_volume().get(&den).await.unwrap();
    assert_eq!(volume.fixed, Some(true));
    let err = setup.client.group_volume().set(&den, 20).await.unwrap_err();
    assert_eq!(code(&err), "ERROR_COMMAND_FAILED");
}

#[tokio::test]
async fn subscribe_and_unsubscribe() {
    let mut config = roomtone_sim::testing::config();
    config.event_callback = Some("http://127.0.0.1:9/events".into());
    let setup = Setup::with(config).await;
    let group = setup.group("Office").id;
    setup.client.group_volume().subscribe(&group).await.unwrap();
    assert_eq!(
        setup.subscriptions(),
        vec![format!("groupVolume {}", group)]
    );
    setup
        .client
        .group_volume()
        .unsubscribe(&group)
        .await
        .unwrap();
    assert!(setup.subscriptions().is_empty());
}
