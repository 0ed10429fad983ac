//! Exact wire checks against a mock HTTP server: paths, headers and bodies as Sonos documents
//! them, and no redirect following. A catch-all answers 599 "not received" so a wrong route
//! fails readably.

use roomtone_sonos::models::{LoadAction, LoadFavorite, PlayModes};
use roomtone_sonos::{
    AccessToken, AuthorizationCode, Client, ClientSecret, Error, LoginService, RefreshToken,
    RetryPolicy, StaticToken,
};
use std::sync::Arc;
use std::time::SystemTime;
use wiremock::matchers::{body_json, body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "d7cdf58d-d43c-412c-8887-6d7f95b6557e";

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(599).set_body_string("the mock did not expect this request"),
        )
        .with_priority(u8::MAX)
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
    Client::builder(Arc::new(StaticToken::new(AccessToken::new(TOKEN))))
        .base_url(format!("{}/control/api/v1", server.uri()))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("x-sonos-type", "none")
        .set_body_json(serde_json::json!({}))
}

#[tokio::test]
async fn control_calls_send_the_bearer_token_and_a_user_agent() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/control/api/v1/households"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header(
            "user-agent",
            concat!("Roomtone/", env!("CARGO_PKG_VERSION")),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"households": [{"id": "Sonos_HHID-4321"}]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let households = client(&server).households().list().await.unwrap();
    assert_eq!(households.households[0].id.as_str(), "Sonos_HHID-4321");
}

#[tokio::test]
async fn group_ids_go_into_the_path_as_they_are() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(
            "/control/api/v1/groups/RINCON_00012345678001400:0/playback/play",
        ))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .playback()
        .play(&"RINCON_00012345678001400:0".into())
        .await
        .unwrap();
}

#[tokio::test]
async fn ids_cannot_escape_their_path_segment() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/control/api/v1/groups/a%2F..%2Fb%3Fc/playback/pause"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .playback()
        .pause(&"a/../b?c".into())
        .await
        .unwrap();
}

#[tokio::test]
async fn command_bodies_are_the_documented_json() {
    let server = server().await;
    let g = "/control/api/v1/groups/G:1";
    let cases: Vec<(String, serde_json::Value)> = vec![
        (
            format!("{g}/groupVolume"),
            serde_json::json!({"volume": 30}),
        ),
        (
            format!("{g}/groupVolume/relative"),
            serde_json::json!({"volumeDelta": -5}),
        ),
        (
            format!("{g}/groupVolume/mute"),
            serde_json::json!({"muted": true}),
        ),
        (
            format!("{g}/playback/seek"),
            serde_json::json!({"positionMillis": 1000, "itemId": "i"}),
        ),
        // Not `positionMillis`, the mistake of one public client.
        (
            format!("{g}/playback/seekRelative"),
            serde_json::json!({"deltaMillis": -2000}),
        ),
        (
            format!("{g}/playback/playMode"),
            serde_json::json!({"playModes": {"shuffle": true}}),
        ),
        (
            format!("{g}/favorites"),
            serde_json::json!({"favoriteId": "14", "action": "REPLACE", "playOnCompletion": true}),
        ),
    ];
    for (p, body) in &cases {
        Mock::given(method("POST"))
            .and(path(p.as_str()))
            .and(header("content-type", "application/json"))
            .and(body_json(body))
            .respond_with(ok())
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = client(&server);
    let g = "G:1".into();
    c.group_volume().set(&g, 30).await.unwrap();
    c.group_volume().set_relative(&g, -5).await.unwrap();
    c.group_volume().set_mute(&g, true).await.unwrap();
    c.playback().seek(&g, 1000, Some("i")).await.unwrap();
    c.playback().seek_relative(&g, -2000, None).await.unwrap();
    c.playback()
        .set_play_modes(
            &g,
            PlayModes {
                shuffle: Some(true),
                ..PlayModes::default()
            },
        )
        .await
        .unwrap();
    c.favorites()
        .load(
            &g,
            &LoadFavorite {
                favorite_id: "14".into(),
                action: Some(LoadAction::Replace),
                play_modes: None,
                play_on_completion: Some(true),
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn subscriptions_are_post_and_delete_without_a_body() {
    let server = server().await;
    let p = "/control/api/v1/households/Sonos_1/groups/subscription";
    Mock::given(method("POST"))
        .and(path(p))
        .and(body_string(""))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(p))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    // An empty 200 body is accepted as success.
    c.groups().subscribe(&"Sonos_1".into()).await.unwrap();
    c.groups().unsubscribe(&"Sonos_1".into()).await.unwrap();
}

#[tokio::test]
async fn an_empty_answer_where_an_object_is_due_is_a_decode_error() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/control/api/v1/households/Sonos_1/groups"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let err = client(&server)
        .groups()
        .list(&"Sonos_1".into())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Decode {
                expected: "groups",
                ..
            }
        ),
        "never an empty household: {err:?}"
    );
}

#[tokio::test]
async fn redirects_from_the_control_api_are_not_followed() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/control/api/v1/households"))
        .respond_with(
            ResponseTemplate::new(301)
                .insert_header("location", format!("{}/elsewhere", server.uri())),
        )
        .mount(&server)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"households": []})),
        )
        .expect(0)
        .mount(&server)
        .await;
    let err = client(&server).households().list().await.unwrap_err();
    assert!(matches!(err, Error::Sonos { status: 301, .. }), "{err:?}");
}

#[tokio::test]
async fn a_body_that_does_not_decode_keeps_its_path_and_excerpt() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/control/api/v1/groups/G:1/groupVolume"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"volume":"loud"}"#))
        .mount(&server)
        .await;
    match client(&server)
        .group_volume()
        .get(&"G:1".into())
        .await
        .unwrap_err()
    {
        Error::Decode {
            expected,
            path,
            body,
            ..
        } => {
            assert_eq!(expected, "groupVolume");
            assert_eq!(path, "volume");
            assert_eq!(body, r#"{"volume":"loud"}"#);
        }
        other => panic!("{other:?}"),
    }
}

// ----- the login service ------------------------------------------------------------------

/// The Authorize guide's credentials and their documented Basic value (seed 004).
const SEED_ID: &str = "d68b5d8e-b711-4321-9a0b-b7ade8b22b5d";
const SEED_SECRET: &str = "b1d4ab27-9824-7841-a8dc-1eba69fc5225";
const SEED_BASIC: &str = "ZDY4YjVkOGUtYjcxMS00MzIxLTlhMGItYjdhZGU4YjIyYjVkOmIxZDRhYjI3LTk4MjQtNzg0MS1hOGRjLTFlYmE2OWZjNTIyNQ==";

fn tokens(refresh: Option<&str>) -> ResponseTemplate {
    let mut body = serde_json::json!({"access_token": "f474be5c-fcb5-4626-aa9b-42d12192c660", "token_type": "Bearer", "expires_in": 86400, "scope": "playback-control-all"});
    if let Some(refresh) = refresh {
        body["refresh_token"] = refresh.into();
    }
    ResponseTemplate::new(200).set_body_json(body)
}

#[tokio::test]
async fn code_exchange_uses_basic_auth_and_a_form_body() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/login/v3/oauth/access"))
        .and(header("authorization", format!("Basic {SEED_BASIC}").as_str()))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("grant_type=authorization_code&code=93713fe8-33aa-460c-97bd-320d7ae8679f&redirect_uri=https%3A%2F%2FACME.example.com%2Flogin%2Ftestclient%2Fauthorized.html"))
        .respond_with(tokens(Some("585fb433-359c-4419-ac53-946106e5bbab")))
        .expect(1)
        .mount(&server)
        .await;
    let login = LoginService::new(&format!("{}/login/v3/oauth", server.uri()), SEED_ID).unwrap();
    let now = SystemTime::now();
    let set = login
        .exchange_code(
            &ClientSecret::new(SEED_SECRET),
            &AuthorizationCode::new("93713fe8-33aa-460c-97bd-320d7ae8679f"),
            "https://ACME.example.com/login/testclient/authorized.html",
            now,
        )
        .await
        .unwrap();
    assert_eq!(set.expires_at, now + std::time::Duration::from_secs(86_400));
}

#[tokio::test]
async fn refresh_sends_the_refresh_grant_and_keeps_the_token_when_none_returns() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/login/v3/oauth/access"))
        .and(header(
            "authorization",
            format!("Basic {SEED_BASIC}").as_str(),
        ))
        .and(body_string(
            "grant_type=refresh_token&refresh_token=585fb433-359c-4419-ac53-946106e5bbab",
        ))
        .respond_with(tokens(None))
        .expect(1)
        .mount(&server)
        .await;
    let login = LoginService::new(&format!("{}/login/v3/oauth", server.uri()), SEED_ID).unwrap();
    let current = RefreshToken::new("585fb433-359c-4419-ac53-946106e5bbab");
    let set = login
        .refresh(&ClientSecret::new(SEED_SECRET), &current, SystemTime::now())
        .await
        .unwrap();
    assert!(!set.refresh_rotated);
    assert_eq!(
        roomtone_sonos::Secret::expose(&set.refresh_token),
        "585fb433-359c-4419-ac53-946106e5bbab"
    );
}

#[tokio::test]
async fn token_calls_never_follow_redirects() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/login/v3/oauth/access"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", format!("{}/steal", server.uri())),
        )
        .mount(&server)
        .await;
    Mock::given(path("/steal"))
        .respond_with(tokens(Some("r")))
        .expect(0)
        .mount(&server)
        .await;
    let login = LoginService::new(&format!("{}/login/v3/oauth", server.uri()), SEED_ID).unwrap();
    let err = login
        .refresh(
            &ClientSecret::new(SEED_SECRET),
            &RefreshToken::new("r"),
            SystemTime::now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LoginProtocol(_)), "{err:?}");
}

#[tokio::test]
async fn rfc6749_error_bodies_become_login_errors() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/login/v3/oauth/access"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": "invalid_request", "error_description": "invalid refresh token"})))
        .mount(&server)
        .await;
    let login = LoginService::new(&format!("{}/login/v3/oauth", server.uri()), SEED_ID).unwrap();
    let err = login
        .refresh(
            &ClientSecret::new(SEED_SECRET),
            &RefreshToken::new("r"),
            SystemTime::now(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Login { error, description } if error == "invalid_request" && description.as_deref() == Some("invalid refresh token")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_token_answer_that_does_not_decode_never_echoes_its_body() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/login/v3/oauth/access"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"access_token": "SECRET-ACCESS", "refresh_token": "SECRET-REFRESH"}),
        ))
        .mount(&server)
        .await;
    let login = LoginService::new(&format!("{}/login/v3/oauth", server.uri()), SEED_ID).unwrap();
    let err = login
        .refresh(
            &ClientSecret::new(SEED_SECRET),
            &RefreshToken::new("r"),
            SystemTime::now(),
        )
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
}

#[tokio::test]
async fn a_token_lifetime_past_any_clock_is_an_error_not_a_panic() {
    let server = server().await;
    let huge = serde_json::json!({
        "access_token": "a", "refresh_token": "r", "token_type": "Bearer",
        "expires_in": u64::MAX, "scope": "playback-control-all"
    });
    Mock::given(method("POST"))
        .and(path("/login/v3/oauth/access"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&huge))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/refresh"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&huge))
        .mount(&server)
        .await;
    let login = LoginService::new(&format!("{}/login/v3/oauth", server.uri()), SEED_ID).unwrap();
    let current = RefreshToken::new("r");
    let err = login
        .refresh(&ClientSecret::new(SEED_SECRET), &current, SystemTime::now())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("out of range"), "{err}");
    let relay = roomtone_sonos::broker::BrokerClient::new(&server.uri()).unwrap();
    let err = relay
        .refresh(&current, SystemTime::now())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("out of range"), "{err}");
}
