//! Where Roomtone finds Sonos and the relay.
//!
//! Broker mode (the default) needs the relay's URL and the integration's client ID. Direct
//! mode — a person's own Sonos integration — adds the client secret and the redirect URI
//! registered with it; the relay is then not involved in sign-in at all.

use crate::error::{CoreError, Result};
use crate::session::{Clock, Refresher, Session};
use crate::signin::{Mode, SignIn};
use roomtone_sonos::broker::BrokerClient;
use roomtone_sonos::{Client, ClientSecret, LoginService};
use std::fmt;
use std::sync::Arc;

/// A person's own integration, for direct mode. The secret is redacted under `Debug`.
#[derive(Clone, Debug)]
pub struct Direct {
    pub secret: ClientSecret,
    pub redirect_uri: String,
}

/// See the module documentation.
#[derive(Clone)]
pub struct Config {
    pub client_id: String,
    /// The relay, for broker mode.
    pub relay_url: Option<String>,
    pub login_url: String,
    pub control_url: String,
    /// Set for direct mode.
    pub direct: Option<Direct>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("relay_url", &self.relay_url)
            .field("login_url", &self.login_url)
            .field("control_url", &self.control_url)
            .field("direct", &self.direct.as_ref().map(|d| &d.redirect_uri))
            .finish()
    }
}

/// The environment variables [`Config::from_env`] reads.
pub mod env {
    pub const CLIENT_ID: &str = "ROOMTONE_CLIENT_ID";
    pub const RELAY_URL: &str = "ROOMTONE_RELAY_URL";
    pub const LOGIN_URL: &str = "ROOMTONE_LOGIN_URL";
    pub const CONTROL_URL: &str = "ROOMTONE_CONTROL_URL";
    pub const CLIENT_SECRET: &str = "ROOMTONE_CLIENT_SECRET";
    pub const REDIRECT_URI: &str = "ROOMTONE_REDIRECT_URI";
}

impl Config {
    /// Reads the `ROOMTONE_*` variables of [`env`], failing with what is missing.
    pub fn from_env() -> Result<Self> {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let client_id = var(env::CLIENT_ID).ok_or_else(|| {
            CoreError::Local(format!(
                "{} is not set: the Sonos integration's client ID",
                env::CLIENT_ID
            ))
        })?;
        let direct = match (var(env::CLIENT_SECRET), var(env::REDIRECT_URI)) {
            (Some(secret), Some(redirect_uri)) => Some(Direct {
                secret: ClientSecret::new(secret),
                redirect_uri,
            }),
            (None, None) => None,
            _ => {
                return Err(CoreError::Local(format!(
                    "direct mode needs both {} and {}",
                    env::CLIENT_SECRET,
                    env::REDIRECT_URI
                )))
            }
        };
        let relay_url = var(env::RELAY_URL);
        if relay_url.is_none() && direct.is_none() {
            return Err(CoreError::Local(format!(
                "set {} (the relay), or {} and {} (direct mode)",
                env::RELAY_URL,
                env::CLIENT_SECRET,
                env::REDIRECT_URI
            )));
        }
        Ok(Self {
            client_id,
            relay_url,
            login_url: var(env::LOGIN_URL)
                .unwrap_or_else(|| roomtone_sonos::DEFAULT_LOGIN_URL.into()),
            control_url: var(env::CONTROL_URL)
                .unwrap_or_else(|| roomtone_sonos::DEFAULT_CONTROL_URL.into()),
            direct,
        })
    }

    fn login(&self) -> Result<LoginService> {
        Ok(LoginService::new(&self.login_url, self.client_id.clone())?)
    }

    fn relay(&self) -> Result<BrokerClient> {
        let url = self
            .relay_url
            .as_deref()
            .ok_or_else(|| CoreError::Local(format!("{} is not set", env::RELAY_URL)))?;
        Ok(BrokerClient::new(url)?)
    }

    /// How sign-ins finish: direct when configured, through the relay otherwise.
    pub fn sign_in(&self, clock: Arc<dyn Clock>) -> Result<Arc<SignIn>> {
        let mode = match &self.direct {
            Some(direct) => Mode::Direct {
                secret: direct.secret.clone(),
                redirect_uri: direct.redirect_uri.clone(),
            },
            None => Mode::Broker(self.relay()?),
        };
        Ok(SignIn::new(self.login()?, mode, clock))
    }

    /// How tokens are refreshed, likewise.
    pub fn refresher(&self) -> Result<Refresher> {
        Ok(match &self.direct {
            Some(direct) => Refresher::Direct {
                login: self.login()?,
                secret: direct.secret.clone(),
            },
            None => Refresher::Broker(self.relay()?),
        })
    }

    /// A Control API client whose tokens come from `session`.
    pub fn client(&self, session: Arc<Session>) -> Result<Client> {
        Ok(Client::builder(session)
            .base_url(&self.control_url)
            .build()?)
    }
}
