//! Contract: `homeTheater`.

mod common;

use common::{code, Setup};
use roomtone_sonos::models::{HomeTheaterOptions, PlaybackState, TvPowerState};

#[tokio::test]
async fn tv_input_power_and_options() {
    let setup = Setup::new().await;
    let living = setup.player("Living Room").id;
    let ht = setup.client.home_theater();
    ht.load_playback(&living).await.unwrap();
    let group = setup.group("Living Room").id;
    let metadata = setup
        .client
        .playback_metadata()
        .status(&group)
        .await
        .unwrap();
    assert_eq!(
        metadata.container.unwrap().kind.as_deref(),
        Some("linein.homeTheater")
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
    ht.set_tv_power_state(&living, TvPowerState::On)
        .await
        .unwrap();
    assert_eq!(ht.options(&living).await.unwrap().night_mode, Some(false));
    let set = ht
        .set_options(
            &living,
            HomeTheaterOptions {
                night_mode: Some(true),
                ..HomeTheaterOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (set.night_mode, set.enhance_dialog),
        (Some(true), Some(false))
    );
    let set = ht
        .set_options(
            &living,
            HomeTheaterOptions {
                enhance_dialog: Some(true),
                ..HomeTheaterOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (set.night_mode, set.enhance_dialog),
        (Some(true), Some(true))
    );
    assert_eq!(ht.options(&living).await.unwrap(), set);
}

#[tokio::test]
async fn other_players_have_no_home_theater() {
    let setup = Setup::new().await;
    let kitchen = setup.player("Kitchen").id;
    for err in [
        setup
            .client
            .home_theater()
            .load_playback(&kitchen)
            .await
            .unwrap_err(),
        setup
            .client
            .home_theater()
            .options(&kitchen)
            .await
            .unwrap_err(),
        setup
            .client
            .home_theater()
            .set_tv_power_state(&kitchen, TvPowerState::Standby)
            .await
            .unwrap_err(),
    ] {
        assert_eq!(code(&err), "ERROR_UNSUPPORTED_NAMESPACE");
    }
}
