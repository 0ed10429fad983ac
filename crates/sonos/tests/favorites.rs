//! Contract: `favorites`.

mod common;

use common::{code, Setup};
use roomtone_sonos::models::{LoadAction, LoadFavorite, PlayModes, PlaybackState};
use roomtone_sonos::FavoriteId;

fn load(id: &str, action: Option<LoadAction>, play: bool) -> LoadFavorite {
    LoadFavorite {
        favorite_id: FavoriteId::new(id),
        action,
        play_modes: None,
        play_on_completion: Some(play),
    }
}

#[tokio::test]
async fn lists_at_least_ten_favorites_with_artwork() {
    let setup = Setup::new().await;
    let list = setup
        .client
        .favorites()
        .list(&setup.household)
        .await
        .unwrap();
    assert!(list.items.len() >= 10);
    assert!(list.version.is_some());
    for favorite in &list.items {
        let url = favorite.image_url.as_deref().expect("artwork");
        assert_eq!(reqwest::get(url).await.unwrap().status(), 200, "{url}");
        assert!(favorite
            .service
            .as_ref()
            .and_then(|s| s.name.as_ref())
            .is_some());
    }
    assert!(list
        .items
        .iter()
        .any(|f| f.resource.as_ref().and_then(|r| r.kind.as_deref()) == Some("STATION")));
}

#[tokio::test]
async fn replace_and_play_loads_the_favorite() {
    let setup = Setup::new().await;
    let group = setup.group("Patio").id;
    setup
        .client
        .favorites()
        .load(&group, &load("3", Some(LoadAction::Replace), true))
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
        Some("Concrete Garden")
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
async fn without_play_on_completion_the_group_stays_idle() {
    let setup = Setup::new().await;
    let group = setup.group("Patio").id;
    setup
        .client
        .favorites()
        .load(&group, &load("1", None, false))
        .await
        .unwrap();
    assert_eq!(
        setup
            .client
            .playback()
            .status(&group)
            .await
            .unwrap()
            .playback_state,
        PlaybackState::Idle
    );
}

#[tokio::test]
async fn insert_next_puts_the_favorite_after_the_current_track() {
    let setup = Setup::new().await;
    let group = setup.group("Office").id;
    let before = setup
        .client
        .playback_metadata()
        .status(&group)
        .await
        .unwrap();
    let current = before.current_item.unwrap().track.unwrap().name;
    setup
        .client
        .favorites()
        .load(&group, &load("1", Some(LoadAction::InsertNext), false))
        .await
        .unwrap();
    let after = setup
        .client
        .playback_metadata()
        .status(&group)
        .await
        .unwrap();
    assert_eq!(
        after.current_item.unwrap().track.unwrap().name,
        current,
        "the current track keeps playing"
    );
    assert_eq!(
        after.next_item.unwrap().track.unwrap().name.as_deref(),
        Some("Salt on the Window")
    );
    assert_eq!(
        setup
            .client
            .playback()
            .status(&group)
            .await
            .unwrap()
            .playback_state,
        PlaybackState::Paused
    );
}

/// What the group plays now and next.
async fn now_and_next(setup: &Setup, group: &roomtone_sonos::GroupId) -> (String, String) {
    let status = setup
        .client
        .playback_metadata()
        .status(group)
        .await
        .unwrap();
    let name = |item: Option<roomtone_sonos::models::QueueItem>| {
        item.and_then(|i| i.track)
            .and_then(|t| t.name)
            .unwrap_or_default()
    };
    (name(status.current_item), name(status.next_item))
}

#[tokio::test]
async fn insert_plays_the_favorite_now_after_the_rest_of_the_queue() {
    let setup = Setup::new().await;
    let group = setup.group("Office").id;
    let (before, _) = now_and_next(&setup, &group).await;
    setup
        .client
        .favorites()
        .load(&group, &load("1", Some(LoadAction::Insert), false))
        .await
        .unwrap();
    let (now, _) = now_and_next(&setup, &group).await;
    assert_eq!(
        now, "Salt on the Window",
        "the head moved to the new content"
    );
    assert_ne!(now, before);
    // Added at the end: the old queue is before it, the track that played included.
    setup
        .client
        .playback()
        .skip_to_previous_track(&group)
        .await
        .unwrap();
    let (back, _) = now_and_next(&setup, &group).await;
    assert_eq!(
        back, "Rest Mass",
        "the last track of the Office's album (Kinetic), which stays before it"
    );
}

#[tokio::test]
async fn append_adds_to_the_end_and_what_plays_goes_on() {
    let setup = Setup::new().await;
    let group = setup.group("Office").id;
    let before = now_and_next(&setup, &group).await;
    setup
        .client
        .favorites()
        .load(&group, &load("1", Some(LoadAction::Append), false))
        .await
        .unwrap();
    assert_eq!(now_and_next(&setup, &group).await, before);
}

#[tokio::test]
async fn a_station_replaces_the_queue_whatever_the_action() {
    let setup = Setup::new().await;
    let group = setup.group("Office").id;
    let request = LoadFavorite {
        play_modes: Some(PlayModes {
            crossfade: Some(true),
            ..PlayModes::default()
        }),
        ..load("101", Some(LoadAction::Append), true)
    };
    setup
        .client
        .favorites()
        .load(&group, &request)
        .await
        .unwrap();
    let metadata = setup
        .client
        .playback_metadata()
        .status(&group)
        .await
        .unwrap();
    assert_eq!(metadata.container.unwrap().kind.as_deref(), Some("station"));
}

#[tokio::test]
async fn unknown_or_oversized_favorite_ids_are_refused() {
    let setup = Setup::new().await;
    let group = setup.group("Office").id;
    let err = setup
        .client
        .favorites()
        .load(&group, &load("999", None, false))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_INVALID_OBJECT_ID");
    let err = setup
        .client
        .favorites()
        .load(&group, &load(&"x".repeat(37), None, false))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "ERROR_INVALID_PARAMETER");
}

#[tokio::test]
async fn subscribe_and_unsubscribe() {
    let mut config = roomtone_sim::testing::config();
    config.event_callback = Some("http://127.0.0.1:9/events".into());
    let setup = Setup::with(config).await;
    setup
        .client
        .favorites()
        .subscribe(&setup.household)
        .await
        .unwrap();
    assert_eq!(
        setup.subscriptions(),
        vec![format!("favorites {}", setup.household)]
    );
    setup
        .client
        .favorites()
        .unsubscribe(&setup.household)
        .await
        .unwrap();
    assert!(setup.subscriptions().is_empty());
}
