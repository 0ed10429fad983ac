//! `signed-in`: what a signed-in start finds, made for `bench/start.sh` as a run before it
//! would leave it: tokens in the OS keychain for the configuration in the environment (the
//! app's own entries, `roomtone_core::store::DEFAULT_SERVICE`), and the household Sonos
//! last described (the demo household, read by a core signed in to the demo cloud) in the
//! app's cache file.

use crate::sim::Failure;
use crate::world::InProcess;
use roomtone_core::{Config, KeychainStore, StoredTokens, TokenStore};
use roomtone_sonos::secret::{AccessToken, RefreshToken};
use std::path::Path;
use std::time::{Duration, SystemTime};

pub async fn prepare(cache: &Path) -> Result<(), Failure> {
    let config = Config::from_env()?;
    let world = InProcess::start(None).await?;
    let mut live = world.controller.watch();
    let households = live
        .wait_for(|l| l.groups().next().is_some())
        .await?
        .households
        .clone();
    if let Some(folder) = cache.parent() {
        std::fs::create_dir_all(folder)?;
    }
    std::fs::write(cache, serde_json::to_vec(&households)?)?;
    KeychainStore::new(roomtone_core::store::DEFAULT_SERVICE).save(&StoredTokens {
        access_token: AccessToken::new("bench-access-token"),
        refresh_token: RefreshToken::new("bench-refresh-token"),
        expires_at: SystemTime::now() + Duration::from_secs(3600),
        issuer: Some(config.issuer()),
    })?;
    println!(
        "signed in for {} with {} households in {}",
        config.issuer(),
        households.len(),
        cache.display()
    );
    Ok(())
}
