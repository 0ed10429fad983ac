//! Contract: `audioClip`.

mod common;

use common::{code, Setup};
use roomtone_sonos::models::{AudioClipPriority, AudioClipState, AudioClipType, LoadAudioClip};

fn chime(priority: AudioClipPriority) -> LoadAudioClip {
    LoadAudioClip {
        name: "Doorbell".into(),
        app_id: "com.roomtone.tests".into(),
        priority: Some(priority),
        clip_type: Some(AudioClipType::Chime),
        stream_url: None,
        http_authorization: None,
        volume: Some(30),
    }
}

#[test]
fn a_stream_credential_stays_out_of_debug() {
    let mut request = chime(AudioClipPriority::Low);
    request.http_authorization = Some(roomtone_sonos::secret::StreamAuthorization::new(
        "Basic c2VjcmV0",
    ));
    assert!(!format!("{request:?}").contains("c2VjcmV0"));
    assert_eq!(
        serde_json::to_value(&request).unwrap()["httpAuthorization"],
        "Basic c2VjcmV0",
        "but it goes on the wire"
    );
}

#[tokio::test]
async fn load_and_cancel_a_clip() {
    let setup = Setup::new().await;
    let kitchen = setup.player("Kitchen").id;
    let clip = setup
        .client
        .audio_clip()
        .load(&kitchen, &chime(AudioClipPriority::Low))
        .await
        .unwrap();
    assert_eq!(clip.status, AudioClipState::Active);
    assert_eq!(clip.app_id, "com.roomtone.tests");
    setup
        .client
        .audio_clip()
        .cancel(&kitchen, &clip.id)
        .await
        .unwrap();
    let err = setup
        .client
        .audio_clip()
        .cancel(&kitchen, &"nope".into())
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_AUDIO_CLIP_ID_NOT_FOUND");
}

#[tokio::test]
async fn low_priority_cannot_interrupt_high() {
    let setup = Setup::new().await;
    let kitchen = setup.player("Kitchen").id;
    setup
        .client
        .audio_clip()
        .load(&kitchen, &chime(AudioClipPriority::High))
        .await
        .unwrap();
    let err = setup
        .client
        .audio_clip()
        .load(&kitchen, &chime(AudioClipPriority::Low))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_COMMAND_FAILED");
    let err = setup
        .client
        .audio_clip()
        .load(&kitchen, &chime(AudioClipPriority::High))
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        "ERROR_COMMAND_FAILED",
        "HIGH interrupts HIGH only after 10 s"
    );
    setup.sim.clock.advance(10_001);
    setup
        .client
        .audio_clip()
        .load(&kitchen, &chime(AudioClipPriority::High))
        .await
        .unwrap();
}

#[tokio::test]
async fn players_without_the_capability_refuse_clips() {
    let setup = Setup::new().await;
    let den = setup.player("Den").id;
    let err = setup
        .client
        .audio_clip()
        .load(&den, &chime(AudioClipPriority::Low))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_UNSUPPORTED_NAMESPACE");
    let mut bad = chime(AudioClipPriority::Low);
    bad.volume = Some(101);
    let err = setup
        .client
        .audio_clip()
        .load(&setup.player("Kitchen").id, &bad)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_INVALID_PARAMETER");
}

#[tokio::test]
async fn subscribe_and_unsubscribe() {
    let mut config = roomtone_sim::testing::config();
    config.event_callback = Some("http://127.0.0.1:9/events".into());
    let setup = Setup::with(config).await;
    let kitchen = setup.player("Kitchen").id;
    setup.client.audio_clip().subscribe(&kitchen).await.unwrap();
    assert_eq!(
        setup.subscriptions(),
        vec![format!("audioClip {}", kitchen)]
    );
    setup
        .client
        .audio_clip()
        .unsubscribe(&kitchen)
        .await
        .unwrap();
    assert!(setup.subscriptions().is_empty());
    let err = setup
        .client
        .audio_clip()
        .subscribe(&setup.player("Den").id)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_UNSUPPORTED_NAMESPACE");
}
