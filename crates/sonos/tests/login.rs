//! Contract: the login service — authorize, code exchange, refresh, and its refusals.

mod common;

use roomtone_sim::config::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use roomtone_sim::testing::{config, TestSim};
use roomtone_sonos::{
    AuthorizationCode, Client, ClientSecret, Error, LoginService, Secret, StaticToken,
};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const REDIRECT: &str = "https://relay.example/oauth/callback";

async fn sim(rotate: bool) -> TestSim {
    let mut config = config();
    config.auto_consent = true;
    config.rotate_refresh_tokens = rotate;
    TestSim::start(config).await
}

/// Follows the authorize URL like a browser would, up to the redirect, and returns the code.
async fn authorize(login: &LoginService, state: &str) -> String {
    let url = login.authorize_url(state, REDIRECT);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 302);
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(REDIRECT));
    let pairs: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(pairs["state"], state);
    pairs["code"].clone()
}

fn secret() -> ClientSecret {
    ClientSecret::new(DEFAULT_CLIENT_SECRET)
}

#[tokio::test]
async fn sign_in_then_call_the_control_api() {
    let sim = sim(false).await;
    let login = LoginService::new(&sim.login_url(), DEFAULT_CLIENT_ID).unwrap();
    let code = authorize(&login, "s-1").await;
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    let tokens = login
        .exchange_code(
            &secret(),
            &AuthorizationCode::new(code.clone()),
            REDIRECT,
            now,
        )
        .await
        .unwrap();
    assert_eq!(tokens.expires_at, now + Duration::from_secs(86_400));
    assert_eq!(tokens.scope.as_deref(), Some("playback-control-all"));
    let client = Client::builder(Arc::new(StaticToken::new(tokens.access_token.clone())))
        .base_url(sim.control_url())
        .build()
        .unwrap();
    assert_eq!(
        client.households().list().await.unwrap().households.len(),
        2
    );
    // The code is single use.
    let err = login
        .exchange_code(&secret(), &AuthorizationCode::new(code), REDIRECT, now)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Login { error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
}

#[tokio::test]
async fn refresh_keeps_the_refresh_token_when_none_is_returned() {
    let sim = sim(false).await;
    let login = LoginService::new(&sim.login_url(), DEFAULT_CLIENT_ID).unwrap();
    let code = authorize(&login, "s").await;
    let first = login
        .exchange_code(
            &secret(),
            &AuthorizationCode::new(code),
            REDIRECT,
            SystemTime::now(),
        )
        .await
        .unwrap();
    let second = login
        .refresh(&secret(), &first.refresh_token, SystemTime::now())
        .await
        .unwrap();
    assert!(!second.refresh_rotated);
    assert_eq!(second.refresh_token.expose(), first.refresh_token.expose());
    assert_ne!(second.access_token.expose(), first.access_token.expose());
}

#[tokio::test]
async fn a_rotated_refresh_token_replaces_the_old_one_and_reuse_is_refused() {
    let sim = sim(true).await;
    let login = LoginService::new(&sim.login_url(), DEFAULT_CLIENT_ID).unwrap();
    let code = authorize(&login, "s").await;
    let first = login
        .exchange_code(
            &secret(),
            &AuthorizationCode::new(code),
            REDIRECT,
            SystemTime::now(),
        )
        .await
        .unwrap();
    let second = login
        .refresh(&secret(), &first.refresh_token, SystemTime::now())
        .await
        .unwrap();
    assert!(second.refresh_rotated);
    assert_ne!(second.refresh_token.expose(), first.refresh_token.expose());
    let err = login
        .refresh(&secret(), &first.refresh_token, SystemTime::now())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Login { error, .. } if error == "invalid_request"),
        "{err:?}"
    );
    // Reuse revoked the whole sign-in, the new token included.
    let client = Client::builder(Arc::new(StaticToken::new(second.access_token)))
        .base_url(sim.control_url())
        .build()
        .unwrap();
    assert!(matches!(
        client.households().list().await.unwrap_err(),
        Error::Unauthorized
    ));
}

#[tokio::test]
async fn a_wrong_secret_is_an_invalid_client() {
    let sim = sim(false).await;
    let login = LoginService::new(&sim.login_url(), DEFAULT_CLIENT_ID).unwrap();
    let code = authorize(&login, "s").await;
    let err = login
        .exchange_code(
            &ClientSecret::new("wrong"),
            &AuthorizationCode::new(code),
            REDIRECT,
            SystemTime::now(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Login { error, description } if error == "invalid_client" && description.as_deref() == Some("Authentication required")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_different_redirect_uri_is_refused() {
    let sim = sim(false).await;
    let login = LoginService::new(&sim.login_url(), DEFAULT_CLIENT_ID).unwrap();
    let code = authorize(&login, "s").await;
    let err = login
        .exchange_code(
            &secret(),
            &AuthorizationCode::new(code),
            "https://elsewhere.example/cb",
            SystemTime::now(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Login { error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_down_login_service_says_so() {
    let sim = sim(false).await;
    sim.sim.world().faults.login_down = true;
    let login = LoginService::new(&sim.login_url(), DEFAULT_CLIENT_ID).unwrap();
    let err = login
        .refresh(
            &secret(),
            &roomtone_sonos::RefreshToken::new("r"),
            SystemTime::now(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Login { error, .. } if error == "temporarily_unavailable"),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unreachable_login_service_is_a_transport_error() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/login/v3/oauth", closed.local_addr().unwrap());
    drop(closed);
    let login = LoginService::new(&url, "id").unwrap();
    let err = login
        .refresh(
            &secret(),
            &roomtone_sonos::RefreshToken::new("r"),
            SystemTime::now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
}
