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
    /// The browser could not be opened.
    #[error("could not open the browser: {0}. Open this address yourself: {1}")]
    Browser(String, String),
    /// A local resource (the loopback listener) failed.
    #[error("{0}")]
    Local(String),
    /// No group or room by that name.
    #[error("{0}")]
    NotFound(String),
}

impl From<StoreError> for CoreError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(_) => CoreError::KeychainUnavailable(err),
            other => CoreError::Keychain(other),
        }
    }
}

impl CoreError {
    /// A stable name for what went wrong, for a window to act on (the message is for people).
    pub fn kind(&self) -> &'static str {
        use roomtone_sonos::Error;
        match self {
            CoreError::NotSignedIn => "notSignedIn",
            CoreError::SignedOut(_) | CoreError::Sonos(Error::NoToken(_) | Error::Unauthorized) => {
                "signedOut"
            }
            CoreError::KeychainUnavailable(_) => "keychainUnavailable",
            CoreError::Keychain(_) => "keychain",
            CoreError::NotFound(_) => "notFound",
            CoreError::AccessDenied(_) => "accessDenied",
            CoreError::StateMismatch
            | CoreError::InvalidCallback(_)
            | CoreError::NoPendingSignIn
            | CoreError::AttemptExpired
            | CoreError::Cancelled => "signIn",
            CoreError::Sonos(Error::Transport(_) | Error::Timeout | Error::Refresh(_)) => "network",
            CoreError::Sonos(Error::Broker { status, .. }) if *status >= 500 => "network",
            CoreError::Sonos(Error::RateLimited { .. }) => "rateLimited",
            CoreError::Sonos(Error::Gone { .. }) => "gone",
            CoreError::Sonos(_) => "sonos",
            CoreError::Browser(..) => "browser",
            CoreError::Local(_) => "other",
        }
    }
}
