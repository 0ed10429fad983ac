//! The Control API client: base URL, bearer tokens, timeouts, retries and error mapping.
//!
//! Every call goes through [`Client::send`]: it takes a token from the [`TokenSource`], sends
//! the request, turns any non-2xx into one typed [`Error`], trades a 401 for one fresh token
//! and one retry, and retries transient failures (429, 5xx, 499 `ERROR_COMMAND_FAILED`,
//! transport errors) with exponential backoff and jitter — only for calls that are safe to
//! repeat, and only within a bounded count and total time.

use crate::error::{excerpt, Error, Result};
use crate::models::{Empty, ErrorCode, GlobalError};
use crate::secret::{AccessToken, Secret};
use async_trait::async_trait;
use rand::Rng;
use reqwest::{header, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use url::Url;

/// The real Control API.
pub const DEFAULT_CONTROL_URL: &str = "https://api.ws.sonos.com/control/api/v1";

/// Where the client gets its bearer tokens.
///
/// The core implements this over its token store: it hands out the current token, refreshes
/// before expiry, and after a 401 refreshes once however many calls saw it.
#[async_trait]
pub trait TokenSource: Send + Sync {
    /// The access token to send now.
    async fn access_token(&self) -> Result<AccessToken>;

    /// Sonos refused `refused` with a 401. Return a different, fresh token to retry the call
    /// once, or an error to give up. The default gives up.
    async fn refresh_after_unauthorized(&self, refused: &AccessToken) -> Result<AccessToken> {
        let _ = refused;
        Err(Error::Unauthorized)
    }
}

/// A fixed token, for scripts and tests. A 401 is final.
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// Uses `token` for every call.
    pub fn new(token: AccessToken) -> Self {
        Self(token)
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken([redacted])")
    }
}

#[async_trait]
impl TokenSource for StaticToken {
    async fn access_token(&self) -> Result<AccessToken> {
        Ok(self.0.clone())
    }
}

/// How transient failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying.
    pub max_retries: u32,
    /// The first backoff; each next one doubles, with jitter.
    pub base_delay: Duration,
    /// No single wait is longer than this.
    pub max_delay: Duration,
    /// No retry starts after this much time since the first attempt.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(4),
            max_total: Duration::from_secs(15),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (0-based): exponential, capped, with jitter in
    /// the upper half so concurrent clients spread out but never retry at once.
    fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_delay);
        let half = exp / 2;
        half + exp.mul_f64(rand::thread_rng().gen_range(0.0..=0.5))
    }
}

/// Builds a [`Client`].
pub struct ClientBuilder {
    base_url: String,
    timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    tokens: Arc<dyn TokenSource>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The Control API base URL, e.g. the simulator's `http://127.0.0.1:PORT/control/api/v1`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Timeout of one request, connection included. Default 10 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How transient failures are retried. Default: [`RetryPolicy::default`].
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The `User-Agent` header, which Sonos recommends.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let mut base = Url::parse(&self.base_url)
            .map_err(|e| Error::Url(format!("{}: {e}", self.base_url)))?;
        if base.cannot_be_a_base() || !crate::secure_or_loopback(&base) {
            return Err(Error::Url(format!(
                "{} must be an HTTPS base URL (plain HTTP only to this computer)",
                self.base_url
            )));
        }
        base.path_segments_mut()
            .map_err(|()| Error::Url(self.base_url.clone()))?
            .pop_if_empty();
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(self.user_agent)
            .build()
            .map_err(Error::Transport)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                retry: self.retry,
                tokens: self.tokens,
            }),
        })
    }
}

/// A Control API client. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// Never follows redirects: a redirect from Sonos is an error, not a new destination.
    http: reqwest::Client,
    /// The Control API root, without a trailing slash.
    base: Url,
    retry: RetryPolicy,
    tokens: Arc<dyn TokenSource>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base.as_str())
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// One Control API call, described before it is sent (and re-sent).
pub(crate) struct Call {
    pub method: Method,
    /// Path segments after the base URL, unescaped.
    pub segments: Vec<String>,
    pub body: Option<serde_json::Value>,
    /// Whether sending it twice has the same effect as once.
    pub idempotent: bool,
    /// What the call targets, for [`Error::Gone`].
    pub target: String,
    /// The Sonos type of a 2xx body, for [`Error::Decode`].
    pub expected: &'static str,
    /// Whether a 499 `ERROR_COMMAND_FAILED` may be retried. Not for volume changes, where
    /// it is a fixed-volume player's permanent refusal.
    pub retry_command_failed: bool,
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No body: a request body may carry a credential (an audio clip's httpAuthorization).
        f.debug_struct("Call")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("idempotent", &self.idempotent)
            .finish_non_exhaustive()
    }
}

impl Call {
    pub fn get(target: String, segments: Vec<String>, expected: &'static str) -> Self {
        Self {
            method: Method::GET,
            segments,
            body: None,
            idempotent: true,
            target,
            expected,
            retry_command_failed: true,
        }
    }

    pub fn post(target: String, segments: Vec<String>, idempotent: bool) -> Self {
        Self {
            method: Method::POST,
            segments,
            body: None,
            idempotent,
            target,
            expected: "none",
            retry_command_failed: true,
        }
    }

    pub fn delete(target: String, segments: Vec<String>) -> Self {
        Self {
            method: Method::DELETE,
            segments,
            body: None,
            idempotent: true,
            target,
            expected: "none",
            retry_command_failed: true,
        }
    }

    /// A 499 `ERROR_COMMAND_FAILED` is final for this call.
    pub fn final_on_command_failed(mut self) -> Self {
        self.retry_command_failed = false;
        self
    }

    fn retryable(&self, err: &Error) -> bool {
        let refused = matches!(err, Error::Sonos { status: 499, .. });
        self.idempotent && err.is_transient() && (self.retry_command_failed || !refused)
    }

    pub fn json(mut self, body: &impl Serialize) -> Self {
        self.body = Some(serde_json::to_value(body).expect("request models always serialize"));
        self
    }

    pub fn expecting(mut self, expected: &'static str) -> Self {
        self.expected = expected;
        self
    }
}

impl Client {
    /// A builder with the real Sonos URL and `tokens` as the source of bearer tokens.
    pub fn builder(tokens: Arc<dyn TokenSource>) -> ClientBuilder {
        ClientBuilder {
            base_url: DEFAULT_CONTROL_URL.to_owned(),
            timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            user_agent: concat!("Roomtone/", env!("CARGO_PKG_VERSION")).to_owned(),
            tokens,
        }
    }

    /// The Control API base URL in use.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// Escape hatch: `GET` any path below the base URL, decoded as raw JSON.
    pub async fn get_raw(&self, path: &str) -> Result<serde_json::Value> {
        let segments = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        self.send(Call::get(path.to_owned(), segments, "json"))
            .await
    }

    /// Escape hatch: `POST` a JSON body to any path below the base URL. Not retried.
    pub async fn post_raw(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value> {
        let segments = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        self.send(
            Call::post(path.to_owned(), segments, false)
                .json(body)
                .expecting("json"),
        )
        .await
    }

    /// Sends a call that answers `{}`.
    pub(crate) async fn send_ok(&self, call: Call) -> Result<()> {
        self.send::<Empty>(call).await.map(drop)
    }

    /// Sends `call`, refreshing once on 401 and retrying transient failures when allowed.
    pub(crate) async fn send<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let started = Instant::now();
        let policy = self.inner.retry;
        let mut token = self.inner.tokens.access_token().await?;
        let mut refreshed = false;
        let mut retries = 0;
        loop {
            match self.attempt(&call, &token).await {
                Err(Error::Unauthorized) if !refreshed => {
                    refreshed = true;
                    token = self.inner.tokens.refresh_after_unauthorized(&token).await?;
                }
                Err(err) if call.retryable(&err) && retries < policy.max_retries => {
                    let wait = match &err {
                        Error::RateLimited {
                            retry_after: Some(after),
                        } => *after,
                        _ => policy.backoff(retries),
                    };
                    if started.elapsed() + wait > policy.max_total {
                        return Err(err);
                    }
                    tracing::debug!(target = %call.target, error = %err, ?wait, "retrying Sonos call");
                    retries += 1;
                    tokio::time::sleep(wait).await;
                }
                result => return result,
            }
        }
    }

    async fn attempt<T: DeserializeOwned>(&self, call: &Call, token: &AccessToken) -> Result<T> {
        let mut url = self.inner.base.clone();
        url.path_segments_mut()
            .map_err(|()| Error::Url(self.inner.base.to_string()))?
            .extend(&call.segments);
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), url)
            .bearer_auth(token.expose());
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
        let body = response.bytes().await.map_err(transport)?;
        if status.is_success() {
            return decode(&body, call.expected);
        }
        Err(status_error(
            status,
            retry_after.as_ref(),
            &body,
            &call.target,
        ))
    }
}

fn transport(err: reqwest::Error) -> Error {
    if err.is_timeout() {
        Error::Timeout
    } else {
        Error::Transport(err)
    }
}

/// Decodes a 2xx body, treating an empty body as `{}` (subscribe may answer with nothing).
/// Decodes a 2xx body. An empty body counts as `{}` only for commands (`expected` is
/// `none`); for anything else it is a decode error, never an empty household.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8], expected: &'static str) -> Result<T> {
    let text: &[u8] = if expected == "none" && body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let mut de = serde_json::Deserializer::from_slice(text);
    serde_path_to_error::deserialize(&mut de).map_err(|err| Error::Decode {
        expected,
        path: err.path().to_string(),
        message: err.inner().to_string(),
        body: excerpt(body),
    })
}

/// Maps a non-2xx Control API answer to the error a caller can act on.
pub(crate) fn status_error(
    status: StatusCode,
    retry_after: Option<&header::HeaderValue>,
    body: &[u8],
    target: &str,
) -> Error {
    let envelope: Option<GlobalError> = serde_json::from_slice(body).ok();
    let code = envelope.as_ref().map(|e| e.error_code.clone());
    match status.as_u16() {
        401 => Error::Unauthorized,
        410 => Error::Gone {
            target: target.to_owned(),
            status: 410,
            error_code: code.unwrap_or(ErrorCode::ResourceGone),
        },
        404 if code == Some(ErrorCode::GroupChanged) || looks_like_coordinator_change(body) => {
            Error::Gone {
                target: target.to_owned(),
                status: 404,
                error_code: ErrorCode::GroupChanged,
            }
        }
        429 => Error::RateLimited {
            retry_after: retry_after.and_then(parse_retry_after),
        },
        other => Error::Sonos {
            status: other,
            reason: match &envelope {
                Some(e) => e.reason.clone(),
                None if body.is_empty() => None,
                None => Some(excerpt(body)),
            },
            error_code: code,
        },
    }
}

fn looks_like_coordinator_change(body: &[u8]) -> bool {
    serde_json::from_slice::<crate::models::GroupCoordinatorChanged>(body).is_ok()
}

/// `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &header::HeaderValue) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let secs = header::HeaderValue::from_static("7");
        assert_eq!(parse_retry_after(&secs), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(120);
        let date = header::HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap();
        let parsed = parse_retry_after(&date).unwrap();
        assert!(
            parsed <= Duration::from_secs(120) && parsed >= Duration::from_secs(110),
            "{parsed:?}"
        );
        let past = header::HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(parse_retry_after(&past), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after(&header::HeaderValue::from_static("soon")),
            None
        );
    }

    #[test]
    fn any_401_body_is_unauthorized() {
        for body in [
            &br#"{"fault":{"faultstring":"Invalid Access Token","detail":{"errorcode":"keymanagement.service.invalid_access_token"}}}"#[..],
            br#"{"error":"access_denied","error_description":"Invalid Token"}"#,
            b"Incorrect token",
            b"",
        ] {
            assert!(matches!(status_error(StatusCode::UNAUTHORIZED, None, body, "x"), Error::Unauthorized));
        }
    }

    #[test]
    fn stale_targets_are_gone() {
        let gone = status_error(
            StatusCode::GONE,
            None,
            br#"{"errorCode":"ERROR_RESOURCE_GONE"}"#,
            "group g",
        );
        assert!(matches!(
            gone,
            Error::Gone {
                status: 410,
                error_code: ErrorCode::ResourceGone,
                ..
            }
        ));
        let changed = status_error(
            StatusCode::NOT_FOUND,
            None,
            br#"{"errorCode":"ERROR_GROUP_CHANGED"}"#,
            "group g",
        );
        assert!(matches!(changed, Error::Gone { status: 404, .. }));
        let moved = status_error(
            StatusCode::NOT_FOUND,
            None,
            br#"{"groupStatus":"GROUP_STATUS_MOVED"}"#,
            "group g",
        );
        assert!(matches!(moved, Error::Gone { status: 404, .. }));
        let unsupported = status_error(
            StatusCode::NOT_FOUND,
            None,
            br#"{"errorCode":"ERROR_UNSUPPORTED_NAMESPACE"}"#,
            "player p",
        );
        assert!(matches!(
            unsupported,
            Error::Sonos {
                status: 404,
                error_code: Some(ErrorCode::UnsupportedNamespace),
                ..
            }
        ));
    }

    #[test]
    fn only_transient_failures_are_retryable() {
        let failed = |status, code| Error::Sonos {
            status,
            error_code: code,
            reason: None,
        };
        assert!(failed(500, None).is_transient());
        assert!(failed(503, None).is_transient());
        assert!(failed(499, Some(ErrorCode::CommandFailed)).is_transient());
        assert!(!failed(499, Some(ErrorCode::PlaybackFailed)).is_transient());
        assert!(!failed(400, Some(ErrorCode::InvalidParameter)).is_transient());
        assert!(Error::RateLimited { retry_after: None }.is_transient());
        assert!(!Error::Unauthorized.is_transient());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            max_retries: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_total: Duration::from_secs(10),
        };
        for retry in 0..10 {
            let exp = (Duration::from_millis(100) * 2u32.pow(retry)).min(Duration::from_secs(1));
            let wait = policy.backoff(retry);
            assert!(
                wait >= exp / 2 && wait <= exp,
                "retry {retry}: {wait:?} vs {exp:?}"
            );
        }
    }

    #[test]
    fn decode_errors_keep_the_path_and_the_body() {
        let err = decode::<crate::models::Groups>(
            br#"{"groups":[{"id":"g","coordinatorId":5}]}"#,
            "groups",
        )
        .unwrap_err();
        match err {
            Error::Decode {
                path,
                body,
                expected,
                ..
            } => {
                assert_eq!(path, "groups[0].coordinatorId");
                assert_eq!(expected, "groups");
                assert!(body.contains("coordinatorId"));
            }
            other => panic!("{other:?}"),
        }
        let long = vec![b'x'; 5000];
        match decode::<crate::models::Groups>(&long, "groups").unwrap_err() {
            Error::Decode { body, .. } => {
                assert!(body.chars().count() <= BODY_EXCERPT_PLUS_ELLIPSIS)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_calls_debug_leaves_out_its_body() {
        let call = Call::post("player p".into(), vec!["players".into()], false)
            .json(&serde_json::json!({"httpAuthorization": "Bearer stream-secret"}));
        let printed = format!("{call:?}");
        assert!(!printed.contains("stream-secret"), "{printed}");
    }

    const BODY_EXCERPT_PLUS_ELLIPSIS: usize = crate::error::BODY_EXCERPT + 1;
}
