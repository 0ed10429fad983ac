//! The one error type that crosses into the webview: a stable `kind` the UI can act on,
//! and a `message` for people. Never a token, never a bare string.

use roomtone_core::{CoreError, ErrorKind};
use serde::Serialize;
use specta::Type;

/// A failure: `kind` for the UI to act on, `message` for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl From<CoreError> for AppError {
    fn from(err: CoreError) -> Self {
        Self::new(err.kind(), err.to_string())
    }
}
