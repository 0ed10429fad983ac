//! The Sonos login service (REFERENCE §2): the authorize URL the browser opens, and the
//! token endpoint for both grants.
//!
//! Token calls go through the `oauth2` crate with HTTP Basic `client_id:client_secret` and a
//! form body, on an HTTP client that never follows redirects. The answer becomes a
//! [`TokenSet`] with an absolute expiry; on refresh, a returned refresh token replaces the
//! old one and a missing one keeps it.

use crate::error::{Error, Result};
use crate::secret::{AccessToken, AuthorizationCode, ClientSecret, RefreshToken, Secret};
use oauth2::basic::BasicClient;
use oauth2::{HttpClientError, RequestTokenError, TokenResponse};
use std::fmt;
use std::time::{Duration, SystemTime};
use url::Url;

/// The real login service.
pub const DEFAULT_LOGIN_URL: &str = "https://api.sonos.com/login/v3/oauth";

/// The only public scope.
pub const SCOPE: &str = "playback-control-all";

/// Used when the login service leaves `expires_in` out (it never has been seen to).
const FALLBACK_LIFETIME: Duration = Duration::from_secs(3600);

/// Tokens as the login service granted them, with an absolute expiry.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: AccessToken,
    pub refresh_token: RefreshToken,
    /// When the access token stops working, by the clock passed to the call.
    pub expires_at: SystemTime,
    /// The granted scope, e.g. `playback-control-all`.
    pub scope: Option<String>,
    /// Whether the login service returned a new refresh token (rotation).
    pub refresh_rotated: bool,
}

/// A client of the login service for one integration (client ID).
#[derive(Clone)]
pub struct LoginService {
    /// `…/login/v3/oauth`: the authorize endpoint; the token endpoint is `…/access` below it.
    authorize_url: Url,
    token_url: Url,
    client_id: String,
    /// Never follows redirects (a redirected token request could leak the secret or code).
    http: reqwest::Client,
}

impl fmt::Debug for LoginService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginService")
            .field("authorize_url", &self.authorize_url.as_str())
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl LoginService {
    /// A login service client at `base` (e.g. [`DEFAULT_LOGIN_URL`] or the simulator's).
    pub fn new(base: &str, client_id: impl Into<String>) -> Result<Self> {
        let authorize_url = Url::parse(base.trim_end_matches('/'))
            .map_err(|e| Error::Url(format!("{base}: {e}")))?;
        if !crate::secure_or_loopback(&authorize_url) {
            return Err(Error::Url(format!(
                "{base} must be an HTTPS URL (plain HTTP only to this computer)"
            )));
        }
        let token_url = Url::parse(&format!("{authorize_url}/access"))
            .map_err(|e| Error::Url(e.to_string()))?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("Roomtone/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(Error::Transport)?;
        Ok(Self {
            authorize_url,
            token_url,
            client_id: client_id.into(),
            http,
        })
    }

    /// The integration's client ID (the "key").
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The token endpoint, `…/login/v3/oauth/access`.
    pub fn token_url(&self) -> &Url {
        &self.token_url
    }

    /// The URL to open in the user's browser: exactly `client_id`, `response_type=code`,
    /// `state`, `scope=playback-control-all` and `redirect_uri`, in the documented order.
    pub fn authorize_url(&self, state: &str, redirect_uri: &str) -> Url {
        let mut url = self.authorize_url.clone();
        url.query_pairs_mut()
            .clear()
            .append_pair("client_id", &self.client_id)
            .append_pair("response_type", "code")
            .append_pair("state", state)
            .append_pair("scope", SCOPE)
            .append_pair("redirect_uri", redirect_uri);
        url
    }

    fn oauth(
        &self,
        secret: &ClientSecret,
    ) -> oauth2::Client<
        oauth2::basic::BasicErrorResponse,
        oauth2::basic::BasicTokenResponse,
        oauth2::basic::BasicTokenIntrospectionResponse,
        oauth2::StandardRevocableToken,
        oauth2::basic::BasicRevocationErrorResponse,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointSet,
    > {
        BasicClient::new(oauth2::ClientId::new(self.client_id.clone()))
            .set_client_secret(oauth2::ClientSecret::new(secret.expose().to_owned()))
            .set_auth_type(oauth2::AuthType::BasicAuth)
            .set_token_uri(oauth2::TokenUrl::from_url(self.token_url.clone()))
    }

    /// Trades an authorization code for tokens. `redirect_uri` must be the one the
    /// authorize URL carried. `now` is the caller's clock, for the absolute expiry.
    pub async fn exchange_code(
        &self,
        secret: &ClientSecret,
        code: &AuthorizationCode,
        redirect_uri: &str,
        now: SystemTime,
    ) -> Result<TokenSet> {
        let redirect = oauth2::RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|e| Error::Url(format!("redirect_uri: {e}")))?;
        let response = self
            .oauth(secret)
            .set_redirect_uri(redirect)
            .exchange_code(oauth2::AuthorizationCode::new(code.expose().to_owned()))
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        let refresh = response
            .refresh_token()
            .map(|t| RefreshToken::new(t.secret().clone()))
            .ok_or_else(|| Error::LoginProtocol("the token answer has no refresh_token".into()))?;
        token_set(&response, refresh, true, now)
    }

    /// Trades a refresh token for a new access token. A returned refresh token replaces
    /// `current`; without one, `current` stays in force.
    pub async fn refresh(
        &self,
        secret: &ClientSecret,
        current: &RefreshToken,
        now: SystemTime,
    ) -> Result<TokenSet> {
        let presented = oauth2::RefreshToken::new(current.expose().to_owned());
        let response = self
            .oauth(secret)
            .exchange_refresh_token(&presented)
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        let (refresh, rotated) = match response.refresh_token() {
            Some(new) if new.secret() != current.expose() => {
                (RefreshToken::new(new.secret().clone()), true)
            }
            _ => (current.clone(), false),
        };
        token_set(&response, refresh, rotated, now)
    }
}

/// When tokens granted at `now` for `lifetime` expire. A lifetime past what a clock can
/// hold (a hostile or broken `expires_in`) is an error, never a panic.
pub fn expiry(now: SystemTime, lifetime: Duration) -> Result<SystemTime> {
    now.checked_add(lifetime).ok_or_else(|| {
        Error::LoginProtocol(format!(
            "a token lifetime of {} s is out of range",
            lifetime.as_secs()
        ))
    })
}

fn token_set(
    response: &oauth2::basic::BasicTokenResponse,
    refresh_token: RefreshToken,
    refresh_rotated: bool,
    now: SystemTime,
) -> Result<TokenSet> {
    Ok(TokenSet {
        access_token: AccessToken::new(response.access_token().secret().clone()),
        refresh_token,
        expires_at: expiry(now, response.expires_in().unwrap_or(FALLBACK_LIFETIME))?,
        scope: response.scopes().map(|scopes| {
            scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }),
        refresh_rotated,
    })
}

/// Maps an oauth2 failure. A parse failure never carries the body: a 200 answer that failed
/// to decode may still contain tokens.
fn token_error(
    err: RequestTokenError<HttpClientError<reqwest::Error>, oauth2::basic::BasicErrorResponse>,
) -> Error {
    match err {
        RequestTokenError::ServerResponse(body) => Error::Login {
            error: body.error().to_string(),
            description: body.error_description().cloned(),
        },
        RequestTokenError::Request(HttpClientError::Reqwest(e)) if e.is_timeout() => Error::Timeout,
        RequestTokenError::Request(HttpClientError::Reqwest(e)) => Error::Transport(*e),
        RequestTokenError::Request(other) => Error::LoginProtocol(other.to_string()),
        RequestTokenError::Parse(e, _body) => Error::LoginProtocol(format!(
            "could not read the answer at `{}`: {}",
            e.path(),
            e.inner()
        )),
        RequestTokenError::Other(message) => Error::LoginProtocol(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_url_matches_the_documented_example() {
        // The example button of the Authorize guide (seed 004).
        let login = LoginService::new(DEFAULT_LOGIN_URL, "YourAPIKeyGoesHEre").unwrap();
        let url = login.authorize_url(
            "testState",
            "https://acme.example.com/login/testclient/authorized.html",
        );
        assert_eq!(
            url.as_str(),
            "https://api.sonos.com/login/v3/oauth?client_id=YourAPIKeyGoesHEre&response_type=code&state=testState&scope=playback-control-all&redirect_uri=https%3A%2F%2Facme.example.com%2Flogin%2Ftestclient%2Fauthorized.html"
        );
        assert_eq!(
            login.token_url().as_str(),
            "https://api.sonos.com/login/v3/oauth/access"
        );
    }

    #[test]
    fn authorize_url_escapes_state() {
        let login = LoginService::new("http://127.0.0.1:9/login/v3/oauth/", "key").unwrap();
        let url = login.authorize_url("a&b=c d", "https://relay.example/oauth/callback");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs[2], ("state".into(), "a&b=c d".into()));
        assert_eq!(pairs.len(), 5);
        assert_eq!(url.path(), "/login/v3/oauth");
    }

    #[test]
    fn rejects_non_http_bases() {
        assert!(LoginService::new("file:///etc/passwd", "k").is_err());
        assert!(LoginService::new("not a url", "k").is_err());
    }
}
