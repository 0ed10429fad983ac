//! `POST /events`: the Sonos event callback. The seven `X-Sonos-*` headers are required and
//! the signature is checked in constant time; a duplicate (the same event again,
//! [`super::event_key`], as a Sonos retry or a replay sends it) is acknowledged and dropped.
//! The answer does not wait for anyone: publishing is a non-blocking send per household.

use super::{event_key, refuse, StreamEvent};
use crate::RelayState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use roomtone_sonos::events::EventHeaders;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// `POST /events`: see the module documentation.
pub async fn receive(
    State(relay): State<Arc<RelayState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let events = &relay.hub;
    events.counts.received.fetch_add(1, Ordering::Relaxed);
    let Some(secret) = &relay.config.client_secret else {
        return refuse(
            StatusCode::NOT_IMPLEMENTED,
            "redirect_only",
            "this relay has no client secret to check event signatures with",
        );
    };
    if !headers.contains_key(roomtone_sonos::events::header::SIGNATURE) {
        events.counts.unsigned.fetch_add(1, Ordering::Relaxed);
        return refuse(
            StatusCode::UNAUTHORIZED,
            "unsigned",
            "the event has no signature",
        );
    }
    let parsed = match EventHeaders::from_headers(&headers) {
        Ok(parsed) => parsed,
        Err(err) => {
            events.counts.malformed.fetch_add(1, Ordering::Relaxed);
            return refuse(StatusCode::BAD_REQUEST, "malformed", err.to_string());
        }
    };
    if parsed.verify(&relay.config.client_id, secret).is_err() {
        events.counts.forged.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(namespace = %parsed.namespace, "an event with a wrong signature was refused");
        return refuse(
            StatusCode::UNAUTHORIZED,
            "forged",
            "the event signature does not match",
        );
    }
    let key = event_key(&parsed, &body);
    let body: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(body) => body,
        Err(err) => {
            events.counts.malformed.fetch_add(1, Ordering::Relaxed);
            return refuse(
                StatusCode::BAD_REQUEST,
                "malformed",
                format!("the body is not JSON ({err})"),
            );
        }
    };
    if !events.first_anywhere(key).await {
        // A Sonos retry or a replay: acknowledged, so Sonos stops retrying, and dropped.
        events.counts.duplicates.fetch_add(1, Ordering::Relaxed);
        return StatusCode::OK.into_response();
    }
    events.publish(StreamEvent {
        household_id: parsed.household_id.to_string(),
        seq_id: parsed.seq_id,
        namespace: parsed.namespace,
        event_type: parsed.event_type,
        target_type: parsed.target_type,
        target_value: parsed.target_value,
        body,
    });
    StatusCode::OK.into_response()
}
