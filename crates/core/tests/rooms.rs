//! A room's own settings: its volume limit (Sonos's `volumeScalingFactor`), and a fixed or
//! passed-through volume shown as it is.

mod common;

use common::control::*;
use common::World;
use roomtone_core::view::VolumeMode;
use roomtone_core::Action;

#[tokio::test]
async fn a_volume_limit_is_set_read_back_and_kept_by_sonos() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let bedroom = room_id(&controller.live(), "Bedroom");
    let before = controller.room_settings(&bedroom).await.unwrap();
    assert_eq!(before.volume_limit, 100, "no limit at first");
    assert_eq!(before.volume_mode, VolumeMode::Variable);
    assert!(!before.mono);

    controller
        .perform(Action::SetVolumeLimit {
            room: bedroom.clone(),
            percent: 60,
        })
        .await
        .unwrap();
    assert_eq!(
        controller
            .room_settings(&bedroom)
            .await
            .unwrap()
            .volume_limit,
        60
    );
    let state = sim_state(&world).await;
    let kept = state["households"][0]["players"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Bedroom")
        .map(|p| p["settings"]["volumeScalingFactor"].clone())
        .unwrap();
    assert_eq!(kept, 0.6, "Sonos holds the limit as a scaling factor");
    // The volume itself still reads 0–100.
    let volume = group(&controller.live(), "Bedroom").volume.volume;
    assert!(volume <= 100);

    // A stereo pair takes a limit on its primary, the one player Sonos shows.
    let office = room_id(&controller.live(), "Office");
    controller
        .perform(Action::SetVolumeLimit {
            room: office.clone(),
            percent: 0,
        })
        .await
        .unwrap();
    assert_eq!(
        controller
            .room_settings(&office)
            .await
            .unwrap()
            .volume_limit,
        1,
        "never silenced by a limit"
    );
}

#[tokio::test]
async fn a_fixed_volume_room_says_so_and_an_unknown_room_is_refused_in_words() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let den = room_id(&controller.live(), "Den");
    assert_eq!(
        controller.room_settings(&den).await.unwrap().volume_mode,
        VolumeMode::Fixed
    );
    let err = controller
        .perform(Action::SetVolumeLimit {
            room: "RINCON_NOBODY01400".into(),
            percent: 50,
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("ERROR_INVALID_OBJECT_ID"), "{err}");
    let refused = controller.live().refused.expect("the refusal is named");
    assert_eq!(refused.what, "set the volume limit");
}
