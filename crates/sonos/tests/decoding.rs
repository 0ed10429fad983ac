//! Decoding of the payloads REFERENCE.md documents, and of payloads with extra and missing
//! fields: a new field from Sonos must never break decoding.

use roomtone_sonos::events::{parse_body, EventBody};
use roomtone_sonos::models::*;

fn decode<T: serde::de::DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

#[test]
fn documented_examples_decode() {
    let households: Households = decode(r#"{"households":[{"id":"Sonos_HHID-4321"}]}"#);
    assert_eq!(households.households[0].id.as_str(), "Sonos_HHID-4321");

    let info: GroupInfo = decode(
        r#"{"group":{"playerIds":["PID2","PID3"],"coordinatorId":"PID2","id":"XYZ-123abc456:12","name":"player2 + 1"}}"#,
    );
    assert_eq!(info.group.unwrap().player_ids.len(), 2);

    let status: PlaybackStatus = decode(
        r#"{"playbackState":"PLAYBACK_STATE_PLAYING","isDucking":false,"itemId":"3d6iqwIjxdilDioPqbhU4cJPTGs=","positionMillis":14,"previousItemId":"FwZvKUVmIj3zb3OsjfPQjF8BWsg=","previousPositionMillis":60368,"playModes":{"repeat":false,"repeatOne":false,"shuffle":false,"crossfade":false},"availablePlaybackActions":{"canSkip":true,"canSkipBack":true,"canSeek":true,"canPause":true,"canStop":true,"canRepeat":true,"canRepeatOne":true,"canCrossfade":true,"canShuffle":true}}"#,
    );
    assert_eq!(status.playback_state, PlaybackState::Playing);
    assert_eq!(status.previous_position_millis, Some(60368));

    let volume: GroupVolume = decode(r#"{"volume":16,"muted":false,"fixed":false}"#);
    assert_eq!(volume.volume, 16);

    let favorites: FavoritesList = decode(
        r#"{"version":"1","items":[{"id":"14","name":"2016 VMAs","description":"ACME2 Music Playlist","imageUrl":"https://example.com/a.png","service":{"name":"ACME2"}}]}"#,
    );
    assert_eq!(
        favorites.items[0].service.as_ref().unwrap().name.as_deref(),
        Some("ACME2")
    );

    let playlists: PlaylistsList = decode(
        r#"{"version":"1","playlists":[{"id":"11","name":"Thursday Morning Mix","type":"playlist","trackCount":50}]}"#,
    );
    assert_eq!(playlists.playlists[0].track_count, Some(50));

    let summary: PlaylistSummary = decode(
        r#"{"id":"3","name":"Mix","type":"playlistSummary","tracks":[{"name":"In Between Days","album":"Head on the Door","artist":"The Cure"}]}"#,
    );
    assert_eq!(summary.tracks[0].artist.as_deref(), Some("The Cure"));

    let clips: AudioClipStatus = decode(
        r#"{"audioClips":[{"id":"4","name":"ACME","appId":"com.acme.app","priority":"LOW","clipType":"CUSTOM","status":"ACTIVE"}]}"#,
    );
    assert_eq!(clips.audio_clips[0].status, AudioClipState::Active);

    let error: GlobalError = decode(
        r#"{"errorCode":"ERROR_MISSING_PARAMETERS","reason":"Missing required value:[1].volume"}"#,
    );
    assert_eq!(error.error_code, ErrorCode::MissingParameters);
    let error: GlobalError = decode(r#"{"errorCode":"ERROR_INVALID_SYNTAX"}"#);
    assert_eq!(error.reason, None);

    let changed: GroupCoordinatorChanged = decode(
        r#"{"groupStatus":"GROUP_STATUS_MOVED","groupName":"Kitchen","websocketUrl":"wss://192.168.1.2:1443/websocket/api","playerId":"RINCON_1"}"#,
    );
    assert_eq!(changed.group_status, GroupStatus::Moved);

    let options: HomeTheaterOptions =
        decode(r#"{"nightMode":true,"enhanceDialog":false,"groupingLatency":2}"#);
    assert_eq!(options.night_mode, Some(true));
    let settings: PlayerSettings = decode(
        r#"{"volumeMode":"PASS_THROUGH","volumeScalingFactor":0.5,"monoMode":false,"wifiDisable":false}"#,
    );
    assert_eq!(settings.volume_mode, Some(VolumeMode::PassThrough));
    let version: VersionChanged = decode(r#"{"version":"42"}"#);
    assert_eq!(version.version.as_deref(), Some("42"));
}

#[test]
fn real_metadata_with_undocumented_fields_decodes() {
    // Shapes seen in real traffic: images, explicit, advertisement, quality, and a LAN imageUrl.
    let metadata: MetadataStatus = decode(
        r#"{"container":{"name":"Discover Weekly","type":"playlist","id":{"serviceId":"12","objectId":"spotify:playlist:1","accountId":"sn_1"},"service":{"name":"Spotify","id":"12","images":[]},"imageUrl":"http://192.168.1.20:1400/getaa?s=1&u=x","images":[{"url":"https://i.scdn.co/image/abc","height":640,"width":640}],"explicit":false},
            "currentItem":{"id":"1","track":{"type":"track","name":"Song","imageUrl":"http://192.168.1.20:1400/getaa?s=1","images":[{"url":"https://i.scdn.co/image/small","width":64},{"url":"https://i.scdn.co/image/big","width":640}],"album":{"name":"Album"},"artist":{"name":"Artist"},"id":{"serviceId":"12","objectId":"spotify:track:1"},"service":{"name":"Spotify"},"durationMillis":200000,"explicit":true,"advertisement":false,"quality":{"bitDepth":16,"sampleRate":44100,"codec":"vorbis","lossless":false,"immersive":false},"somethingNew":{"nested":[1,2]}},"policies":{"canSkip":true,"pauseTtlSec":30}},
            "nextItem":{"track":{"name":"Next"}},"streamInfo":null,"brandNewField":true}"#,
    );
    let track = metadata
        .current_item
        .as_ref()
        .unwrap()
        .track
        .as_ref()
        .unwrap();
    assert_eq!(
        track.artwork(),
        Some("https://i.scdn.co/image/big"),
        "HTTPS images beat a LAN imageUrl"
    );
    assert_eq!(track.quality.as_ref().unwrap().sample_rate, Some(44100));
    assert_eq!(
        metadata.container.unwrap().artwork(),
        Some("https://i.scdn.co/image/abc")
    );
}

#[test]
fn missing_optional_fields_are_fine() {
    let player: Player = decode(r#"{"id":"RINCON_1","name":"Kitchen"}"#);
    assert!(player.capabilities.is_empty() && player.websocket_url.is_none());
    let groups: Groups = decode(r#"{}"#);
    assert!(groups.groups.is_empty());
    let group: Group = decode(r#"{"id":"RINCON_1:1","coordinatorId":"RINCON_1"}"#);
    assert!(group.player_ids.is_empty() && group.name.is_empty());
    let status: PlaybackStatus = decode(r#"{"playbackState":"PLAYBACK_STATE_IDLE"}"#);
    assert!(status.play_modes.is_none());
    let metadata: MetadataStatus = decode(r#"{}"#);
    assert!(metadata.container.is_none());
    let favorites: FavoritesList = decode(r#"{"items":[{"id":"1"}]}"#);
    assert_eq!(favorites.items[0].name, "");
}

#[test]
fn unknown_enum_values_are_kept_and_round_trip() {
    let player: Player =
        decode(r#"{"id":"RINCON_1","name":"Sub","capabilities":["PLAYBACK","HOLOGRAM"]}"#);
    assert_eq!(
        player.capabilities,
        vec![Capability::Playback, Capability::Other("HOLOGRAM".into())]
    );
    assert_eq!(
        serde_json::to_value(&player.capabilities).unwrap(),
        serde_json::json!(["PLAYBACK", "HOLOGRAM"])
    );
    let status: PlaybackStatus = decode(r#"{"playbackState":"PLAYBACK_STATE_TELEPORTING"}"#);
    assert_eq!(status.playback_state.as_str(), "PLAYBACK_STATE_TELEPORTING");
    let error: GlobalError =
        decode(r#"{"errorCode":"ERROR_SOMETHING_NEW","playerIds":["RINCON_1"]}"#);
    assert_eq!(
        error.error_code,
        ErrorCode::Other("ERROR_SOMETHING_NEW".into())
    );
}

#[test]
fn models_encode_without_empty_optionals() {
    let body = serde_json::to_value(SetPlayModes {
        play_modes: PlayModes {
            shuffle: Some(true),
            ..PlayModes::default()
        },
    })
    .unwrap();
    assert_eq!(body, serde_json::json!({"playModes": {"shuffle": true}}));
    let body = serde_json::to_value(CreateGroup {
        player_ids: vec!["A".into()],
        ..CreateGroup::default()
    })
    .unwrap();
    assert_eq!(body, serde_json::json!({"playerIds": ["A"]}));
}

#[test]
fn event_bodies_decode_by_type() {
    assert!(
        matches!(parse_body("groupVolume", br#"{"volume":16,"muted":false,"fixed":false}"#).unwrap(), EventBody::GroupVolume(v) if v.volume == 16)
    );
    assert!(matches!(
        parse_body("versionChanged", br#"{"version":"3"}"#).unwrap(),
        EventBody::VersionChanged(_)
    ));
    assert!(
        matches!(parse_body("playbackError", br#"{"errorCode":"ERROR_PLAYBACK_FAILED","httpStatus":404}"#).unwrap(), EventBody::PlaybackError(e) if e.http_status == Some(404))
    );
    assert!(
        matches!(parse_body("sessionInfo", br#"{"suspended":true}"#).unwrap(), EventBody::Other(v) if v["suspended"] == true)
    );
    assert!(parse_body("groupVolume", b"not json").is_err());
}
