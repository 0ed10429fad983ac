//! Simulator rules: the login service (REFERENCE §2, §8 "Login service").

use roomtone_sim::config::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use roomtone_sim::testing::{config, TestSim};
use serde_json::Value;
use std::collections::HashMap;

const REDIRECT: &str = "https://relay.example/oauth/callback";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn authorize_query(overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = [
        ("client_id", DEFAULT_CLIENT_ID),
        ("response_type", "code"),
        ("state", "st4te"),
        ("scope", "playback-control-all"),
        ("redirect_uri", REDIRECT),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in overrides {
        params.retain(|(key, _)| key != k);
        if !v.is_empty() {
            params.push((k.to_string(), v.to_string()));
        }
    }
    params
}

fn query_of(location: &str) -> HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

async fn start(auto_consent: bool) -> TestSim {
    TestSim::start(Config {
        auto_consent,
        ..config()
    })
    .await
}

#[tokio::test]
async fn authorize_validates_every_parameter() {
    let sim = start(true).await;
    for (name, bad) in [
        ("client_id", "someone-else"),
        ("response_type", "token"),
        ("scope", "hh-config"),
        ("redirect_uri", "https://evil.example/cb"),
        ("client_id", ""),
        ("redirect_uri", ""),
    ] {
        let response = http()
            .get(sim.login_url())
            .query(&authorize_query(&[(name, bad)]))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{name}={bad}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request", "{name}={bad}");
    }
}

#[tokio::test]
async fn auto_consent_redirects_at_once_with_code_and_state() {
    let sim = start(true).await;
    let response = http()
        .get(sim.login_url())
        .query(&authorize_query(&[]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT));
    let q = query_of(&location);
    assert_eq!(q["state"], "st4te");
    assert_eq!(q["code"].len(), 36, "a UUID-shaped code");
}

#[tokio::test]
async fn the_consent_page_names_the_integration_and_offers_allow_and_deny() {
    let sim = TestSim::start(Config {
        integration_name: "Roomtone <Test>".into(),
        ..config()
    })
    .await;
    let response = http()
        .get(sim.login_url())
        .query(&authorize_query(&[]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Allow Roomtone &lt;Test&gt; to control your Sonos system?"),
        "escaped name"
    );
    assert!(page.contains(r#"value="allow""#) && page.contains(r#"value="deny""#));
    assert!(page.contains(r#"name="state" value="st4te""#));
}

async fn decide(sim: &TestSim, decision: &str, state: &str) -> reqwest::Response {
    let mut form = authorize_query(&[("state", state)]);
    form.push(("decision".into(), decision.into()));
    http()
        .post(format!("{}/consent", sim.login_url()))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn allow_redirects_with_a_code_and_deny_with_access_denied() {
    let sim = start(false).await;
    let allowed = decide(&sim, "allow", "a b&c").await;
    assert_eq!(allowed.status(), 302);
    let q = query_of(allowed.headers()["location"].to_str().unwrap());
    assert_eq!(q["state"], "a b&c");
    assert!(q.contains_key("code"));
    let denied = decide(&sim, "deny", "s2").await;
    let q = query_of(denied.headers()["location"].to_str().unwrap());
    assert_eq!(
        (q["state"].as_str(), q["error"].as_str()),
        ("s2", "access_denied")
    );
    assert!(!q.contains_key("code"));
}

#[tokio::test]
async fn the_consent_form_is_validated_again() {
    let sim = start(false).await;
    let mut form = authorize_query(&[("redirect_uri", "https://evil.example/cb")]);
    form.push(("decision".into(), "allow".into()));
    let response = http()
        .post(format!("{}/consent", sim.login_url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        400,
        "no open redirect through the consent form"
    );
}

async fn code(sim: &TestSim) -> String {
    let response = http()
        .get(sim.login_url())
        .query(&authorize_query(&[]))
        .send()
        .await
        .unwrap();
    query_of(response.headers()["location"].to_str().unwrap())["code"].clone()
}

async fn token(
    sim: &TestSim,
    auth: Option<(&str, &str)>,
    form: &[(&str, &str)],
    query: &[(&str, &str)],
) -> (u16, Value) {
    let mut request = http()
        .post(format!("{}/access", sim.login_url()))
        .form(form)
        .query(query);
    if let Some((id, secret)) = auth {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

const CREDS: Option<(&str, &str)> = Some((DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET));

#[tokio::test]
async fn the_token_endpoint_requires_basic_auth() {
    let sim = start(true).await;
    let code = code(&sim).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    let (status, body) = token(&sim, None, &form, &[]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = token(&sim, Some((DEFAULT_CLIENT_ID, "wrong")), &form, &[]).await;
    assert_eq!(
        (status, body["error_description"].as_str()),
        (401, Some("Authentication required"))
    );
    let (status, body) = token(&sim, CREDS, &form, &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 86_400);
    assert_eq!(body["scope"], "playback-control-all");
}

#[tokio::test]
async fn parameters_may_come_in_the_query_string() {
    let sim = start(true).await;
    let code = code(&sim).await;
    let (status, body) = token(
        &sim,
        CREDS,
        &[],
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn grant_type_is_required_and_known() {
    let sim = start(true).await;
    let (status, body) = token(&sim, CREDS, &[("code", "x")], &[]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, body) = token(&sim, CREDS, &[("grant_type", "password")], &[]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn codes_are_single_use_short_lived_and_bound_to_the_redirect() {
    let sim = start(true).await;
    let first = code(&sim).await;
    let form = |c: &str| {
        vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", c.to_owned()),
            ("redirect_uri", REDIRECT.to_owned()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        let sim = &sim;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            token(sim, CREDS, &pairs, &[]).await
        }
    };
    assert_eq!(send(form(&first)).await.0, 200);
    let (status, body) = send(form(&first)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "reused"
    );
    let late = code(&sim).await;
    sim.clock
        .advance(sim.sim.config.code_lifetime_secs as i64 * 1000);
    assert_eq!(
        send(form(&late)).await.1["error_description"],
        "authorization code expired"
    );
    let other = code(&sim).await;
    let (status, _) = token(
        &sim,
        CREDS,
        &[
            ("grant_type", "authorization_code"),
            ("code", &other),
            ("redirect_uri", "https://relay.example/other"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn expires_in_is_configurable() {
    let sim = TestSim::start(Config {
        auto_consent: true,
        access_token_lifetime_secs: 60,
        ..config()
    })
    .await;
    let code = code(&sim).await;
    let (_, body) = token(
        &sim,
        CREDS,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
        &[],
    )
    .await;
    assert_eq!(body["expires_in"], 60);
    let access = body["access_token"].as_str().unwrap().to_owned();
    let get = |token: String| {
        let url = format!("{}/households", sim.control_url());
        async move {
            http()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    sim.clock.advance(59_999);
    assert_eq!(get(access.clone()).await, 200);
    sim.clock.advance(1);
    assert_eq!(get(access).await, 401, "expired by the clock");
}

#[tokio::test]
async fn refresh_with_and_without_rotation() {
    for rotate in [false, true] {
        let sim = TestSim::start(Config {
            auto_consent: true,
            rotate_refresh_tokens: rotate,
            ..config()
        })
        .await;
        let code = code(&sim).await;
        let (_, first) = token(
            &sim,
            CREDS,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
            &[],
        )
        .await;
        let refresh = first["refresh_token"].as_str().unwrap();
        let (status, second) = token(
            &sim,
            CREDS,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
            &[],
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            second["refresh_token"] == first["refresh_token"],
            !rotate,
            "rotate={rotate}"
        );
        let (status, again) = token(
            &sim,
            CREDS,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
            &[],
        )
        .await;
        if rotate {
            assert_eq!(
                (status, again["error"].as_str()),
                (400, Some("invalid_request")),
                "reuse detected"
            );
            let newer = second["refresh_token"].as_str().unwrap();
            let (status, _) = token(
                &sim,
                CREDS,
                &[("grant_type", "refresh_token"), ("refresh_token", newer)],
                &[],
            )
            .await;
            assert_eq!(status, 400, "the whole family is revoked");
        } else {
            assert_eq!(status, 200);
        }
    }
}

#[tokio::test]
async fn a_revoked_refresh_token_is_an_invalid_request() {
    let sim = start(true).await;
    let (_, refresh) = sim.mint_tokens();
    let response = http()
        .post(format!("{}/sim/admin/tokens/revoke", sim.url))
        .json(&serde_json::json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.json::<Value>().await.unwrap()["revoked"], 1);
    let (status, body) = token(
        &sim,
        CREDS,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        &[],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
}
