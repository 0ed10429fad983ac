//! The relay's configuration.

use crate::limits::RateLimit;
use roomtone_sonos::ClientSecret;
use std::time::Duration;
use url::Url;

/// Broker codes live at most this long.
pub const MAX_BROKER_CODE_TTL: Duration = Duration::from_secs(300);

/// See the module documentation.
#[derive(Clone)]
pub struct Config {
    /// Where the relay is reached from the internet, e.g. `https://relay.roomtone.app`.
    pub public_url: Url,
    /// The Sonos integration's client ID.
    pub client_id: String,
    /// The client secret; `None` runs redirect-only.
    pub client_secret: Option<ClientSecret>,
    /// The Sonos login service (the simulator's in tests).
    pub login_url: String,
    /// The Sonos Control API, for the event stream's household checks.
    pub control_url: String,
    /// The app's URL scheme.
    pub app_scheme: String,
    /// How long a broker code can be traded (at most 5 minutes).
    pub broker_code_ttl: Duration,
    /// The key broker codes are sealed with.
    pub seal_key: [u8; 32],
    /// Per-address limits on the token endpoints.
    pub rate_limit: RateLimit,
    /// Read the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// The event stream's limits and timings.
    pub event_limits: crate::hub::EventLimits,
    /// Redis shared by several instances ([`crate::bus`]); `None` keeps it all in memory.
    pub redis: Option<redis::Client>,
    /// How long a client may take to send its request line and headers.
    pub header_read_timeout: Duration,
    /// Open connections per client address (IPv6 per /64); not applied behind a trusted
    /// proxy, where every connection is the proxy's.
    pub connections_per_ip: usize,
    /// A token that lets a monitor read `GET /events/stats` from elsewhere than loopback.
    pub stats_token: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("public_url", &self.public_url.as_str())
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("login_url", &self.login_url)
            .field("control_url", &self.control_url)
            .field("broker_code_ttl", &self.broker_code_ttl)
            .field("rate_limit", &self.rate_limit)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("event_limits", &self.event_limits)
            .field("redis", &self.redis.as_ref().map(|_| "[set]"))
            .field("header_read_timeout", &self.header_read_timeout)
            .field("connections_per_ip", &self.connections_per_ip)
            .field(
                "stats_token",
                &self.stats_token.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

impl Config {
    /// A configuration with defaults for everything but the essentials.
    pub fn new(
        public_url: Url,
        client_id: impl Into<String>,
        client_secret: Option<ClientSecret>,
    ) -> Self {
        Self {
            public_url,
            client_id: client_id.into(),
            client_secret,
            login_url: roomtone_sonos::DEFAULT_LOGIN_URL.into(),
            control_url: roomtone_sonos::DEFAULT_CONTROL_URL.into(),
            app_scheme: "roomtone".into(),
            broker_code_ttl: MAX_BROKER_CODE_TTL,
            seal_key: crate::seal::Sealer::random_key(),
            rate_limit: RateLimit::default(),
            trust_forwarded_for: false,
            event_limits: crate::hub::EventLimits::default(),
            redis: None,
            header_read_timeout: Duration::from_secs(10),
            stats_token: None,
            connections_per_ip: 256,
        }
    }

    /// `<public-url>/oauth/callback`, the redirect URI to register with Sonos.
    pub fn redirect_uri(&self) -> String {
        let mut url = self.public_url.clone();
        url.path_segments_mut()
            .expect("public URL is a base")
            .pop_if_empty()
            .extend(["oauth", "callback"]);
        url.to_string()
    }
}
