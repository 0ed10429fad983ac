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
    let err = settings
        .set_player(
            &setup.player("Office").id,
            &PlayerSettings {
                volume_scaling_factor: Some(0.5),
                ..PlayerSettings::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        "ERROR_NOT_CAPABLE",
        "a bonded pair is not a primary player"
    );
}
