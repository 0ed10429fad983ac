//! What every request of the relay shares: its configuration, the login service, the
//! broker codes' sealer, the event hub and the limits.

use crate::config::Config;
use crate::limits::Limiter;
use crate::seal::{Sealer, UsedCodes};
use crate::{bus, hub, oauth};
use roomtone_sonos::LoginService;
use std::sync::Arc;
use std::time::SystemTime;

/// The time source; tests move it.
pub type Now = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Everything a request needs.
pub struct RelayState {
    pub config: Config,
    /// The Sonos login service, for code exchange and refresh.
    pub login: LoginService,
    pub(crate) sealer: Sealer,
    pub(crate) used: UsedCodes,
    pub(crate) limiter: Limiter,
    pub(crate) now: Now,
    /// Sonos events in, event streams out.
    pub hub: Arc<hub::Hub>,
    /// The event streams' limits and caches.
    pub(crate) streams: hub::stream::Streams,
}

impl std::fmt::Debug for RelayState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl RelayState {
    /// A relay for `config`, with the wall clock.
    pub fn new(config: Config) -> Result<Arc<Self>, roomtone_sonos::Error> {
        Self::with_clock(config, Arc::new(SystemTime::now))
    }

    /// A relay for `config`, with `now` as its clock.
    pub fn with_clock(config: Config, now: Now) -> Result<Arc<Self>, roomtone_sonos::Error> {
        let login = LoginService::new(&config.login_url, config.client_id.clone())?;
        Ok(Arc::new(Self {
            sealer: Sealer::new(&config.seal_key),
            used: UsedCodes::default(),
            limiter: Limiter::new(config.rate_limit),
            streams: hub::stream::Streams::new(&config.event_limits),
            hub: match &config.redis {
                Some(client) => hub::Hub::with_redis(
                    config.event_limits,
                    client.clone(),
                    bus::bus_key(&config.seal_key),
                ),
                None => Arc::new(hub::Hub::new(config.event_limits)),
            },
            login,
            now,
            config,
        }))
    }

    /// The redirect URI registered with Sonos: `<public-url>/oauth/callback`.
    pub fn redirect_uri(&self) -> String {
        self.config.redirect_uri()
    }

    pub(crate) fn unix_now(&self) -> u64 {
        oauth::unix((self.now)())
    }
}
