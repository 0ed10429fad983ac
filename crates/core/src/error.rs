//! The core's error type: what went wrong, in words a person can act on.

use crate::store::StoreError;

/// The crate's result type.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// Everything the core reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// No session: sign in first.
    #[error("not signed in to Sonos: sign in first")]
    NotSignedIn,
    /// The session ended by itself (a revoked sign-in); the reason says why.
    #[error("signed out: {0}")]
    SignedOut(String),
    /// A callback arrived but no sign-in is waiting for one.
    #[error("a sign-in link arrived while Roomtone was not signing in, so it was ignored")]
    NoPendingSignIn,
    /// A callback that is not a sign-in callback at all.
    #[error("this is not a Roomtone sign-in link: {0}")]
    InvalidCallback(String),
    /// A callback whose `state` belongs to no waiting sign-in (forged, stale or reused).
    #[error(
        "this sign-in link does not belong to the sign-in Roomtone is waiting for; it was ignored"
    )]
    StateMismatch,
    /// The sign-in waited longer than 10 minutes.
    #[error("the sign-in took too long and expired: choose Sign in to start again")]
    AttemptExpired,
    /// The sign-in was cancelled.
    #[error("the sign-in was cancelled")]
    Cancelled,
    /// Sonos reported that the person did not allow access (or another login error).
    #[error("Sonos did not sign you in ({0}): choose Sign in to try again")]
    AccessDenied(String),
    /// Tokens could not be kept in the keychain because no keychain service is reachable.
    /// Roomtone can stay signed in for this run only ([`crate::Session::keep_for_this_run`]).
    #[error("{0}. Roomtone can stay signed in until it quits, without saving the sign-in")]
    KeychainUnavailable(StoreError),
    /// The keychain failed otherwise.
    #[error("{0}")]
    Keychain(StoreError),
    /// A call to Sonos or the relay failed.
    #[error(transparent)]
    Sonos(#[from] roomtone_sonos::Error),
    /// Sonos refused, and what that means for what was asked is said in words.
    #[error("{message}")]
    Explained {
        message: String,
        #[source]
        source: roomtone_sonos::Error,
    },
    /// The browser could not be opened.
    #[error("could not open the browser: {0}. Open this address yourself: {1}")]
    Browser(String, String),
    /// A local resource (the loopback listener) failed.
    #[error("{0}")]
    Local(String),
    /// No group or room by that name.
    #[error("{0}")]
    NotFound(String),
    /// A value Roomtone cannot use (a URL that is not one), or an action the room cannot
    /// do; nothing was sent.
    #[error("{0}")]
    Invalid(String),
}

impl From<StoreError> for CoreError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(_) => CoreError::KeychainUnavailable(err),
            other => CoreError::Keychain(other),
        }
    }
}

/// What went wrong, for a surface to act on: the window switches on it, the CLI's exit code
/// is a function of it ([`ErrorKind::exit_code`]), the message is for people. Crosses into
/// TypeScript as a string union.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ErrorKind {
    /// No session: sign in.
    NotSignedIn,
    /// The session ended (revoked, expired, another service's sign-in): sign in again.
    SignedOut,
    /// No keychain is reachable; this run only is offered.
    KeychainUnavailable,
    /// The keychain failed otherwise.
    Keychain,
    /// No group or room by that name or ID.
    NotFound,
    /// A value Roomtone cannot use, or an action the room cannot do: nothing was sent.
    Invalid,
    /// Sonos did not give access at its login page.
    AccessDenied,
    /// A sign-in link was wrong, stale, or came when no sign-in waited.
    SignIn,
    /// The sign-in waited too long for the browser and expired: start again.
    SignInExpired,
    /// The person cancelled the sign-in: nothing to explain.
    Cancelled,
    /// Sonos or the relay could not be reached, or failed on its side (5xx).
    Network,
    /// Sonos or the relay asked Roomtone to slow down (429).
    RateLimited,
    /// The group or room no longer exists (a regroup elsewhere).
    Gone,
    /// Sonos refused the request.
    Sonos,
    /// The relay does not offer what was asked (501).
    Unsupported,
    /// The browser could not be opened.
    Browser,
    /// The settings could not be read or saved.
    Settings,
    /// Roomtone is still starting.
    Starting,
    /// Anything else.
    Other,
}

impl std::fmt::Display for ErrorKind {
    /// The word the kind crosses the wire as (`rateLimited`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let word = serde_json::to_value(self).ok();
        f.write_str(word.as_ref().and_then(|w| w.as_str()).unwrap_or("other"))
    }
}

impl ErrorKind {
    /// The exit code `roomtone-cli` ends with (the table in docs/cli.md).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::NotSignedIn | ErrorKind::SignedOut => 3,
            ErrorKind::Invalid => 2,
            ErrorKind::NotFound => 4,
            ErrorKind::Sonos | ErrorKind::AccessDenied | ErrorKind::Gone => 5,
            ErrorKind::Network | ErrorKind::RateLimited => 6,
            ErrorKind::KeychainUnavailable | ErrorKind::Keychain => 7,
            ErrorKind::SignIn
            | ErrorKind::SignInExpired
            | ErrorKind::Cancelled
            | ErrorKind::Unsupported
            | ErrorKind::Browser
            | ErrorKind::Settings
            | ErrorKind::Starting
            | ErrorKind::Other => 1,
        }
    }

    /// Sonos cannot be reached or answer now: what is shown is older, and trying later may work.
    pub fn is_offline(self) -> bool {
        matches!(
            self,
            ErrorKind::Network | ErrorKind::RateLimited | ErrorKind::Sonos
        )
    }
}

impl CoreError {
    /// What went wrong, for a surface to act on (the message is for people).
    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::NotSignedIn => ErrorKind::NotSignedIn,
            CoreError::SignedOut(_) => ErrorKind::SignedOut,
            CoreError::Sonos(err) | CoreError::Explained { source: err, .. } => sonos_kind(err),
            CoreError::KeychainUnavailable(_) => ErrorKind::KeychainUnavailable,
            CoreError::Keychain(_) => ErrorKind::Keychain,
            CoreError::NotFound(_) => ErrorKind::NotFound,
            CoreError::Invalid(_) => ErrorKind::Invalid,
            CoreError::AccessDenied(_) => ErrorKind::AccessDenied,
            CoreError::Cancelled => ErrorKind::Cancelled,
            CoreError::StateMismatch
            | CoreError::InvalidCallback(_)
            | CoreError::NoPendingSignIn => ErrorKind::SignIn,
            CoreError::AttemptExpired => ErrorKind::SignInExpired,
            CoreError::Browser(..) => ErrorKind::Browser,
            CoreError::Local(_) => ErrorKind::Other,
        }
    }
}

/// What kind of failure a call to Sonos or the relay is.
fn sonos_kind(err: &roomtone_sonos::Error) -> ErrorKind {
    use roomtone_sonos::Error;
    match err {
        Error::NoToken(_) | Error::Unauthorized => ErrorKind::SignedOut,
        Error::Transport(_) | Error::Timeout | Error::Refresh(_) => ErrorKind::Network,
        Error::RateLimited { .. } | Error::Broker { status: 429, .. } => ErrorKind::RateLimited,
        Error::Broker { status: 501, .. } => ErrorKind::Unsupported,
        Error::Broker { status, .. } if *status >= 500 => ErrorKind::Network,
        Error::Gone { .. } => ErrorKind::Gone,
        // Sonos failed on its side, past the client's retries: try again later.
        Error::Sonos { status, .. } if *status >= 500 => ErrorKind::Network,
        _ => ErrorKind::Sonos,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roomtone_sonos::Error;

    fn broker(status: u16) -> CoreError {
        CoreError::Sonos(Error::Broker {
            status,
            error: "x".into(),
            message: "y".into(),
        })
    }

    #[test]
    fn every_kind_has_one_exit_code_and_a_broker_429_is_try_again_later() {
        assert_eq!(broker(429).kind(), ErrorKind::RateLimited);
        assert_eq!(broker(429).kind().exit_code(), 6);
        assert_eq!(broker(503).kind(), ErrorKind::Network);
        assert_eq!(broker(501).kind(), ErrorKind::Unsupported);
        assert_eq!(broker(400).kind(), ErrorKind::Sonos);
        assert_eq!(CoreError::NotSignedIn.kind().exit_code(), 3);
        assert_eq!(CoreError::SignedOut("x".into()).kind().exit_code(), 3);
        assert_eq!(CoreError::NotFound("x".into()).kind().exit_code(), 4);
        assert_eq!(CoreError::Sonos(Error::Timeout).kind().exit_code(), 6);
        let sonos = |status| {
            CoreError::Sonos(Error::Sonos {
                status,
                error_code: None,
                reason: None,
            })
        };
        assert_eq!(sonos(503).kind().exit_code(), 6, "failed on its side");
        assert_eq!(sonos(400).kind().exit_code(), 5, "refused");
        assert_eq!(CoreError::Cancelled.kind(), ErrorKind::Cancelled);
        assert_eq!(CoreError::AttemptExpired.kind(), ErrorKind::SignInExpired);
        assert_eq!(CoreError::StateMismatch.kind(), ErrorKind::SignIn);
    }

    #[test]
    fn a_kind_crosses_the_wire_as_a_camel_case_word() {
        let text = serde_json::to_string(&ErrorKind::KeychainUnavailable).unwrap();
        assert_eq!(text, "\"keychainUnavailable\"");
        let back: ErrorKind = serde_json::from_str("\"rateLimited\"").unwrap();
        assert_eq!(back, ErrorKind::RateLimited);
    }
}
