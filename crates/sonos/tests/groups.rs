//! Contract: `groups` — listing and the three regrouping commands.

mod common;

use common::{code, Setup};
use roomtone_sonos::models::{CreateGroup, ModifyGroupMembers, PlaybackState, SetGroupMembers};
use roomtone_sonos::{Error, PlayerId};

#[tokio::test]
async fn lists_groups_with_players_and_play_state() {
    let setup = Setup::new().await;
    let groups = &setup.groups;
    assert!(groups.players.len() >= 6, "at least six rooms");
    let living = setup.group("Living Room");
    assert_eq!(living.name, "Living Room + 1");
    assert_eq!(living.player_ids.len(), 2);
    assert_eq!(living.player_ids[0], living.coordinator_id);
    assert_eq!(living.playback_state, Some(PlaybackState::Playing));
    assert!(living
        .id
        .as_str()
        .starts_with(&format!("{}:", living.coordinator_id)));
    // Every player is in exactly one group.
    for player in &groups.players {
        let count = groups
            .groups
            .iter()
            .filter(|g| g.player_ids.contains(&player.id))
            .count();
        assert_eq!(count, 1, "{} is in {count} groups", player.name);
    }
    // The bonded sets show as one player with several devices.
    assert_eq!(setup.player("Office").device_ids.len(), 2, "stereo pair");
    assert_eq!(
        setup.player("Living Room").device_ids.len(),
        4,
        "home theater with sub and surrounds"
    );
}

#[tokio::test]
async fn create_group_mints_a_new_group_and_retires_old_ids() {
    let setup = Setup::new().await;
    let bedroom = setup.group("Bedroom");
    let bathroom = setup.group("Bathroom");
    let request = CreateGroup {
        player_ids: vec![
            bedroom.coordinator_id.clone(),
            bathroom.coordinator_id.clone(),
        ],
        ..CreateGroup::default()
    };
    let info = setup
        .client
        .groups()
        .create(&setup.household, &request)
        .await
        .unwrap();
    let group = info.group.expect("groupInfo has the group");
    assert_eq!(group.player_ids, request.player_ids);
    assert_eq!(group.coordinator_id, bedroom.coordinator_id);
    assert_eq!(group.name, "Bedroom + 1");
    assert_ne!(group.id, bedroom.id);
    for old in [&bedroom.id, &bathroom.id] {
        let err = setup.client.playback().status(old).await.unwrap_err();
        assert!(matches!(err, Error::Gone { status: 410, .. }), "{err:?}");
    }
    setup.client.playback().status(&group.id).await.unwrap();
}

#[tokio::test]
async fn create_group_answers_an_existing_group_with_the_same_players() {
    let setup = Setup::new().await;
    let living = setup.group("Living Room");
    let request = CreateGroup {
        player_ids: living.player_ids.iter().rev().cloned().collect(),
        ..CreateGroup::default()
    };
    let group = setup
        .client
        .groups()
        .create(&setup.household, &request)
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(group.id, living.id);
}

#[tokio::test]
async fn modify_members_adds_then_removes() {
    let mut setup = Setup::new().await;
    let living = setup.group("Living Room");
    let kitchen = setup.player("Kitchen").id;
    let patio = setup.player("Patio").id;
    let request = ModifyGroupMembers {
        player_ids_to_add: vec![patio.clone()],
        player_ids_to_remove: vec![kitchen.clone(), PlayerId::new("RINCON_UNKNOWN01400")],
    };
    let group = setup
        .client
        .groups()
        .modify_members(&living.id, &request)
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(group.player_ids, vec![living.coordinator_id.clone(), patio]);
    // The music context stays with the coordinator; the kitchen now stands alone.
    let status = setup.client.playback().status(&group.id).await.unwrap();
    assert_eq!(status.playback_state, PlaybackState::Playing);
    setup.reload().await;
    let kitchen_group = setup
        .groups
        .groups
        .iter()
        .find(|g| g.player_ids == vec![kitchen.clone()])
        .expect("kitchen alone");
    assert_eq!(kitchen_group.coordinator_id, kitchen);
}

#[tokio::test]
async fn set_members_makes_the_group_exactly_these_players() {
    let mut setup = Setup::new().await;
    let office = setup.group("Office");
    let wanted = vec![
        office.coordinator_id.clone(),
        setup.player("Bedroom").id,
        setup.player("Kitchen").id,
    ];
    let group = setup
        .client
        .groups()
        .set_members(
            &office.id,
            &SetGroupMembers {
                player_ids: wanted.clone(),
                area_ids: None,
            },
        )
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(group.player_ids, wanted);
    setup.reload().await;
    // The Living Room lost the kitchen and got a new ID.
    let living = setup.group("Living Room");
    assert_eq!(living.player_ids.len(), 1);
}

#[tokio::test]
async fn invalid_players_are_named_in_the_error() {
    let setup = Setup::new().await;
    let bogus = PlayerId::new("RINCON_000000000000001400");
    let request = CreateGroup {
        player_ids: vec![setup.player("Kitchen").id, bogus.clone()],
        ..CreateGroup::default()
    };
    let err = setup
        .client
        .groups()
        .create(&setup.household, &request)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Sonos { status: 400, .. }), "{err:?}");
    assert_eq!(code(&err), "ERROR_INVALID_PARAMETER");
    // The body names the offending players (the playerSetError variant).
    let (token, _) = setup.sim.mint_tokens();
    let body: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{}/households/{}/groups/createGroup",
            setup.sim.control_url(),
            setup.household
        ))
        .bearer_auth(token)
        .json(&request)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["playerIds"], serde_json::json!([bogus]));
}

#[tokio::test]
async fn groups_of_an_unknown_household_are_an_invalid_object() {
    let setup = Setup::new().await;
    let err = setup
        .client
        .groups()
        .list(&"Sonos_nope".into())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Sonos { status: 400, .. }));
    assert_eq!(code(&err), "ERROR_INVALID_OBJECT_ID");
}

#[tokio::test]
async fn subscribe_and_unsubscribe_groups() {
    let setup = Setup::new().await;
    // No callback registered: 403.
    let err = setup
        .client
        .groups()
        .subscribe(&setup.household)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Sonos { status: 403, .. }), "{err:?}");
    assert_eq!(code(&err), "ERROR_NO_PERMISSION");
    let mut config = roomtone_sim::testing::config();
    config.event_callback = Some("http://127.0.0.1:9/events".into());
    let setup = Setup::with(config).await;
    setup
        .client
        .groups()
        .subscribe(&setup.household)
        .await
        .unwrap();
    assert_eq!(
        setup.subscriptions(),
        vec![format!("groups {}", setup.household)]
    );
    setup
        .client
        .groups()
        .unsubscribe(&setup.household)
        .await
        .unwrap();
    assert!(setup.subscriptions().is_empty());
}
