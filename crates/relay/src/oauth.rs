//! The OAuth routes: the redirect Sonos sends the browser to, and the token broker.

use crate::pages;
use crate::{ApiError, RelayState};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use roomtone_sonos::broker::{
    challenge_of, LoginState, RefreshRequest, TokenRequest, TokenResponse,
};
use roomtone_sonos::{AuthorizationCode, Error, Secret};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};
use subtle::ConstantTimeEq;
use url::Url;

/// What Sonos appends to the redirect URI.
#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn app_url(base: &str, params: &[(&str, &str)]) -> String {
    let mut url = Url::parse(base).expect("the app URLs are valid");
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

/// `GET /oauth/callback`.
pub async fn callback(
    State(relay): State<Arc<RelayState>>,
    Query(params): Query<CallbackParams>,
) -> Response {
    let Some(state_text) = params.state.as_deref() else {
        return pages::broken_link("The link has no state.");
    };
    let Some(state) = LoginState::parse(state_text) else {
        return pages::broken_link("The link's state is not one Roomtone made.");
    };
    let deep_base = format!("{}://oauth/callback", relay.config.app_scheme);
    let loopback_base = format!("http://127.0.0.1:{}/oauth/callback", state.port);
    if let Some(error) = params.error.as_deref() {
        // Only a plain OAuth error name goes on to the app.
        let error = if !error.is_empty()
            && error.len() <= 64
            && error.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        {
            error
        } else {
            "login_failed"
        };
        let pairs = [("state", state_text), ("error", error)];
        return pages::sonos_refused(
            error,
            &app_url(&deep_base, &pairs),
            &app_url(&loopback_base, &pairs),
        );
    }
    let Some(code) = params
        .code
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 512)
    else {
        return pages::broken_link("The link has no authorization code.");
    };
    let handed = match &relay.config.client_secret {
        // Redirect-only mode: the app exchanges the code itself (direct mode).
        None => ("code", code.to_owned()),
        Some(_) => {
            let expires = relay.unix_now() + relay.config.broker_code_ttl.as_secs();
            (
                "broker_code",
                relay
                    .sealer
                    .seal(code, &state.challenge, expires)
                    .expose()
                    .to_owned(),
            )
        }
    };
    let pairs = [("state", state_text), (handed.0, handed.1.as_str())];
    pages::hand_off(
        &app_url(&deep_base, &pairs),
        &app_url(&loopback_base, &pairs),
    )
}

/// The client's address: the peer, or with `trust_forwarded_for` the last address a trusted
/// proxy appended to `X-Forwarded-For`.
pub(crate) fn client_ip(relay: &RelayState, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    if relay.config.trust_forwarded_for {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last();
        if let Some(ip) = forwarded.and_then(|v| v.trim().parse().ok()) {
            return ip;
        }
    }
    peer.ip()
}

fn limit(relay: &RelayState, peer: SocketAddr, headers: &HeaderMap) -> Result<(), ApiError> {
    relay
        .limiter
        .check(client_ip(relay, peer, headers), Instant::now())
        .map_err(|wait| ApiError::RateLimited {
            retry_after: wait.as_secs().max(1),
        })
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::InvalidRequest(format!("the body is not the expected JSON: {e}")))
}

fn tokens(relay: &RelayState, answer: TokenResponse) -> Response {
    relay
        .streams
        .note_expiry(answer.access_token.expose(), answer.expires_in);
    let mut response = Json(answer).into_response();
    response
        .headers_mut()
        .insert("pragma", HeaderValue::from_static("no-cache"));
    response
}

/// What went wrong talking to Sonos, for the app.
fn sonos_failure(err: Error) -> ApiError {
    match err {
        Error::Login { error, .. }
            if matches!(error.as_str(), "temporarily_unavailable" | "server_error") =>
        {
            ApiError::SonosUnreachable
        }
        // The relay's own credentials are wrong: an operator's problem, never the user's.
        Error::Login { error, .. }
            if matches!(
                error.as_str(),
                "invalid_client" | "unauthorized_client" | "unsupported_grant_type"
            ) =>
        {
            tracing::error!(%error, "the Sonos login service refused the relay's client credentials");
            ApiError::RelayMisconfigured
        }
        Error::Login { error, .. } => ApiError::SonosRefused(error),
        Error::Transport(_) | Error::Timeout => ApiError::SonosUnreachable,
        other => {
            tracing::warn!(error = %other, "unexpected answer from the Sonos login service");
            ApiError::SonosUnreachable
        }
    }
}

/// `POST /oauth/token` `{broker_code, verifier}`.
pub async fn token(
    State(relay): State<Arc<RelayState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    limit(&relay, peer, &headers)?;
    let secret = relay
        .config
        .client_secret
        .as_ref()
        .ok_or(ApiError::RedirectOnly)?;
    let request: TokenRequest = parse(&body)?;
    let claims = relay
        .sealer
        .open(&request.broker_code)
        .ok_or(ApiError::InvalidBrokerCode)?;
    let now = relay.unix_now();
    if claims.expires < now {
        return Err(ApiError::ExpiredBrokerCode);
    }
    let presented = challenge_of(request.verifier.expose());
    if !bool::from(presented.as_bytes().ct_eq(claims.challenge.as_bytes())) {
        return Err(ApiError::VerifierMismatch);
    }
    let first_use = match &relay.hub.redis {
        // Shared by every instance; unknown when Redis is down, so refused for now.
        Some(redis) => redis
            .take_code(&claims.id, Duration::from_secs(claims.expires - now + 1))
            .await
            .map_err(|_| ApiError::StorageUnavailable)?,
        None => relay.used.take(&claims.id, claims.expires, now),
    };
    if !first_use {
        return Err(ApiError::UsedBrokerCode);
    }
    let at = (relay.now)();
    let granted = match relay
        .login
        .exchange_code(
            secret,
            &AuthorizationCode::new(claims.code),
            &relay.redirect_uri(),
            at,
        )
        .await
    {
        Ok(granted) => granted,
        Err(err) => {
            let failure = sonos_failure(err);
            if matches!(failure, ApiError::SonosUnreachable) {
                // Sonos failed (5xx, timeout, no connection) rather than refusing the code:
                // the broker code stays usable for the app's retry. Trading the Sonos code
                // again is harmless — if Sonos did spend it, it answers `invalid_grant`.
                match &relay.hub.redis {
                    Some(redis) => redis.release_code(&claims.id).await,
                    None => relay.used.release(&claims.id),
                }
            }
            return Err(failure);
        }
    };
    Ok(tokens(&relay, TokenResponse::from_tokens(&granted, at)))
}

/// `POST /oauth/refresh` `{refresh_token}`.
pub async fn refresh(
    State(relay): State<Arc<RelayState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    limit(&relay, peer, &headers)?;
    let secret = relay
        .config
        .client_secret
        .as_ref()
        .ok_or(ApiError::RedirectOnly)?;
    let request: RefreshRequest = parse(&body)?;
    if request.refresh_token.expose().is_empty() || request.refresh_token.expose().len() > 2048 {
        return Err(ApiError::InvalidRequest(
            "refresh_token is empty or too long".into(),
        ));
    }
    let at = (relay.now)();
    let granted = relay
        .login
        .refresh(secret, &request.refresh_token, at)
        .await
        .map_err(|err| match err {
            Error::Login { ref error, .. }
                if matches!(error.as_str(), "invalid_grant" | "invalid_request") =>
            {
                ApiError::RefreshRejected
            }
            other => sonos_failure(other),
        })?;
    Ok(tokens(&relay, TokenResponse::from_tokens(&granted, at)))
}

/// `GET /healthz`.
pub async fn healthz(State(relay): State<Arc<RelayState>>) -> Response {
    let mode = if relay.config.client_secret.is_some() {
        "broker"
    } else {
        "redirect-only"
    };
    (
        StatusCode::OK,
        Json(serde_json::json!({"status": "ok", "mode": mode})),
    )
        .into_response()
}

pub(crate) fn unix(at: std::time::SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
