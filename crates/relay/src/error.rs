//! The JSON endpoints' failure: a status, a stable `error` and a human `message`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// A failure of a JSON endpoint: a status, a stable `error` and a human `message`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("the broker code is not one this relay issued, or it was altered")]
    InvalidBrokerCode,
    #[error("the broker code expired; sign in again")]
    ExpiredBrokerCode,
    #[error("the broker code was already used; sign in again")]
    UsedBrokerCode,
    #[error("the relay cannot check the broker code right now; try again in a moment")]
    StorageUnavailable,
    #[error("the verifier does not match the sign-in that produced this broker code")]
    VerifierMismatch,
    #[error("Sonos refused the sign-in ({0}); sign in again")]
    SonosRefused(String),
    #[error("Sonos refused the refresh token; sign in again")]
    RefreshRejected,
    #[error("the relay's Sonos credentials were refused; its operator must fix them (your sign-in is unaffected)")]
    RelayMisconfigured,
    #[error("the Sonos login service could not be reached; try again in a moment")]
    SonosUnreachable,
    #[error("this relay only forwards the redirect (no client secret); use direct mode")]
    RedirectOnly,
    #[error("too many requests from this address; try again in {retry_after} s")]
    RateLimited { retry_after: u64 },
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::InvalidRequest(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            ApiError::InvalidBrokerCode => (StatusCode::BAD_REQUEST, "invalid_broker_code"),
            ApiError::ExpiredBrokerCode => (StatusCode::BAD_REQUEST, "expired_broker_code"),
            ApiError::UsedBrokerCode => (StatusCode::BAD_REQUEST, "used_broker_code"),
            ApiError::StorageUnavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable")
            }
            ApiError::VerifierMismatch => (StatusCode::BAD_REQUEST, "verifier_mismatch"),
            ApiError::SonosRefused(_) => (StatusCode::BAD_REQUEST, "sonos_refused"),
            ApiError::RefreshRejected => (StatusCode::BAD_REQUEST, "refresh_rejected"),
            ApiError::RelayMisconfigured => (StatusCode::BAD_GATEWAY, "relay_misconfigured"),
            ApiError::SonosUnreachable => (StatusCode::BAD_GATEWAY, "sonos_unreachable"),
            ApiError::RedirectOnly => (StatusCode::NOT_IMPLEMENTED, "redirect_only"),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = self.parts();
        let mut response = (
            status,
            Json(roomtone_sonos::broker::BrokerError {
                error: error.into(),
                message: self.to_string(),
            }),
        )
            .into_response();
        if let ApiError::RateLimited { retry_after } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}
