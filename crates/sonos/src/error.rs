//! One error type that lets callers act on what went wrong.
//!
//! The variants are cut by what a caller does next, not by where the failure happened:
//! refresh and retry ([`Error::Unauthorized`]), re-read the groups ([`Error::Gone`]), wait
//! ([`Error::RateLimited`]), explain ([`Error::Sonos`]), or report a bug or an API change
//! ([`Error::Decode`]).

use crate::models::ErrorCode;
use std::time::Duration;

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How much of a body an error keeps, so a huge page can't flood a log.
pub(crate) const BODY_EXCERPT: usize = 512;

/// Everything a call to Sonos can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request never got an HTTP answer: DNS, connection refused or reset, TLS.
    #[error("could not reach Sonos: {0}")]
    Transport(#[source] reqwest::Error),

    /// No answer within the request timeout.
    #[error("Sonos did not answer in time")]
    Timeout,

    /// HTTP 401, whatever its body: the access token is expired, revoked or wrong.
    #[error(
        "Sonos refused the access token (HTTP 401); sign in again if refreshing does not help"
    )]
    Unauthorized,

    /// The target no longer exists: a stale group ID (410 `ERROR_RESOURCE_GONE`,
    /// 404 `ERROR_GROUP_CHANGED`) or a player that left. Re-read the groups.
    #[error("the {target} no longer exists on Sonos ({status} {error_code})")]
    Gone {
        /// What the request targeted, e.g. `group RINCON_…:3`.
        target: String,
        /// 410 or 404.
        status: u16,
        /// `ERROR_RESOURCE_GONE` or `ERROR_GROUP_CHANGED`.
        error_code: ErrorCode,
    },

    /// HTTP 429. `retry_after` is Sonos's `Retry-After`, in seconds or as an HTTP date.
    #[error("Sonos is rate limiting requests{}", retry_after.map(|d| format!("; retry after {} s", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// How long Sonos asked us to wait, when it said.
        retry_after: Option<Duration>,
    },

    /// Any other non-2xx answer from the Control API.
    #[error("Sonos answered {status}{}{}", error_code.as_ref().map(|c| format!(" {c}")).unwrap_or_default(), reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    Sonos {
        /// The HTTP status.
        status: u16,
        /// The `errorCode` of the body, when the body was a Sonos error envelope.
        error_code: Option<ErrorCode>,
        /// The `reason` of the body, or an excerpt of a body that was not an envelope.
        reason: Option<String>,
    },

    /// A 2xx body that did not decode as the expected object.
    #[error("could not read Sonos's {expected} at `{path}`: {message}")]
    Decode {
        /// The Sonos object type that was expected, e.g. `playbackStatus`.
        expected: &'static str,
        /// The JSON path where decoding failed, e.g. `groups[2].playerIds`.
        path: String,
        /// What serde said.
        message: String,
        /// The start of the raw body.
        body: String,
    },

    /// The login service refused a token request (RFC 6749 §5.2 error body).
    #[error("the Sonos login service refused: {error}{}", description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Login {
        /// `invalid_request`, `invalid_grant`, `invalid_client`…
        error: String,
        /// `error_description`, when given.
        description: Option<String>,
    },

    /// The login service answered something that is not a token nor an RFC 6749 error.
    #[error("unexpected answer from the Sonos login service: {0}")]
    LoginProtocol(String),

    /// Roomtone's relay refused or failed a token request.
    #[error("the Roomtone relay answered {status}: {message} ({error})")]
    Broker {
        /// The HTTP status.
        status: u16,
        /// The relay's stable error code, e.g. `used_broker_code`.
        error: String,
        /// What the relay said, for a person.
        message: String,
    },

    /// A token refresh failed for a passing reason (network, relay, login service); the
    /// sign-in stands. Waiting callers share this outcome rather than each retrying.
    #[error("could not refresh the Sonos sign-in: {0}")]
    Refresh(String),

    /// No access token could be had (signed out, refresh failed). The message says why.
    #[error("no Sonos access token: {0}")]
    NoToken(String),

    /// An event delivery lacks one of the seven `X-Sonos-*` headers.
    #[error("the event has no {0} header")]
    MissingEventHeader(&'static str),

    /// An event header is empty or not text.
    #[error("the event's {0} header is empty or not text")]
    InvalidEventHeader(&'static str),

    /// `X-Sonos-Event-Signature` does not match the headers and the integration's secret.
    #[error("the event signature does not match")]
    BadEventSignature,

    /// A base URL or an ID that cannot form a request URL.
    #[error("invalid URL: {0}")]
    Url(String),
}

impl Error {
    /// Whether the failure is worth retrying for a call that is safe to repeat.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Error::Transport(_) | Error::Timeout | Error::RateLimited { .. } => true,
            Error::Sonos {
                status, error_code, ..
            } => {
                *status >= 500
                    || (*status == 499
                        && matches!(
                            error_code,
                            Some(ErrorCode::CommandFailed) | Some(ErrorCode::CmdFailed)
                        ))
            }
            _ => false,
        }
    }

    /// The error code Sonos gave, if any.
    pub fn error_code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Gone { error_code, .. } => Some(error_code),
            Error::Sonos { error_code, .. } => error_code.as_ref(),
            _ => None,
        }
    }
}

pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(BODY_EXCERPT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.into_owned(),
    }
}
