//! Contract: `settings`.

mod common;

use common::{code, Setup};
use roomtone_sonos::models::{PlayerSettings, VolumeMode};

#[tokio::test]
async fn read_and_change_player_settings() {
    let setup = Setup::new().await;
    let kitchen = setup.player("Kitchen").id;
    let settings = setup.client.settings();
    let before = settings.player(&kitchen).await.unwrap();
    assert_eq!(before.volume_mode, Some(VolumeMode::Variable));
    settings
        .set_player(
            &kitchen,
            &PlayerSettings {
                mono_mode: Some(true),
                volume_scaling_factor: Some(0.5),
                ..PlayerSettings::default()
            },
        )
        .await
        .unwrap();
    let after = settings.player(&kitchen).await.unwrap();
    assert_eq!(
        (
            after.mono_mode,
            after.volume_scaling_factor,
            after.volume_mode
        ),
        (Some(true), Some(0.5), Some(VolumeMode::Variable))
    );
    assert_eq!(
        settings
            .player(&setup.player("Den").id)
            .await
            .unwrap()
            .volume_mode,
        Some(VolumeMode::Fixed)
    );
}

#[tokio::test]
async fn invalid_settings_are_refused() {
    let setup = Setup::new().await;
    let settings = setup.client.settings();
    let err = settings
        .set_player(
            &setup.player("Kitchen").id,
            &PlayerSettings {
                volume_scaling_factor: Some(1.5),
                ..PlayerSettings::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_INVALID_PARAMETER");
    // The Office is a stereo pair: one player, addressed by its primary, which takes a limit;
    // the pair's other speaker is not a primary player.
    let office = setup.player("Office");
    assert_eq!(office.device_ids.len(), 2);
    let limit = PlayerSettings {
        volume_scaling_factor: Some(0.5),
        ..PlayerSettings::default()
    };
    settings.set_player(&office.id, &limit).await.unwrap();
    let err = settings
        .set_player(&office.device_ids[1].as_str().into(), &limit)
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        "ERROR_NOT_CAPABLE",
        "the pair's other speaker is not a primary player"
    );
}
