//! Control API errors as Sonos sends them: a status, `X-Sonos-Type: globalError`, and a
//! `{errorCode, reason}` body (REFERENCE §3).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use roomtone_sonos::models::{ErrorCode, GlobalError};
use roomtone_sonos::PlayerId;

/// A Control API error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: GlobalError,
}

impl ApiError {
    fn new(status: u16, code: ErrorCode, reason: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).expect("valid status"),
            body: GlobalError::new(code, reason),
        }
    }
    pub fn invalid_object(reason: impl Into<String>) -> Self {
        Self::new(400, ErrorCode::InvalidObjectId, reason)
    }
    pub fn invalid_parameter(reason: impl Into<String>) -> Self {
        Self::new(400, ErrorCode::InvalidParameter, reason)
    }
    pub fn invalid_players(reason: impl Into<String>, players: Vec<PlayerId>) -> Self {
        let mut err = Self::invalid_parameter(reason);
        err.body.player_ids = Some(players);
        err
    }
    pub fn missing(reason: impl Into<String>) -> Self {
        Self::new(400, ErrorCode::MissingParameters, reason)
    }
    pub fn syntax(reason: impl Into<String>) -> Self {
        Self::new(400, ErrorCode::InvalidSyntax, reason)
    }
    pub fn no_permission(reason: impl Into<String>) -> Self {
        Self::new(403, ErrorCode::NoPermission, reason)
    }
    pub fn unsupported_namespace(reason: impl Into<String>) -> Self {
        Self::new(404, ErrorCode::UnsupportedNamespace, reason)
    }
    pub fn unsupported_command(reason: impl Into<String>) -> Self {
        Self::new(404, ErrorCode::UnsupportedCommand, reason)
    }
    pub fn not_capable(reason: impl Into<String>) -> Self {
        Self::new(400, ErrorCode::NotCapable, reason)
    }
    pub fn method_not_allowed(reason: impl Into<String>) -> Self {
        Self::new(405, ErrorCode::UnsupportedCommand, reason)
    }
    pub fn gone(reason: impl Into<String>) -> Self {
        Self::new(410, ErrorCode::ResourceGone, reason)
    }
    pub fn command_failed(reason: impl Into<String>) -> Self {
        Self::new(499, ErrorCode::CommandFailed, reason)
    }
    pub fn playback_failed(reason: impl Into<String>) -> Self {
        Self::new(499, ErrorCode::PlaybackFailed, reason)
    }
    pub fn no_content(reason: impl Into<String>) -> Self {
        Self::new(499, ErrorCode::PlaybackNoContent, reason)
    }
    pub fn clip_not_found(reason: impl Into<String>) -> Self {
        Self::new(400, ErrorCode::AudioClipIdNotFound, reason)
    }
    pub fn injected(status: u16) -> Self {
        let code = match status {
            410 => ErrorCode::ResourceGone,
            499 => ErrorCode::CommandFailed,
            s if s >= 500 => ErrorCode::Internal,
            _ => ErrorCode::Other(format!("ERROR_SIMULATED_{status}")),
        };
        Self::new(status, code, "injected by the simulator")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        response
            .headers_mut()
            .insert("x-sonos-type", HeaderValue::from_static("globalError"));
        response
    }
}

/// A successful Control API answer: JSON with its `X-Sonos-Type`.
pub fn sonos<T: serde::Serialize>(sonos_type: &'static str, body: &T) -> Response {
    let mut response = axum::Json(body).into_response();
    response
        .headers_mut()
        .insert("x-sonos-type", HeaderValue::from_static(sonos_type));
    response
}

/// `{}` with `X-Sonos-Type: none`.
pub fn ok() -> Response {
    sonos("none", &serde_json::json!({}))
}
