//! Where Roomtone finds Sonos and the relay.
//!
//! Broker mode (the default) needs the relay's URL and the integration's client ID. Direct
//! mode — a person's own Sonos integration — adds the client secret and the redirect URI
//! registered with it; the relay is then not involved in sign-in at all.

use crate::error::{CoreError, Result};
use crate::session::{Clock, Refresher, Session};
use crate::signin::{Mode, SignIn};
use crate::store::Issuer;
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
    /// The relay whose event stream to follow when it is not `relay_url`: direct mode has no
    /// stream unless this is set (its tokens are for the person's own integration, and go to
    /// no relay but the one named here).
    pub events_url: Option<String>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("relay_url", &self.relay_url)
            .field("login_url", &self.login_url)
            .field("control_url", &self.control_url)
            .field("direct", &self.direct.as_ref().map(|d| &d.redirect_uri))
            .field("events_url", &self.events_url)
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
    pub const EVENTS_URL: &str = "ROOMTONE_EVENTS_URL";
}

/// What a settings file (or a build) can set; the environment wins over it. A client
/// secret is never here: it comes from the environment or the keychain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub client_id: Option<String>,
    pub relay_url: Option<String>,
    /// Direct mode: the redirect URI registered with a person's own integration.
    pub redirect_uri: Option<String>,
}

impl Overrides {
    /// Defaults built in with `ROOMTONE_DEFAULT_CLIENT_ID` and `ROOMTONE_DEFAULT_RELAY_URL`
    /// set at compile time (a release build of the app names its integration and relay).
    pub fn built_in() -> Self {
        let set = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(Into::into);
        Self {
            client_id: set(option_env!("ROOMTONE_DEFAULT_CLIENT_ID")),
            relay_url: set(option_env!("ROOMTONE_DEFAULT_RELAY_URL")),
            redirect_uri: None,
        }
    }

    /// `self`, with what it leaves unset taken from `fallback`.
    pub fn or(self, fallback: Overrides) -> Overrides {
        Overrides {
            client_id: self.client_id.or(fallback.client_id),
            relay_url: self.relay_url.or(fallback.relay_url),
            redirect_uri: self.redirect_uri.or(fallback.redirect_uri),
        }
    }
}

impl Config {
    /// Reads the `ROOMTONE_*` variables of [`env`] over the built-in defaults, failing with
    /// what is missing.
    pub fn from_env() -> Result<Self> {
        Self::resolve(
            |name| std::env::var(name).ok(),
            &Overrides::built_in(),
            || Ok(None),
        )
    }

    /// The configuration from the environment (`var`), then `settings`, where a direct-mode
    /// secret missing from the environment comes from `secret` (the keychain).
    pub fn resolve(
        var: impl Fn(&str) -> Option<String>,
        settings: &Overrides,
        secret: impl FnOnce() -> Result<Option<ClientSecret>>,
    ) -> Result<Self> {
        let var = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let client_id = var(env::CLIENT_ID)
            .or_else(|| settings.client_id.clone())
            .ok_or_else(|| {
                CoreError::Local(format!(
                    "no Sonos integration is configured: set {} (or clientId in the settings file)",
                    env::CLIENT_ID
                ))
            })?;
        let redirect_uri = var(env::REDIRECT_URI).or_else(|| settings.redirect_uri.clone());
        let direct = match (var(env::CLIENT_SECRET), redirect_uri) {
            (Some(secret), Some(redirect_uri)) => Some(Direct {
                secret: ClientSecret::new(secret),
                redirect_uri,
            }),
            (None, Some(redirect_uri)) => Some(Direct {
                secret: secret()?.ok_or_else(|| {
                    CoreError::Local(format!(
                        "direct mode needs your integration's client secret: keep it in the keychain with `roomtone-cli direct set`, or set {}",
                        env::CLIENT_SECRET
                    ))
                })?,
                redirect_uri,
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(CoreError::Local(format!(
                    "direct mode needs both {} and {} (or redirectUri in the settings file)",
                    env::CLIENT_SECRET,
                    env::REDIRECT_URI
                )))
            }
        };
        let relay_url = var(env::RELAY_URL).or_else(|| settings.relay_url.clone());
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
            events_url: var(env::EVENTS_URL),
        })
    }

    /// The service this configuration signs in to, stored with its tokens.
    pub fn issuer(&self) -> Issuer {
        Issuer {
            client_id: self.client_id.clone(),
            login_url: self.login_url.clone(),
            control_url: self.control_url.clone(),
            relay_url: match self.direct {
                Some(_) => None,
                None => self.relay_url.clone(),
            },
        }
    }

    /// The event stream to follow: `<relay>/events/stream` of `events_url`, else of the
    /// sign-in's relay in broker mode; none in direct mode without `events_url`. The relay's
    /// URL is checked as the broker client checks it (HTTPS, plain HTTP only to this
    /// computer) and the path is joined by segments, keeping a path prefix.
    pub fn events_stream(&self) -> Result<Option<url::Url>> {
        let relay = match (&self.events_url, &self.direct) {
            (Some(url), _) => url,
            (None, Some(_)) => return Ok(None),
            (None, None) => match &self.relay_url {
                Some(url) => url,
                None => return Ok(None),
            },
        };
        let relay = BrokerClient::new(relay)
            .map_err(|e| CoreError::Local(format!("the event stream's relay {relay:?}: {e}")))?;
        Ok(Some(relay.endpoint("events/stream")))
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

#[cfg(test)]
mod tests {
    use super::*;
    use roomtone_sonos::Secret;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn file(client_id: &str, relay_url: &str) -> Overrides {
        Overrides {
            client_id: Some(client_id.into()),
            relay_url: Some(relay_url.into()),
            redirect_uri: None,
        }
    }

    fn direct_vars(extra: &[(&'static str, &'static str)]) -> Config {
        let mut pairs = vec![
            (env::CLIENT_ID, "mine"),
            (env::CLIENT_SECRET, "secret"),
            (env::REDIRECT_URI, "https://me.example/callback"),
        ];
        pairs.extend_from_slice(extra);
        let built_in = file("built-in-id", "https://relay.example");
        Config::resolve(vars(&pairs), &built_in, || Ok(None)).unwrap()
    }

    #[test]
    fn direct_mode_opens_no_event_stream_unless_one_is_named() {
        // A relay compiled in (as a release build has) is not where a direct sign-in's
        // tokens go.
        let config = direct_vars(&[]);
        assert_eq!(config.relay_url.as_deref(), Some("https://relay.example"));
        assert!(config.direct.is_some());
        assert_eq!(config.events_stream().unwrap(), None);
        let config = direct_vars(&[(env::EVENTS_URL, "https://mine.example/relay/")]);
        assert_eq!(
            config.events_stream().unwrap().unwrap().as_str(),
            "https://mine.example/relay/events/stream"
        );
    }

    #[test]
    fn the_stream_keeps_the_relays_path_and_needs_https() {
        let broker = |relay: &str| {
            Config::resolve(vars(&[]), &file("id", relay), || Ok(None))
                .unwrap()
                .events_stream()
        };
        // `Url::join` would drop the prefix without a trailing slash.
        assert_eq!(
            broker("https://example.com/roomtone")
                .unwrap()
                .unwrap()
                .as_str(),
            "https://example.com/roomtone/events/stream"
        );
        assert_eq!(
            broker("http://127.0.0.1:4000").unwrap().unwrap().as_str(),
            "http://127.0.0.1:4000/events/stream"
        );
        let err = broker("http://relay.example").unwrap_err().to_string();
        assert!(err.contains("HTTPS"), "{err}");
        let err = direct_vars(&[(env::EVENTS_URL, "http://evil.example")])
            .events_stream()
            .unwrap_err();
        assert!(err.to_string().contains("HTTPS"), "{err}");
    }

    #[test]
    fn the_environment_wins_over_the_settings_file_which_wins_over_the_build() {
        let built_in = file("built-in-id", "https://built-in.example");
        let settings = file("file-id", "https://file.example").or(built_in.clone());
        let config = Config::resolve(
            vars(&[(env::RELAY_URL, "https://env.example")]),
            &settings,
            || Ok(None),
        )
        .unwrap();
        assert_eq!(config.client_id, "file-id");
        assert_eq!(config.relay_url.as_deref(), Some("https://env.example"));
        let config =
            Config::resolve(vars(&[]), &Overrides::default().or(built_in), || Ok(None)).unwrap();
        assert_eq!(config.client_id, "built-in-id");
        assert_eq!(
            config.relay_url.as_deref(),
            Some("https://built-in.example")
        );
    }

    #[test]
    fn nothing_configured_says_what_to_set() {
        let err = Config::resolve(vars(&[]), &Overrides::default(), || Ok(None)).unwrap_err();
        assert!(err.to_string().contains(env::CLIENT_ID), "{err}");
        let err = Config::resolve(
            vars(&[(env::CLIENT_ID, "id")]),
            &Overrides::default(),
            || Ok(None),
        )
        .unwrap_err();
        assert!(err.to_string().contains(env::RELAY_URL), "{err}");
    }

    #[test]
    fn direct_mode_from_the_settings_file_takes_the_secret_from_the_keychain() {
        let settings = Overrides {
            client_id: Some("mine".into()),
            relay_url: None,
            redirect_uri: Some("https://me.example/callback".into()),
        };
        let config = Config::resolve(vars(&[]), &settings, || {
            Ok(Some(ClientSecret::new("from-keychain".to_owned())))
        })
        .unwrap();
        let direct = config.direct.expect("direct mode");
        assert_eq!(direct.redirect_uri, "https://me.example/callback");
        assert_eq!(direct.secret.expose(), "from-keychain");
        let err = Config::resolve(vars(&[]), &settings, || Ok(None)).unwrap_err();
        assert!(err.to_string().contains("roomtone-cli direct set"), "{err}");
        // The secret never shows in Debug.
        let config = Config::resolve(vars(&[(env::CLIENT_SECRET, "s3cret")]), &settings, || {
            Ok(None)
        })
        .unwrap();
        assert!(!format!("{config:?}").contains("s3cret"));
    }
}
