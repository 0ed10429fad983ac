//! Simulator rules: the admin API — tokens, players, rooms, the clock, state and stats.

use roomtone_sim::config::Config;
use roomtone_sim::testing::{config, EventSink, TestSim};
use serde_json::{json, Value};

struct Admin {
    sim: TestSim,
    http: reqwest::Client,
}

impl Admin {
    async fn start(config: Config) -> Self {
        Self {
            sim: TestSim::start(config).await,
            http: reqwest::Client::new(),
        }
    }
    async fn admin(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/sim/admin/{path}", self.sim.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.unwrap()
    }
    async fn state(&self) -> Value {
        self.http
            .get(format!("{}/sim/admin/state", self.sim.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
    async fn control(&self, token: &str, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/{path}", self.sim.control_url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }
    async fn player(&self, name: &str) -> String {
        let state = self.state().await;
        state["households"][0]["players"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

#[tokio::test]
async fn minted_tokens_work_and_expire_on_demand() {
    let admin = Admin::start(config()).await;
    let first = admin.admin("tokens", json!({})).await;
    let second = admin.admin("tokens", json!({})).await;
    let (a, b) = (
        first["access_token"].as_str().unwrap(),
        second["access_token"].as_str().unwrap(),
    );
    assert_eq!(admin.control(a, "households").await.status(), 200);
    assert_eq!(
        admin
            .admin("tokens/expire", json!({"access_token": a}))
            .await["expired"],
        1
    );
    assert_eq!(admin.control(a, "households").await.status(), 401);
    assert_eq!(
        admin.control(b, "households").await.status(),
        200,
        "only that token"
    );
    admin.admin("tokens/expire", json!({})).await;
    assert_eq!(
        admin.control(b, "households").await.status(),
        401,
        "every token"
    );
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_its_access_tokens_too() {
    let admin = Admin::start(config()).await;
    let pair = admin.admin("tokens", json!({})).await;
    admin
        .admin(
            "tokens/revoke",
            json!({"refresh_token": pair["refresh_token"]}),
        )
        .await;
    assert_eq!(
        admin
            .control(pair["access_token"].as_str().unwrap(), "households")
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn unplugging_a_player_dissolves_its_group() {
    let mut sink = EventSink::start().await;
    let admin = Admin::start(Config {
        event_callback: Some(sink.url.clone()),
        ..config()
    })
    .await;
    let (token, _) = admin.sim.mint_tokens();
    let state = admin.state().await;
    let hh = state["households"][0]["id"].as_str().unwrap().to_owned();
    let kitchen = admin.player("Kitchen").await;
    let living = state["households"][0]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"]["name"] == "Living Room + 1")
        .unwrap()["group"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    admin
        .http
        .post(format!(
            "{}/households/{hh}/groups/subscription",
            admin.sim.control_url()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    admin
        .admin(&format!("players/{kitchen}/unplug"), json!({}))
        .await;
    let event = sink.next_of("groups").await.json();
    assert!(
        event["players"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["id"] != kitchen.as_str()),
        "the kitchen is gone from the household"
    );
    assert_eq!(
        admin
            .control(&token, &format!("groups/{living}/playback"))
            .await
            .status(),
        410
    );
    assert_eq!(
        admin
            .control(&token, &format!("players/{kitchen}/playerVolume"))
            .await
            .status(),
        410
    );
    let remaining = event["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Living Room")
        .expect("the living room plays on alone");
    let status: Value = admin
        .control(
            &token,
            &format!("groups/{}/playback", remaining["id"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["playbackState"], "PLAYBACK_STATE_PLAYING");
    admin
        .admin(&format!("players/{kitchen}/replug"), json!({}))
        .await;
    let event = sink.next_of("groups").await.json();
    assert!(
        event["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == "Kitchen"),
        "back, on its own"
    );
}

#[tokio::test]
async fn renaming_a_room_tells_the_household() {
    let mut sink = EventSink::start().await;
    let admin = Admin::start(Config {
        event_callback: Some(sink.url.clone()),
        ..config()
    })
    .await;
    let (token, _) = admin.sim.mint_tokens();
    let hh = admin.state().await["households"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    admin
        .http
        .post(format!(
            "{}/households/{hh}/groups/subscription",
            admin.sim.control_url()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let office = admin.player("Office").await;
    admin
        .admin(
            &format!("players/{office}/rename"),
            json!({"name": "Studio"}),
        )
        .await;
    let event = sink.next_of("groups").await.json();
    assert!(event["players"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "Studio"));
    assert!(event["groups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["name"] == "Studio"));
    let response = admin
        .http
        .post(format!(
            "{}/sim/admin/players/{office}/rename",
            admin.sim.url
        ))
        .json(&json!({"name": "  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn the_clock_advances_through_the_admin_api() {
    let admin = Admin::start(config()).await;
    let before = admin.state().await["now"].as_i64().unwrap();
    let after = admin
        .admin("clock/advance", json!({"millis": 90_000}))
        .await["now"]
        .as_i64()
        .unwrap();
    assert_eq!(after - before, 90_000);
}

#[tokio::test]
async fn stats_count_control_requests() {
    let admin = Admin::start(config()).await;
    let (token, _) = admin.sim.mint_tokens();
    for _ in 0..3 {
        admin.control(&token, "households").await;
    }
    let stats: Value = admin
        .http
        .get(format!("{}/sim/admin/stats", admin.sim.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["controlRequests"], 3);
}

#[tokio::test]
async fn artwork_is_served_and_paths_cannot_escape() {
    let admin = Admin::start(config()).await;
    let ok = admin
        .http
        .get(format!("{}/sim/art/album-0.svg", admin.sim.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["content-type"], "image/svg+xml");
    assert!(ok.text().await.unwrap().starts_with("<svg"));
    for bad in ["album-99x.svg", "..%2F..%2Fetc%2Fpasswd.svg", "album-0.png"] {
        assert_eq!(
            admin
                .http
                .get(format!("{}/sim/art/{bad}", admin.sim.url))
                .send()
                .await
                .unwrap()
                .status(),
            404,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn the_index_page_says_what_is_served() {
    let admin = Admin::start(config()).await;
    let page = admin
        .http
        .get(&admin.sim.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("/control/api/v1")
            && page.contains("/login/v3/oauth")
            && page.contains("Living Room")
    );
}

#[tokio::test]
async fn the_callback_page_shows_what_came_back_escaped() {
    let admin = Admin::start(config()).await;
    let page = admin
        .http
        .get(format!(
            "{}/sim/callback?state=s&code=<b>c</b>",
            admin.sim.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["cache-control"], "no-store");
    let text = page.text().await.unwrap();
    assert!(
        text.contains("Sign-in allowed")
            && text.contains("&lt;b&gt;c&lt;/b&gt;")
            && !text.contains("<b>c</b>")
    );
    let denied = admin
        .http
        .get(format!(
            "{}/sim/callback?state=s&error=access_denied",
            admin.sim.url
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(denied.contains("not allowed"));
}
