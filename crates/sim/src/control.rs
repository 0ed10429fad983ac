//! The simulated Control API (REFERENCE §4): every endpoint of the client, behind a gate
//! that applies injected faults and checks the bearer token.

use crate::config::{InitialEvents, UnauthorizedStyle};
use crate::error::{ok, sonos, ApiError};
use crate::household::{Emit, Household};
use crate::Sim;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use rand::Rng;
use roomtone_sonos::events::TargetType;
use roomtone_sonos::models::*;
use roomtone_sonos::{AudioClipId, GroupId, HouseholdId, PlayerId, PlaylistId};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

type Answer = Result<Response, ApiError>;

pub(crate) fn routes(sim: Arc<Sim>) -> axum::Router<Arc<Sim>> {
    let mut router = Router::new()
        .route("/households", get(households))
        .route("/households/{hh}/groups", get(groups))
        .route("/households/{hh}/groups/createGroup", post(create_group))
        .route("/groups/{g}/groups/modifyGroupMembers", post(modify_group))
        .route("/groups/{g}/groups/setGroupMembers", post(set_group))
        .route("/groups/{g}/playback", get(playback_status))
        .route("/groups/{g}/playback/{command}", post(playback_command))
        .route("/groups/{g}/playbackMetadata", get(metadata))
        .route(
            "/groups/{g}/groupVolume",
            get(group_volume).post(set_group_volume),
        )
        .route("/groups/{g}/groupVolume/relative", post(group_relative))
        .route("/groups/{g}/groupVolume/mute", post(group_mute))
        .route(
            "/players/{p}/playerVolume",
            get(player_volume).post(set_player_volume),
        )
        .route("/players/{p}/playerVolume/relative", post(player_relative))
        .route("/players/{p}/playerVolume/mute", post(player_mute))
        .route("/players/{p}/playerVolume/duck", post(duck))
        .route("/players/{p}/playerVolume/unduck", post(unduck))
        .route("/households/{hh}/favorites", get(favorites))
        .route("/groups/{g}/favorites", post(load_favorite))
        .route("/households/{hh}/playlists", get(playlists))
        .route(
            "/households/{hh}/playlists/getPlaylist",
            post(get_playlist_legacy),
        )
        .route("/households/{hh}/playlists/{id}", get(get_playlist))
        .route("/groups/{g}/playlists", post(load_playlist))
        .route("/players/{p}/audioClip", post(load_clip))
        .route(
            "/players/{p}/audioClip/{clip}",
            axum::routing::delete(cancel_clip),
        )
        .route("/players/{p}/homeTheater", post(home_theater_playback))
        .route("/players/{p}/homeTheater/tvPowerState", post(tv_power))
        .route(
            "/players/{p}/homeTheater/options",
            get(ht_options).post(set_ht_options),
        )
        .route(
            "/players/{p}/settings/player",
            get(settings).post(set_settings),
        );
    for (kind, namespace) in SUBSCRIBABLE {
        let path = format!("/{kind}/{{id}}/{namespace}/subscription");
        router = router.route(
            &path,
            post(
                move |State(sim): State<Arc<Sim>>,
                      Extension(caller): Extension<Caller>,
                      Path(id): Path<String>| async move {
                    subscribe(&sim, caller, kind, namespace, id, true)
                },
            )
            .delete(
                move |State(sim): State<Arc<Sim>>,
                      Extension(caller): Extension<Caller>,
                      Path(id): Path<String>| async move {
                    subscribe(&sim, caller, kind, namespace, id, false)
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

const SUBSCRIBABLE: [(&str, &str); 8] = [
    ("households", "groups"),
    ("households", "favorites"),
    ("households", "playlists"),
    ("groups", "playback"),
    ("groups", "playbackMetadata"),
    ("groups", "groupVolume"),
    ("players", "playerVolume"),
    ("players", "audioClip"),
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

// ----- households and groups -------------------------------------------------------------

async fn households(State(sim): State<Arc<Sim>>) -> Answer {
    sim.act(|households, _| {
        let list = Households {
            households: households
                .iter()
                .map(|h| roomtone_sonos::models::Household {
                    id: h.id.clone(),
                    name: None,
                })
                .collect(),
        };
        Ok(sonos("households", &list))
    })
}

async fn groups(State(sim): State<Arc<Sim>>, Path(hh): Path<HouseholdId>) -> Answer {
    sim.on_household(&hh, |h, _| Ok(sonos("groups", &h.groups_model(true))))
}

async fn create_group(
    State(sim): State<Arc<Sim>>,
    Path(hh): Path<HouseholdId>,
    Body(request): Body<CreateGroup>,
) -> Answer {
    sim.on_household(&hh, |h, ctx| {
        let group = h.create_group(request, ctx)?;
        Ok(sonos("groupInfo", &GroupInfo { group: Some(group) }))
    })
}

async fn modify_group(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<ModifyGroupMembers>,
) -> Answer {
    sim.on_group(&g, |h, i, ctx| {
        let group = h.modify_group(
            i,
            &request.player_ids_to_add,
            &request.player_ids_to_remove,
            ctx,
        )?;
        Ok(sonos("groupInfo", &GroupInfo { group: Some(group) }))
    })
}

async fn set_group(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<SetGroupMembers>,
) -> Answer {
    sim.on_group(&g, |h, i, ctx| {
        let group = h.set_group(i, request.player_ids, ctx)?;
        Ok(sonos("groupInfo", &GroupInfo { group: Some(group) }))
    })
}

// ----- playback ---------------------------------------------------------------------------

async fn playback_status(State(sim): State<Arc<Sim>>, Path(g): Path<GroupId>) -> Answer {
    sim.on_group(&g, |h, i, ctx| {
        Ok(sonos("playbackStatus", &h.playback_status(i, ctx.now)))
    })
}

async fn metadata(State(sim): State<Arc<Sim>>, Path(g): Path<GroupId>) -> Answer {
    sim.on_group(&g, |h, i, ctx| {
        Ok(sonos("metadataStatus", &h.metadata(i, ctx.links)))
    })
}

/// After `play`, the BUFFERING → PLAYING step, `config.buffering` later.
fn schedule_playing(sim: &Arc<Sim>, group: GroupId, generation: u64) {
    let sim = sim.clone();
    tokio::spawn(async move {
        tokio::time::sleep(sim.config.buffering).await;
        let _ = sim.act(|households, ctx| {
            for h in households.iter_mut() {
                h.finish_buffering(&group, generation, ctx);
            }
            Ok(())
        });
    });
}

async fn playback_command(
    State(sim): State<Arc<Sim>>,
    Path((g, command)): Path<(GroupId, String)>,
    body: Bytes,
) -> Answer {
    macro_rules! parsed {
        ($t:ty) => {
            parse::<$t>(&body)?
        };
    }
    let playing = match command.as_str() {
        "play" => sim.on_group(&g, |h, i, ctx| h.play(i, ctx).map(Some))?,
        "pause" => sim.on_group(&g, |h, i, ctx| h.pause(i, ctx).map(|()| None))?,
        "togglePlayPause" => sim.on_group(&g, |h, i, ctx| h.toggle(i, ctx))?,
        "skipToNextTrack" => sim.on_group(&g, |h, i, ctx| h.skip_next(i, ctx).map(|()| None))?,
        "skipToPreviousTrack" => {
            sim.on_group(&g, |h, i, ctx| h.skip_previous(i, ctx).map(|()| None))?
        }
        "skipBack" => sim.on_group(&g, |h, i, ctx| h.skip_back(i, ctx).map(|()| None))?,
        "seek" => {
            let seek = parsed!(Seek);
            sim.on_group(&g, |h, i, ctx| {
                h.seek(i, seek.position_millis, seek.item_id.as_deref(), ctx)
                    .map(|()| None)
            })?
        }
        "seekRelative" => {
            let seek = parsed!(SeekRelative);
            sim.on_group(&g, |h, i, ctx| {
                let now = h.playback_status(i, ctx.now).position_millis.unwrap_or(0);
                h.seek(
                    i,
                    (now + seek.delta_millis).max(0),
                    seek.item_id.as_deref(),
                    ctx,
                )
                .map(|()| None)
            })?
        }
        "playMode" => {
            let modes = parsed!(SetPlayModes);
            sim.on_group(&g, |h, i, ctx| {
                h.set_modes(i, modes.play_modes, ctx).map(|()| None)
            })?
        }
        "lineIn" => {
            let line_in = parsed!(LoadLineIn);
            if line_in
                .device_id
                .as_ref()
                .is_some_and(|d| d.as_str().len() > 24)
            {
                return Err(ApiError::invalid_parameter(
                    "deviceId has at most 24 characters",
                ));
            }
            sim.on_group(&g, |h, i, ctx| {
                h.line_in(
                    i,
                    line_in.device_id.as_ref(),
                    line_in.play_on_completion.unwrap_or(false),
                    ctx,
                )
                .map(|()| None)
            })?
        }
        _ => {
            return Err(ApiError::unsupported_command(format!(
                "playback has no command {command}"
            )))
        }
    };
    if let Some(generation) = playing {
        schedule_playing(&sim, g, generation);
    }
    Ok(ok())
}

// ----- volume -----------------------------------------------------------------------------

async fn group_volume(State(sim): State<Arc<Sim>>, Path(g): Path<GroupId>) -> Answer {
    sim.on_group(&g, |h, i, _| Ok(sonos("groupVolume", &h.group_volume(i))))
}

async fn set_group_volume(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<SetVolume>,
) -> Answer {
    let volume = request
        .volume
        .ok_or_else(|| ApiError::missing("Missing required value: volume"))?;
    in_range("volume", volume as i64, 0, 100)?;
    sim.on_group(&g, |h, i, ctx| {
        h.set_group_volume(i, volume, &mut ctx.out).map(|()| ok())
    })
}

async fn group_relative(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<SetRelativeVolume>,
) -> Answer {
    let delta = request
        .volume_delta
        .ok_or_else(|| ApiError::missing("Missing required value: volumeDelta"))?;
    in_range("volumeDelta", delta as i64, -100, 100)?;
    sim.on_group(&g, |h, i, ctx| {
        let target = (h.group_volume(i).volume as i64 + delta as i64).clamp(0, 100) as u8;
        h.set_group_volume(i, target, &mut ctx.out).map(|()| ok())
    })
}

async fn group_mute(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<SetMute>,
) -> Answer {
    sim.on_group(&g, |h, i, ctx| {
        h.set_group_mute(i, request.muted, &mut ctx.out);
        Ok(ok())
    })
}

async fn player_volume(State(sim): State<Arc<Sim>>, Path(p): Path<PlayerId>) -> Answer {
    sim.on_player(&p, |h, id, _| {
        let player = h.player(id).expect("resolved");
        Ok(sonos(
            "playerVolume",
            &Volume {
                volume: player.volume,
                muted: Some(player.muted),
                fixed: Some(player.fixed()),
            },
        ))
    })
}

async fn set_player_volume(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<SetVolume>,
) -> Answer {
    if request.volume.is_none() && request.muted.is_none() {
        return Err(ApiError::missing("Missing required value: volume or muted"));
    }
    if let Some(volume) = request.volume {
        in_range("volume", volume as i64, 0, 100)?;
    }
    sim.on_player(&p, |h, id, ctx| {
        h.set_player_volume(id, request.volume, request.muted, &mut ctx.out)
            .map(|()| ok())
    })
}

async fn player_relative(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<SetRelativeVolume>,
) -> Answer {
    if request.volume_delta.is_none() && request.muted.is_none() {
        return Err(ApiError::missing(
            "Missing required value: volumeDelta or muted",
        ));
    }
    if let Some(delta) = request.volume_delta {
        in_range("volumeDelta", delta as i64, -100, 100)?;
    }
    sim.on_player(&p, |h, id, ctx| {
        let current = h.player(id).expect("resolved").volume as i64;
        let volume = request
            .volume_delta
            .map(|d| (current + d as i64).clamp(0, 100) as u8);
        h.set_player_volume(id, volume, request.muted, &mut ctx.out)
            .map(|()| ok())
    })
}

async fn player_mute(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<SetMute>,
) -> Answer {
    sim.on_player(&p, |h, id, ctx| {
        h.set_player_volume(id, None, Some(request.muted), &mut ctx.out)
            .map(|()| ok())
    })
}

async fn duck(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<Duck>,
) -> Answer {
    let duration = request.duration_millis.unwrap_or(3_000);
    in_range("durationMillis", duration as i64, 0, 60_000)?;
    sim.on_player(&p, |h, id, ctx| {
        h.player_mut(id).expect("resolved").ducked_until = Some(ctx.now + duration as i64);
        Ok(ok())
    })
}

async fn unduck(State(sim): State<Arc<Sim>>, Path(p): Path<PlayerId>) -> Answer {
    sim.on_player(&p, |h, id, _| {
        h.player_mut(id).expect("resolved").ducked_until = None;
        Ok(ok())
    })
}

// ----- favorites and playlists ------------------------------------------------------------

fn image(sim_links: &crate::household::Links, key: &str) -> String {
    format!("{}/sim/art/{key}.svg", sim_links.public_url)
}

async fn favorites(State(sim): State<Arc<Sim>>, Path(hh): Path<HouseholdId>) -> Answer {
    sim.on_household(&hh, |h, ctx| {
        let items = h
            .favorites
            .iter()
            .map(|f| Favorite {
                id: f.id.as_str().into(),
                name: f.name.clone(),
                description: Some(f.description.clone()),
                image_url: Some(image(ctx.links, &f.art)),
                service: Some(Service {
                    name: Some(f.service.to_owned()),
                    id: Some("9".into()),
                    ..Service::default()
                }),
                kind: None,
                image_compilation: None,
                resource: Some(FavoriteResource {
                    kind: Some(match &f.source {
                        crate::catalog::SourceDef::Station { .. } => "STATION".into(),
                        crate::catalog::SourceDef::Tracks { kind, .. } => kind.to_uppercase(),
                    }),
                    id: Some(MusicObjectId {
                        service_id: Some("9".into()),
                        object_id: format!("sim:container:{}", f.id),
                        account_id: None,
                    }),
                }),
            })
            .collect();
        Ok(sonos(
            "favoritesList",
            &FavoritesList {
                version: Some(h.favorites_version.to_string()),
                items,
            },
        ))
    })
}

fn check_load(id_len: usize, what: &str) -> Result<(), ApiError> {
    if id_len == 0 || id_len > 36 {
        return Err(ApiError::invalid_parameter(format!(
            "{what} has 1 to 36 characters"
        )));
    }
    Ok(())
}

async fn load_favorite(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<LoadFavorite>,
) -> Answer {
    let load = Load {
        id: request.favorite_id.as_str(),
        field: "favoriteId",
        action: request.action,
        modes: request.play_modes,
        play: request.play_on_completion.unwrap_or(false),
    };
    load.apply(&sim, &g, |h| &h.favorites)
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
    fn apply(
        self,
        sim: &Sim,
        group: &GroupId,
        list: fn(&Household) -> &Vec<crate::catalog::Item>,
    ) -> Answer {
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

async fn playlists(State(sim): State<Arc<Sim>>, Path(hh): Path<HouseholdId>) -> Answer {
    sim.on_household(&hh, |h, ctx| {
        let playlists = h
            .playlists
            .iter()
            .map(|p| Playlist {
                id: p.id.as_str().into(),
                name: p.name.clone(),
                kind: Some("playlist".into()),
                track_count: Some(match &p.source {
                    crate::catalog::SourceDef::Tracks { tracks, .. } => tracks.len() as u32,
                    crate::catalog::SourceDef::Station { .. } => 0,
                }),
                image_url: Some(image(ctx.links, &p.art)),
            })
            .collect();
        Ok(sonos(
            "playlistsList",
            &PlaylistsList {
                version: Some(h.playlists_version.to_string()),
                playlists,
            },
        ))
    })
}

fn playlist_summary(h: &Household, id: &PlaylistId) -> Result<Response, ApiError> {
    let p = h
        .playlists
        .iter()
        .find(|p| p.id == id.as_str())
        .ok_or_else(|| ApiError::invalid_object(format!("no playlist {id}")))?;
    let tracks = match &p.source {
        crate::catalog::SourceDef::Tracks { tracks, .. } => tracks
            .iter()
            .map(|t| PlaylistTrack {
                name: Some(t.name.to_owned()),
                artist: Some(t.artist.to_owned()),
                album: Some(t.album.to_owned()),
            })
            .collect(),
        crate::catalog::SourceDef::Station { .. } => Vec::new(),
    };
    Ok(sonos(
        "playlistSummary",
        &PlaylistSummary {
            id: id.clone(),
            name: p.name.clone(),
            kind: Some("playlist".into()),
            tracks,
        },
    ))
}

async fn get_playlist(
    State(sim): State<Arc<Sim>>,
    Path((hh, id)): Path<(HouseholdId, PlaylistId)>,
) -> Answer {
    sim.on_household(&hh, |h, _| playlist_summary(h, &id))
}

async fn get_playlist_legacy(
    State(sim): State<Arc<Sim>>,
    Path(hh): Path<HouseholdId>,
    Body(request): Body<GetPlaylist>,
) -> Answer {
    sim.on_household(&hh, |h, _| playlist_summary(h, &request.playlist_id))
}

async fn load_playlist(
    State(sim): State<Arc<Sim>>,
    Path(g): Path<GroupId>,
    Body(request): Body<LoadPlaylist>,
) -> Answer {
    let load = Load {
        id: request.playlist_id.as_str(),
        field: "playlistId",
        action: request.action,
        modes: request.play_modes,
        play: request.play_on_completion.unwrap_or(false),
    };
    load.apply(&sim, &g, |h| &h.playlists)
}

// ----- audio clips, home theater, settings ------------------------------------------------

async fn load_clip(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<LoadAudioClip>,
) -> Answer {
    let clip = sim.on_player(&p, |h, id, ctx| {
        h.load_clip(id, request, ctx.now, &mut ctx.out)
    })?;
    let (done, clip_id, player) = (sim.clone(), clip.id.clone(), p.clone());
    tokio::spawn(async move {
        tokio::time::sleep(done.config.audio_clip_duration).await;
        let _ = done.on_player(&player, |h, id, ctx| {
            h.end_clip(id, &clip_id, AudioClipState::Done, &mut ctx.out)
        });
    });
    Ok(sonos("audioClip", &clip))
}

async fn cancel_clip(
    State(sim): State<Arc<Sim>>,
    Path((p, clip)): Path<(PlayerId, AudioClipId)>,
) -> Answer {
    sim.on_player(&p, |h, id, ctx| {
        if !h
            .player(id)
            .expect("resolved")
            .model
            .has(&Capability::AudioClip)
        {
            return Err(ApiError::unsupported_namespace(
                "this player cannot play audio clips",
            ));
        }
        h.end_clip(id, &clip, AudioClipState::Dismissed, &mut ctx.out)
            .map(|()| ok())
    })
}

async fn home_theater_playback(State(sim): State<Arc<Sim>>, Path(p): Path<PlayerId>) -> Answer {
    sim.on_player(&p, |h, id, ctx| {
        h.home_theater_playback(id, ctx).map(|()| ok())
    })
}

fn home_theater(h: &mut Household, id: &PlayerId) -> Result<(), ApiError> {
    let player = h.player(id).expect("resolved");
    if player.home_theater.is_none() {
        return Err(ApiError::unsupported_namespace(format!(
            "{} is not a home-theater player",
            player.model.name
        )));
    }
    Ok(())
}

async fn tv_power(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<SetTvPowerState>,
) -> Answer {
    if let TvPowerState::Other(value) = &request.tv_power_state {
        return Err(ApiError::invalid_parameter(format!(
            "tvPowerState must be ON or STANDBY, not {value}"
        )));
    }
    sim.on_player(&p, |h, id, _| {
        home_theater(h, id)?;
        let player = h.player_mut(id).expect("resolved");
        if !player.model.has(&Capability::HtPowerState) {
            return Err(ApiError::unsupported_command(
                "this home-theater player cannot switch the TV (no HDMI-CEC)",
            ));
        }
        player.tv_power = request.tv_power_state;
        Ok(ok())
    })
}

async fn ht_options(State(sim): State<Arc<Sim>>, Path(p): Path<PlayerId>) -> Answer {
    sim.on_player(&p, |h, id, _| {
        home_theater(h, id)?;
        Ok(sonos(
            "homeTheaterOptions",
            &h.player(id).expect("resolved").home_theater,
        ))
    })
}

async fn set_ht_options(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<HomeTheaterOptions>,
) -> Answer {
    sim.on_player(&p, |h, id, _| {
        home_theater(h, id)?;
        let options = h
            .player_mut(id)
            .expect("resolved")
            .home_theater
            .as_mut()
            .expect("checked");
        options.night_mode = request.night_mode.or(options.night_mode);
        options.enhance_dialog = request.enhance_dialog.or(options.enhance_dialog);
        Ok(sonos("homeTheaterOptions", &*options))
    })
}

async fn settings(State(sim): State<Arc<Sim>>, Path(p): Path<PlayerId>) -> Answer {
    sim.on_player(&p, |h, id, _| {
        Ok(sonos(
            "playerSettings",
            &h.player(id).expect("resolved").settings,
        ))
    })
}

async fn set_settings(
    State(sim): State<Arc<Sim>>,
    Path(p): Path<PlayerId>,
    Body(request): Body<PlayerSettings>,
) -> Answer {
    if let Some(factor) = request.volume_scaling_factor {
        if !(0.01..=1.0).contains(&factor) {
            return Err(ApiError::invalid_parameter(
                "volumeScalingFactor must be between 0.01 and 1.0",
            ));
        }
    }
    if let Some(VolumeMode::Other(mode)) = &request.volume_mode {
        return Err(ApiError::invalid_parameter(format!(
            "unknown volumeMode {mode}"
        )));
    }
    sim.on_player(&p, |h, id, _| {
        let player = h.player_mut(id).expect("resolved");
        if request.volume_scaling_factor.is_some() && player.model.device_ids.len() > 1 {
            return Err(ApiError::not_capable(
                "volumeScalingFactor can only be set on a primary player",
            ));
        }
        let settings = &mut player.settings;
        settings.volume_mode = request.volume_mode.or(settings.volume_mode.take());
        settings.volume_scaling_factor = request
            .volume_scaling_factor
            .or(settings.volume_scaling_factor);
        settings.mono_mode = request.mono_mode.or(settings.mono_mode);
        settings.wifi_disable = request.wifi_disable.or(settings.wifi_disable);
        Ok(sonos("none", &json!({})))
    })
}

// ----- subscriptions ----------------------------------------------------------------------

fn subscribe(
    sim: &Arc<Sim>,
    caller: Caller,
    kind: &'static str,
    namespace: &'static str,
    id: String,
    on: bool,
) -> Answer {
    let now = sim.clock.now();
    let initial_for = |documented: bool| match sim.config.initial_events {
        InitialEvents::All => true,
        InitialEvents::Documented => documented,
        InitialEvents::None => false,
    };
    // Resolve the target (and its errors) and collect the initial event, if any.
    let (household, target_type, initial) = match kind {
        "households" => sim.on_household(&HouseholdId::new(id.clone()), |h, ctx| {
            let mut out = Vec::new();
            if initial_for(false) {
                match namespace {
                    "groups" => h.emit_groups(&mut out),
                    "favorites" => h.emit_favorites(&mut out),
                    _ => h.emit_playlists(&mut out),
                }
            }
            let _ = ctx;
            Ok((h.id.clone(), TargetType::HouseholdId, out))
        })?,
        "groups" => sim.on_group(&GroupId::new(id.clone()), |h, i, ctx| {
            let mut out: Vec<Emit> = Vec::new();
            match namespace {
                "playbackMetadata" if initial_for(true) => h.emit_metadata(i, ctx.links, &mut out),
                "playback" if initial_for(false) => h.emit_playback(i, ctx.now, &mut out),
                "groupVolume" if initial_for(false) => h.emit_group_volume(i, &mut out),
                _ => {}
            }
            Ok((h.id.clone(), TargetType::GroupId, out))
        })?,
        _ => sim.on_player(&PlayerId::new(id.clone()), |h, pid, _| {
            let player = h.player(pid).expect("resolved");
            if namespace == "audioClip" && !player.model.has(&Capability::AudioClip) {
                return Err(ApiError::unsupported_namespace(format!(
                    "{} cannot play audio clips",
                    player.model.name
                )));
            }
            let mut out = Vec::new();
            match namespace {
                "playerVolume" if initial_for(true) => h.emit_player_volume(pid, &mut out),
                "audioClip" if initial_for(false) => h.emit_clips(pid, &mut out),
                _ => {}
            }
            Ok((h.id.clone(), TargetType::PlayerId, out))
        })?,
    };
    if on {
        sim.subscribe(caller.0, &household, namespace, target_type, &id, initial)?;
    } else {
        // Unsubscribing from nothing is not an error: the answer is the same either way.
        sim.world()
            .subscriptions
            .unsubscribe(caller.0, namespace, &id, now);
    }
    Ok(ok())
}
