//! The simulated Control API (REFERENCE §4): every endpoint of the client, behind a gate
//! that applies injected faults and checks the bearer token.
//!
//! This file holds the router, the gate and the helpers the handlers share; each child holds
//! the handlers of one namespace, named as in `roomtone_sonos::api`.

mod audio_clip;
mod favorites;
mod groups;
mod home_theater;
mod households;
mod metadata;
mod playback;
mod playback_session;
mod playlists;
mod settings;
mod subscriptions;
mod volume;

use crate::catalog::Item;
use crate::config::UnauthorizedStyle;
use crate::error::{ok, ApiError};
use crate::household::{Household, Links};
use crate::instance::Sim;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use rand::Rng;
use roomtone_sonos::events::Namespace;
use roomtone_sonos::models::*;
use roomtone_sonos::GroupId;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

type Answer = Result<Response, ApiError>;

pub(crate) fn routes(sim: Arc<Sim>) -> axum::Router<Arc<Sim>> {
    let mut router = Router::new()
        .route("/households", get(households::households))
        .route("/households/{hh}/groups", get(groups::groups))
        .route(
            "/households/{hh}/groups/createGroup",
            post(groups::create_group),
        )
        .route(
            "/groups/{g}/groups/modifyGroupMembers",
            post(groups::modify_group),
        )
        .route(
            "/groups/{g}/groups/setGroupMembers",
            post(groups::set_group),
        )
        .route("/groups/{g}/playback", get(playback::playback_status))
        .route(
            "/groups/{g}/playback/{command}",
            post(playback::playback_command),
        )
        .route("/groups/{g}/playbackMetadata", get(metadata::metadata))
        .route(
            "/groups/{g}/groupVolume",
            get(volume::group_volume).post(volume::set_group_volume),
        )
        .route(
            "/groups/{g}/groupVolume/relative",
            post(volume::group_relative),
        )
        .route("/groups/{g}/groupVolume/mute", post(volume::group_mute))
        .route(
            "/players/{p}/playerVolume",
            get(volume::player_volume).post(volume::set_player_volume),
        )
        .route(
            "/players/{p}/playerVolume/relative",
            post(volume::player_relative),
        )
        .route("/players/{p}/playerVolume/mute", post(volume::player_mute))
        .route("/players/{p}/playerVolume/duck", post(volume::duck))
        .route("/players/{p}/playerVolume/unduck", post(volume::unduck))
        .route("/households/{hh}/favorites", get(favorites::favorites))
        .route("/groups/{g}/favorites", post(favorites::load_favorite))
        .route("/households/{hh}/playlists", get(playlists::playlists))
        .route(
            "/households/{hh}/playlists/getPlaylist",
            post(playlists::get_playlist_legacy),
        )
        .route(
            "/households/{hh}/playlists/{id}",
            get(playlists::get_playlist),
        )
        .route("/groups/{g}/playlists", post(playlists::load_playlist))
        .route(
            "/groups/{g}/playbackSession",
            post(playback_session::create),
        )
        .route(
            "/groups/{g}/playbackSession/join",
            post(playback_session::join),
        )
        .route(
            "/groups/{g}/playbackSession/joinOrCreate",
            post(playback_session::join_or_create),
        )
        // Both documented prefixes of a session's commands (REFERENCE §10 item 12).
        .route(
            "/playbackSessions/{s}/playbackSession",
            axum::routing::delete(playback_session::leave),
        )
        .route(
            "/sessions/{s}/playbackSession",
            axum::routing::delete(playback_session::leave),
        )
        .route(
            "/playbackSessions/{s}/playbackSession/loadStreamUrl",
            post(playback_session::load_stream_url),
        )
        .route(
            "/sessions/{s}/playbackSession/loadStreamUrl",
            post(playback_session::load_stream_url),
        )
        .route("/players/{p}/audioClip", post(audio_clip::load_clip))
        .route(
            "/players/{p}/audioClip/{clip}",
            axum::routing::delete(audio_clip::cancel_clip),
        )
        .route(
            "/players/{p}/homeTheater",
            post(home_theater::home_theater_playback),
        )
        .route(
            "/players/{p}/homeTheater/tvPowerState",
            post(home_theater::tv_power),
        )
        .route(
            "/players/{p}/homeTheater/options",
            get(home_theater::ht_options).post(home_theater::set_ht_options),
        )
        .route(
            "/players/{p}/settings/player",
            get(settings::settings).post(settings::set_settings),
        );
    for (kind, namespace) in SUBSCRIBABLE {
        let path = format!("/{kind}/{{id}}/{namespace}/subscription");
        let (on, off) = (namespace.clone(), namespace);
        router = router.route(
            &path,
            post(
                move |State(sim): State<Arc<Sim>>,
                      Extension(caller): Extension<Caller>,
                      Path(id): Path<String>| async move {
                    subscriptions::subscribe(&sim, caller, kind, &on, id, true)
                },
            )
            .delete(
                move |State(sim): State<Arc<Sim>>,
                      Extension(caller): Extension<Caller>,
                      Path(id): Path<String>| async move {
                    subscriptions::subscribe(&sim, caller, kind, &off, id, false)
                },
            ),
        );
    }
    router
        .method_not_allowed_fallback(|| async {
            ApiError::method_not_allowed("this command does not take that HTTP method")
        })
        .layer(middleware::from_fn_with_state(sim, gate))
        .fallback(unknown_route)
}

/// Who is calling: the sign-in (token family) of the bearer token, set by [`gate`].
#[derive(Debug, Clone, Copy)]
struct Caller(u64);

const SUBSCRIBABLE: [(&str, Namespace); 10] = [
    ("households", Namespace::Groups),
    ("households", Namespace::Favorites),
    ("households", Namespace::Playlists),
    ("groups", Namespace::Playback),
    ("groups", Namespace::PlaybackMetadata),
    ("groups", Namespace::GroupVolume),
    ("players", Namespace::PlayerVolume),
    ("players", Namespace::AudioClip),
    ("playbackSessions", Namespace::PlaybackSession),
    ("sessions", Namespace::PlaybackSession),
];

async fn unknown_route() -> ApiError {
    ApiError::unsupported_command("no such command")
}

/// Before every Control API request: count it, add latency, answer with an injected error
/// if one is due, and check the bearer token.
async fn gate(State(sim): State<Arc<Sim>>, request: Request, next: Next) -> Response {
    sim.control_requests.fetch_add(1, Ordering::Relaxed);
    let (latency, injected, retry_after) = {
        let mut world = sim.world();
        let world = &mut *world;
        let injected = if world.faults.fail_next.is_empty() {
            let roll: f64 = world.rng.gen();
            let mut acc = 0.0;
            world
                .faults
                .error_rates
                .iter()
                .find(|r| {
                    acc += r.rate;
                    roll < acc
                })
                .map(|r| r.status)
        } else {
            Some(world.faults.fail_next.remove(0).status)
        };
        (
            world.faults.latency_ms,
            injected,
            world.faults.retry_after_secs,
        )
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    if let Some(status) = injected {
        return injected_error(&sim, status, retry_after);
    }
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let owner = token.and_then(|t| sim.world().tokens.owner(&t, sim.clock.now()));
    let Some(owner) = owner else {
        return unauthorized(sim.config.unauthorized_style);
    };
    let mut request = request;
    request.extensions_mut().insert(Caller(owner));
    next.run(request).await
}

fn unauthorized(style: UnauthorizedStyle) -> Response {
    let body = match style {
        UnauthorizedStyle::OAuth => {
            json!({"error": "access_denied", "error_description": "Invalid Token"})
        }
        UnauthorizedStyle::Fault => {
            json!({"fault": {"faultstring": "Invalid Access Token", "detail": {"errorcode": "keymanagement.service.invalid_access_token"}}})
        }
    };
    let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    response
        .headers_mut()
        .insert("x-sonos-type", HeaderValue::from_static("globalError"));
    response
}

fn injected_error(sim: &Sim, status: u16, retry_after: Option<u64>) -> Response {
    match status {
        401 => unauthorized(sim.config.unauthorized_style),
        429 => {
            let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(json!({"errorCode": "ERROR_RATE_LIMITED", "reason": "Too Many Requests (simulated)"}))).into_response();
            let headers = response.headers_mut();
            headers.insert("x-sonos-type", HeaderValue::from_static("globalError"));
            if let Some(secs) = retry_after {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
        other => ApiError::injected(other).into_response(),
    }
}

/// A JSON body decoded the way Sonos reports problems: not JSON → `ERROR_INVALID_SYNTAX`;
/// a required field missing → `ERROR_MISSING_PARAMETERS`; a wrong type or value →
/// `ERROR_INVALID_PARAMETER`. An empty body counts as `{}`.
struct Body<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| ApiError::syntax("the request body could not be read"))?;
        parse(&bytes).map(Body)
    }
}

/// See [`Body`].
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    let value: serde_json::Value = serde_json::from_slice(text)
        .map_err(|e| ApiError::syntax(format!("malformed JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::syntax("the body must be a JSON object"));
    }
    serde_json::from_value(value).map_err(|e| {
        let message = e.to_string();
        match message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            Some(field) => ApiError::missing(format!("Missing required value: {field}")),
            None => ApiError::invalid_parameter(message),
        }
    })
}

fn in_range(name: &str, value: i64, min: i64, max: i64) -> Result<(), ApiError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ApiError::invalid_parameter(format!(
            "{name} must be between {min} and {max}, not {value}"
        )))
    }
}

// ----- shared by favorites and playlists --------------------------------------------------

fn image(sim_links: &Links, key: &str) -> String {
    format!("{}/sim/art/{key}.svg", sim_links.public_url)
}

fn check_load(id_len: usize, what: &str) -> Result<(), ApiError> {
    if id_len == 0 || id_len > 36 {
        return Err(ApiError::invalid_parameter(format!(
            "{what} has 1 to 36 characters"
        )));
    }
    Ok(())
}

/// loadFavorite and loadPlaylist: the same rules over two lists.
struct Load<'a> {
    id: &'a str,
    /// The body field the ID came in, for error messages.
    field: &'static str,
    action: Option<LoadAction>,
    modes: Option<PlayModes>,
    play: bool,
}

impl Load<'_> {
    fn apply(self, sim: &Sim, group: &GroupId, list: fn(&Household) -> &Vec<Item>) -> Answer {
        check_load(self.id.len(), self.field)?;
        sim.on_group(group, |h, i, ctx| {
            let item = list(h)
                .iter()
                .find(|item| item.id == self.id)
                .cloned()
                .ok_or_else(|| {
                    ApiError::invalid_object(format!(
                        "no {} {}",
                        self.field.trim_end_matches("Id"),
                        self.id
                    ))
                })?;
            h.load(i, item, self.action, self.modes, self.play, ctx)?;
            Ok(ok())
        })
    }
}
