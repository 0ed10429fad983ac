//! Simulator rules: the Control API (REFERENCE §3, §7, §8 "Control API").

use roomtone_sim::config::{Config, UnauthorizedStyle};
use roomtone_sim::testing::{config, EventSink, TestSim};
use serde_json::{json, Value};

struct Api {
    sim: TestSim,
    token: String,
    http: reqwest::Client,
}

impl Api {
    async fn start(config: Config) -> Self {
        let sim = TestSim::start(config).await;
        let (token, _) = sim.mint_tokens();
        Self {
            sim,
            token,
            http: reqwest::Client::new(),
        }
    }
    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/{path}", self.sim.control_url()))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }
    async fn post(&self, path: &str, body: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/{path}", self.sim.control_url()))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }
    async fn json(&self, path: &str) -> Value {
        self.get(path).await.json().await.unwrap()
    }
    async fn household(&self) -> String {
        self.json("households").await["households"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
    async fn groups(&self) -> Value {
        self.json(&format!("households/{}/groups", self.household().await))
            .await
    }
    /// The player ID of the room `name`.
    async fn player(&self, name: &str) -> String {
        let groups = self.groups().await;
        groups["players"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
    /// The ID of the group led by the room `name`, and the room's player ID.
    async fn group(&self, name: &str) -> (String, String) {
        let groups = self.groups().await;
        let player = groups["players"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let group = groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["coordinatorId"] == player.as_str())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        (group, player)
    }
}

async fn error_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["errorCode"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn every_answer_carries_x_sonos_type_and_json() {
    let api = Api::start(config()).await;
    let hh = api.household().await;
    let (group, player) = api.group("Living Room").await;
    let cases = [
        ("GET", "households".to_owned(), "", "households"),
        ("GET", format!("households/{hh}/groups"), "", "groups"),
        (
            "GET",
            format!("groups/{group}/playback"),
            "",
            "playbackStatus",
        ),
        (
            "GET",
            format!("groups/{group}/playbackMetadata"),
            "",
            "metadataStatus",
        ),
        (
            "GET",
            format!("groups/{group}/groupVolume"),
            "",
            "groupVolume",
        ),
        (
            "GET",
            format!("players/{player}/playerVolume"),
            "",
            "playerVolume",
        ),
        (
            "GET",
            format!("households/{hh}/favorites"),
            "",
            "favoritesList",
        ),
        (
            "GET",
            format!("households/{hh}/playlists"),
            "",
            "playlistsList",
        ),
        (
            "GET",
            format!("households/{hh}/playlists/1"),
            "",
            "playlistSummary",
        ),
        (
            "GET",
            format!("players/{player}/homeTheater/options"),
            "",
            "homeTheaterOptions",
        ),
        (
            "GET",
            format!("players/{player}/settings/player"),
            "",
            "playerSettings",
        ),
        ("POST", format!("groups/{group}/playback/pause"), "", "none"),
        (
            "POST",
            format!("groups/{group}/groupVolume"),
            r#"{"volume":10}"#,
            "none",
        ),
        (
            "POST",
            format!("households/{hh}/groups/createGroup"),
            &format!(r#"{{"playerIds":["{player}"]}}"#),
            "groupInfo",
        ),
        (
            "POST",
            format!("players/{player}/audioClip"),
            r#"{"name":"n","appId":"com.x"}"#,
            "audioClip",
        ),
        (
            "GET",
            "groups/RINCON_GONE:1/playback".to_owned(),
            "",
            "globalError",
        ),
        (
            "POST",
            format!("groups/{group}/groupVolume"),
            "{",
            "globalError",
        ),
    ];
    for (method, path, body, expected) in cases {
        let response = if method == "GET" {
            api.get(&path).await
        } else {
            api.post(&path, body).await
        };
        assert_eq!(
            response
                .headers()
                .get("x-sonos-type")
                .map(|v| v.to_str().unwrap()),
            Some(expected),
            "{method} {path}"
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{method} {path}"
        );
        let _: Value = response.json().await.unwrap();
    }
}

#[tokio::test]
async fn a_missing_or_bad_token_is_a_401_in_the_configured_style() {
    for (style, key) in [
        (UnauthorizedStyle::OAuth, "error"),
        (UnauthorizedStyle::Fault, "fault"),
    ] {
        let api = Api::start(Config {
            unauthorized_style: style,
            ..config()
        })
        .await;
        let bare = api
            .http
            .get(format!("{}/households", api.sim.control_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(bare.status(), 401);
        let body: Value = api
            .http
            .get(format!("{}/households", api.sim.control_url()))
            .bearer_auth("nope")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(body.get(key).is_some(), "{style:?}: {body}");
    }
}

#[tokio::test]
async fn unknown_targets_and_stale_groups() {
    let api = Api::start(config()).await;
    assert_eq!(
        error_code(api.get("households/Sonos_unknown/groups").await).await,
        (400, "ERROR_INVALID_OBJECT_ID".into())
    );
    assert_eq!(
        error_code(api.get("players/RINCON_UNKNOWN01400/playerVolume").await).await,
        (400, "ERROR_INVALID_OBJECT_ID".into())
    );
    assert_eq!(
        error_code(api.get("groups/RINCON_UNKNOWN01400:9/playback").await).await,
        (410, "ERROR_RESOURCE_GONE".into())
    );
}

#[tokio::test]
async fn regrouping_mints_new_ids_and_old_ones_answer_410() {
    let api = Api::start(config()).await;
    let (office, office_player) = api.group("Office").await;
    let kitchen = api.player("Kitchen").await;
    let response = api
        .post(
            &format!("groups/{office}/groups/modifyGroupMembers"),
            &json!({"playerIdsToAdd": [kitchen]}).to_string(),
        )
        .await;
    let info: Value = response.json().await.unwrap();
    let new_id = info["group"]["id"].as_str().unwrap();
    assert_ne!(new_id, office);
    assert!(
        new_id.starts_with(&format!("{office_player}:")),
        "RINCON_<coordinator>:<n>"
    );
    assert_eq!(
        error_code(api.get(&format!("groups/{office}/playback")).await).await,
        (410, "ERROR_RESOURCE_GONE".into())
    );
    assert_eq!(
        api.get(&format!("groups/{new_id}/playback")).await.status(),
        200
    );
}

#[tokio::test]
async fn malformed_missing_and_out_of_range_bodies_get_the_documented_codes() {
    let api = Api::start(config()).await;
    let (group, player) = api.group("Office").await;
    let volume = format!("groups/{group}/groupVolume");
    assert_eq!(
        error_code(api.post(&volume, "{\"volume\":").await).await,
        (400, "ERROR_INVALID_SYNTAX".into())
    );
    assert_eq!(
        error_code(api.post(&volume, "[1,2]").await).await,
        (400, "ERROR_INVALID_SYNTAX".into())
    );
    let missing = api.post(&volume, "{}").await;
    let body: Value = missing.json().await.unwrap();
    assert_eq!(
        (body["errorCode"].as_str(), body["reason"].as_str()),
        (
            Some("ERROR_MISSING_PARAMETERS"),
            Some("Missing required value: volume")
        )
    );
    assert_eq!(
        error_code(api.post(&volume, r#"{"volume":101}"#).await).await,
        (400, "ERROR_INVALID_PARAMETER".into())
    );
    assert_eq!(
        error_code(api.post(&volume, r#"{"volume":-1}"#).await).await,
        (400, "ERROR_INVALID_PARAMETER".into())
    );
    assert_eq!(
        error_code(api.post(&volume, r#"{"volume":"loud"}"#).await).await,
        (400, "ERROR_INVALID_PARAMETER".into())
    );
    assert_eq!(
        error_code(
            api.post(&format!("groups/{group}/playback/seek"), "{}")
                .await
        )
        .await,
        (400, "ERROR_MISSING_PARAMETERS".into())
    );
    assert_eq!(
        error_code(
            api.post(
                &format!("groups/{group}/favorites"),
                r#"{"action":"REPLACE"}"#
            )
            .await
        )
        .await,
        (400, "ERROR_MISSING_PARAMETERS".into())
    );
    assert_eq!(
        error_code(
            api.post(
                &format!("players/{player}/playerVolume/relative"),
                r#"{"volumeDelta":200}"#
            )
            .await
        )
        .await,
        (400, "ERROR_INVALID_PARAMETER".into())
    );
    assert_eq!(
        error_code(
            api.post(&format!("groups/{group}/playback/teleport"), "")
                .await
        )
        .await,
        (404, "ERROR_UNSUPPORTED_COMMAND".into())
    );
}

#[tokio::test]
async fn position_moves_with_the_clock_only_while_playing() {
    let api = Api::start(config()).await;
    let (living, _) = api.group("Living Room").await;
    let (office, _) = api.group("Office").await;
    let position = |v: Value| v["positionMillis"].as_i64().unwrap();
    assert_eq!(
        position(api.json(&format!("groups/{living}/playback")).await),
        40_000
    );
    assert_eq!(
        position(api.json(&format!("groups/{office}/playback")).await),
        95_000
    );
    api.sim.clock.advance(12_345);
    assert_eq!(
        position(api.json(&format!("groups/{living}/playback")).await),
        52_345,
        "playing: moves"
    );
    assert_eq!(
        position(api.json(&format!("groups/{office}/playback")).await),
        95_000,
        "paused: still"
    );
}

#[tokio::test]
async fn a_track_ending_moves_to_the_next_and_the_queue_end_stops() {
    let api = Api::start(config()).await;
    let (living, _) = api.group("Living Room").await;
    let status = api.json(&format!("groups/{living}/playback")).await;
    let meta = api.json(&format!("groups/{living}/playbackMetadata")).await;
    let duration = meta["currentItem"]["track"]["durationMillis"]
        .as_i64()
        .unwrap();
    let next_name = meta["nextItem"]["track"]["name"].clone();
    api.sim.clock.advance(duration - 40_000 + 1_000);
    let after = api.json(&format!("groups/{living}/playback")).await;
    assert_ne!(after["itemId"], status["itemId"]);
    assert_eq!(after["previousItemId"], status["itemId"]);
    assert_eq!(after["positionMillis"], 1_000);
    assert_eq!(
        api.json(&format!("groups/{living}/playbackMetadata")).await["currentItem"]["track"]
            ["name"],
        next_name
    );
    // Far past the end of the six-track playlist, without repeat: stopped at its start.
    // (Less than a day: the access token lives 24 h by this clock too.)
    api.sim.clock.advance(12 * 3600 * 1000);
    let end = api.json(&format!("groups/{living}/playback")).await;
    assert_eq!(end["playbackState"], "PLAYBACK_STATE_IDLE");
    assert_eq!(end["positionMillis"], 0);
}

#[tokio::test]
async fn repeat_one_keeps_the_same_track() {
    let api = Api::start(config()).await;
    let (living, _) = api.group("Living Room").await;
    api.post(
        &format!("groups/{living}/playback/playMode"),
        r#"{"playModes":{"repeatOne":true}}"#,
    )
    .await;
    let before = api.json(&format!("groups/{living}/playback")).await;
    api.sim.clock.advance(3_600_000);
    assert_eq!(
        api.json(&format!("groups/{living}/playback")).await["itemId"],
        before["itemId"]
    );
}

#[tokio::test]
async fn play_goes_through_buffering_to_playing() {
    let mut sink = EventSink::start().await;
    let api = Api::start(Config {
        event_callback: Some(sink.url.clone()),
        ..config()
    })
    .await;
    let (office, _) = api.group("Office").await;
    assert_eq!(
        api.post(&format!("groups/{office}/playback/subscription"), "")
            .await
            .status(),
        200
    );
    assert_eq!(
        api.post(&format!("groups/{office}/playback/play"), "")
            .await
            .status(),
        200
    );
    let first = sink.next_of("playbackStatus").await.json();
    let second = sink.next_of("playbackStatus").await.json();
    assert_eq!(first["playbackState"], "PLAYBACK_STATE_BUFFERING");
    assert_eq!(second["playbackState"], "PLAYBACK_STATE_PLAYING");
}

#[tokio::test]
async fn a_late_buffering_step_after_a_pause_changes_nothing() {
    let api = Api::start(config()).await;
    let (office, _) = api.group("Office").await;
    let group = roomtone_sonos::GroupId::new(office.clone());
    // play, then pause before the BUFFERING -> PLAYING step; then run that step by hand.
    let generation = api
        .sim
        .sim
        .on_group(&group, |h, i, ctx| h.play(i, ctx))
        .unwrap();
    api.post(&format!("groups/{office}/playback/pause"), "")
        .await;
    let emitted = api
        .sim
        .sim
        .act(|households, ctx| {
            for h in households.iter_mut() {
                h.finish_buffering(&group, generation, ctx);
            }
            Ok(ctx.out.len())
        })
        .unwrap();
    assert_eq!(emitted, 0, "no event from a stale step");
    assert_eq!(
        api.json(&format!("groups/{office}/playback")).await["playbackState"],
        "PLAYBACK_STATE_PAUSED"
    );
    // The step does its job when nothing came between.
    let generation = api
        .sim
        .sim
        .on_group(&group, |h, i, ctx| h.play(i, ctx))
        .unwrap();
    api.sim
        .sim
        .act(|households, ctx| {
            for h in households.iter_mut() {
                h.finish_buffering(&group, generation, ctx);
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(
        api.json(&format!("groups/{office}/playback")).await["playbackState"],
        "PLAYBACK_STATE_PLAYING"
    );
}

#[tokio::test]
async fn group_volume_setting_unmutes_and_mute_keeps_the_volume() {
    let api = Api::start(config()).await;
    let (living, _) = api.group("Living Room").await;
    let path = format!("groups/{living}/groupVolume");
    api.post(&format!("{path}/mute"), r#"{"muted":true}"#).await;
    let muted = api.json(&path).await;
    assert_eq!(
        (muted["volume"].as_u64(), muted["muted"].as_bool()),
        (Some(28), Some(true))
    );
    api.post(&format!("{path}/relative"), r#"{"volumeDelta":2}"#)
        .await;
    let after = api.json(&path).await;
    assert_eq!(
        (after["volume"].as_u64(), after["muted"].as_bool()),
        (Some(30), Some(false))
    );
}

#[tokio::test]
async fn set_members_without_the_coordinator_retires_the_group_and_the_music_follows() {
    let api = Api::start(config()).await;
    let (living, lr) = api.group("Living Room").await;
    let kitchen = api.player("Kitchen").await;
    let patio = api.player("Patio").await;
    let before = api.json(&format!("groups/{living}/playbackMetadata")).await;
    let info: Value = api
        .post(
            &format!("groups/{living}/groups/setGroupMembers"),
            &json!({"playerIds": [patio]}).to_string(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["group"]["playerIds"], json!([patio]));
    let new_id = info["group"]["id"].as_str().unwrap().to_owned();
    assert_ne!(new_id, living);
    assert_eq!(
        api.get(&format!("groups/{living}/playback")).await.status(),
        410,
        "the old ID is retired"
    );
    let after = api.json(&format!("groups/{new_id}/playbackMetadata")).await;
    assert_eq!(
        after["container"]["name"], before["container"]["name"],
        "the music follows the group"
    );
    let groups = api.groups().await;
    for player in [&lr, &kitchen] {
        let alone = groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["playerIds"] == json!([player]));
        assert!(alone.is_some(), "{player} stands alone");
    }
}

#[tokio::test]
async fn removing_the_coordinator_leaves_the_music_with_the_group() {
    let api = Api::start(config()).await;
    let (living, lr) = api.group("Living Room").await;
    let kitchen = api.player("Kitchen").await;
    let info: Value = api
        .post(
            &format!("groups/{living}/groups/modifyGroupMembers"),
            &json!({"playerIdsToRemove": [lr]}).to_string(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["group"]["playerIds"], json!([kitchen]));
    let status = api
        .json(&format!(
            "groups/{}/playback",
            info["group"]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status["playbackState"], "PLAYBACK_STATE_PLAYING");
    let groups = api.groups().await;
    let lr_group = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["playerIds"] == json!([lr]))
        .unwrap();
    assert_eq!(lr_group["playbackState"], "PLAYBACK_STATE_IDLE");
}

#[tokio::test]
async fn repeated_player_ids_count_once() {
    let api = Api::start(config()).await;
    let hh = api.household().await;
    let (bedroom, bathroom) = (api.player("Bedroom").await, api.player("Bathroom").await);
    let info: Value = api
        .post(
            &format!("households/{hh}/groups/createGroup"),
            &json!({"playerIds": [bedroom, bathroom, bedroom]}).to_string(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["group"]["playerIds"], json!([bedroom, bathroom]));
    assert_eq!(info["group"]["name"], "Bedroom + 1");
}

#[tokio::test]
async fn replacing_the_queue_without_play_on_completion_stops() {
    let api = Api::start(config()).await;
    let (living, _) = api.group("Living Room").await;
    assert_eq!(
        api.json(&format!("groups/{living}/playback")).await["playbackState"],
        "PLAYBACK_STATE_PLAYING"
    );
    assert_eq!(
        api.post(
            &format!("groups/{living}/favorites"),
            r#"{"favoriteId":"1","action":"REPLACE"}"#
        )
        .await
        .status(),
        200
    );
    let status = api.json(&format!("groups/{living}/playback")).await;
    assert_eq!(status["playbackState"], "PLAYBACK_STATE_IDLE");
    assert_eq!(
        api.json(&format!("groups/{living}/playbackMetadata")).await["container"]["name"],
        "Harbour Lights"
    );
    api.post(
        &format!("groups/{living}/favorites"),
        r#"{"favoriteId":"2","action":"REPLACE","playOnCompletion":true}"#,
    )
    .await;
    assert_eq!(
        api.json(&format!("groups/{living}/playback")).await["playbackState"],
        "PLAYBACK_STATE_PLAYING"
    );
}

#[tokio::test]
async fn the_previous_item_remembers_where_it_ended() {
    let api = Api::start(config()).await;
    let (living, _) = api.group("Living Room").await;
    let meta = api.json(&format!("groups/{living}/playbackMetadata")).await;
    let duration = meta["currentItem"]["track"]["durationMillis"]
        .as_i64()
        .unwrap();
    api.sim.clock.advance(duration - 40_000 + 500);
    let status = api.json(&format!("groups/{living}/playback")).await;
    assert_eq!(
        status["previousPositionMillis"], duration,
        "a track that ended, ended at its end"
    );
    api.sim.clock.advance(10_000);
    api.post(&format!("groups/{living}/playback/skipToNextTrack"), "")
        .await;
    assert_eq!(
        api.json(&format!("groups/{living}/playback")).await["previousPositionMillis"],
        10_500,
        "a skipped track, where it was skipped"
    );
}

#[tokio::test]
async fn every_refusal_carries_x_sonos_type_too() {
    let api = Api::start(config()).await;
    let (living, _) = api.group("Living Room").await;
    let unauthorized = api
        .http
        .get(format!("{}/households", api.sim.control_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    assert_eq!(unauthorized.headers()["x-sonos-type"], "globalError");
    let wrong_method = api.get(&format!("groups/{living}/playback/play")).await;
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(wrong_method.headers()["x-sonos-type"], "globalError");
    assert_eq!(
        error_code(wrong_method).await.1,
        "ERROR_UNSUPPORTED_COMMAND"
    );
}

#[test]
fn secrets_stay_out_of_the_simulators_debug_output() {
    let config = Config {
        client_secret: "sim-secret-value".into(),
        ..config()
    };
    let printed = format!("{config:?}");
    assert!(!printed.contains("sim-secret-value"), "{printed}");
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
    let mut tokens = roomtone_sim::tokens::Tokens::default();
    let granted = tokens.grant_new(&mut rng, 0, 60);
    let printed = format!("{tokens:?}");
    assert!(
        !printed.contains(&granted.access_token) && !printed.contains(&granted.refresh_token),
        "{printed}"
    );
}
