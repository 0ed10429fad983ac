//! The simulator as the measurements reach it from outside: sign-ins' tokens it mints, and a
//! phone (another Sonos app) on its Control API. Also [`Failure`], what every measurement
//! returns.

use roomtone_sonos::{AccessToken, Client, StaticToken};
use serde_json::Value;
use std::sync::Arc;

pub type Failure = Box<dyn std::error::Error + Send + Sync>;

/// A sign-in's tokens minted by the simulator at `sim`: `kind` is `access_token` or
/// `refresh_token`.
pub async fn mint_token(http: &reqwest::Client, sim: &str, kind: &str) -> Result<String, Failure> {
    let tokens: Value = http
        .post(format!("{sim}/sim/admin/tokens"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(tokens[kind]
        .as_str()
        .ok_or_else(|| format!("the simulator minted no {kind}"))?
        .to_owned())
}

/// A Sonos access token of the simulator at `sim`, as another phone or an app would have.
pub async fn mint(http: &reqwest::Client, sim: &str) -> Result<String, Failure> {
    mint_token(http, sim, "access_token").await
}

pub fn phone(sim: &str, token: String) -> Result<Client, Failure> {
    Ok(
        Client::builder(Arc::new(StaticToken::new(AccessToken::new(token))))
            .base_url(format!("{sim}/control/api/v1"))
            .build()?,
    )
}
