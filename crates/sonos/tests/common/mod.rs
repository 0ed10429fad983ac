//! Shared setup of the contract tests: a simulator on loopback and a client signed in to it.
#![allow(dead_code)]

use roomtone_sim::testing::{config, TestSim};
use roomtone_sonos::models::{Group, Groups, Player};
use roomtone_sonos::{AccessToken, Client, HouseholdId, RetryPolicy, StaticToken};
use std::sync::Arc;

/// A simulator, a client with a valid token, and the main household as it starts.
pub struct Setup {
    pub sim: TestSim,
    pub client: Client,
    pub household: HouseholdId,
    pub groups: Groups,
}

impl Setup {
    pub async fn new() -> Self {
        Self::with(config()).await
    }

    pub async fn with(config: roomtone_sim::config::Config) -> Self {
        let sim = TestSim::start(config).await;
        let client = client_for(&sim, RetryPolicy::none());
        let households = client.households().list().await.expect("households");
        let household = households.households[0].id.clone();
        let groups = client.groups().list(&household).await.expect("groups");
        Self {
            sim,
            client,
            household,
            groups,
        }
    }

    /// The group whose coordinator is the room `name`.
    pub fn group(&self, name: &str) -> Group {
        let player = self.player(name);
        self.groups
            .groups
            .iter()
            .find(|g| g.coordinator_id == player.id)
            .cloned()
            .unwrap_or_else(|| panic!("no group led by {name}"))
    }

    /// The player named `name`.
    pub fn player(&self, name: &str) -> Player {
        self.groups
            .players
            .iter()
            .find(|p| p.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("no player {name}"))
    }

    /// The live subscriptions in the simulator, as `namespace target` strings.
    pub fn subscriptions(&self) -> Vec<String> {
        let now = self.sim.clock.now();
        self.sim
            .sim
            .world()
            .subscriptions
            .list(now)
            .iter()
            .map(|s| format!("{} {}", s.namespace, s.target_value))
            .collect()
    }

    /// The current groups.
    pub async fn reload(&mut self) -> &Groups {
        self.groups = self
            .client
            .groups()
            .list(&self.household)
            .await
            .expect("groups");
        &self.groups
    }
}

/// A client of `sim` with a freshly minted token.
pub fn client_for(sim: &TestSim, retry: RetryPolicy) -> Client {
    let (access, _) = sim.mint_tokens();
    Client::builder(Arc::new(StaticToken::new(AccessToken::new(access))))
        .base_url(sim.control_url())
        .retry(retry)
        .build()
        .expect("client")
}

/// The errorCode of a Sonos error, as text.
pub fn code(err: &roomtone_sonos::Error) -> String {
    err.error_code()
        .map(|c| c.to_string())
        .unwrap_or_else(|| format!("{err:?}"))
}
