//! The one error type that crosses into the webview: a stable `kind` the UI can act on,
//! and a `message` for people. Never a token, never a bare string.

use roomtone_core::CoreError;
use roomtone_sonos::Error;
use serde::Serialize;

/// See the module documentation.
#[derive(Debug, Clone, Serialize)]
pub struct AppError {
    pub kind: &'static str,
    pub message: String,
}

impl AppError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl From<CoreError> for AppError {
    fn from(err: CoreError) -> Self {
        let kind = match &err {
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
            _ => "other",
        };
        Self::new(kind, err.to_string())
    }
}
