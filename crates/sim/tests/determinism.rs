//! Simulator rules: the same seed gives the same household and tokens; another seed differs.

use roomtone_sim::config::Config;
use roomtone_sim::testing::{config, TestSim};
use serde_json::Value;

async fn snapshot(seed: u64) -> (Value, String) {
    let sim = TestSim::start(Config { seed, ..config() }).await;
    let state: Value = reqwest::get(format!("{}/sim/admin/state", sim.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (token, _) = sim.mint_tokens();
    // Artwork URLs name the simulator's own (random) port; the world is the rest.
    let households = state["households"].to_string().replace(&sim.url, "SIM");
    (serde_json::from_str(&households).unwrap(), token)
}

#[tokio::test]
async fn the_same_seed_gives_the_same_world() {
    let (a, token_a) = snapshot(42).await;
    let (b, token_b) = snapshot(42).await;
    assert_eq!(a, b);
    assert_eq!(token_a, token_b);
    let (c, token_c) = snapshot(43).await;
    assert_ne!(a[0]["id"], c[0]["id"]);
    assert_ne!(token_a, token_c);
}

#[tokio::test]
async fn the_household_is_believable() {
    let (households, _) = snapshot(1).await;
    let main = &households[0];
    assert!(main["players"].as_array().unwrap().len() >= 6);
    assert!(main["players"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["fixed"] == true));
    assert_eq!(
        households.as_array().unwrap().len(),
        2,
        "a second household"
    );
}
