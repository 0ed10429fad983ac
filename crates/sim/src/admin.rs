//! The simulator's own API under `/sim`: artwork, and the admin controls tests, the demo and
//! benchmarks use to change the world behind the app's back — faults, tokens, players, the
//! clock — and to read what the simulator did.

use crate::catalog;
use crate::error::ApiError;
use crate::faults::Faults;
use crate::instance::Sim;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use roomtone_sonos::PlayerId;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub(crate) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/art/{file}", get(artwork))
        .route("/callback", get(callback))
        .route("/admin/state", get(state))
        .route("/admin/faults", get(faults).put(set_faults))
        .route("/admin/tokens", post(mint_token))
        .route("/admin/tokens/expire", post(expire_tokens))
        .route("/admin/tokens/revoke", post(revoke_tokens))
        .route("/admin/players/{id}/unplug", post(unplug))
        .route("/admin/players/{id}/replug", post(replug))
        .route("/admin/players/{id}/rename", post(rename))
        .route("/admin/clock/advance", post(advance_clock))
        .route("/admin/subscriptions", get(subscriptions))
        .route("/admin/event-callback", put(set_callback))
        .route("/admin/stats", get(stats))
}

type Answer = Result<Response, ApiError>;

/// `GET /`: what this simulator serves, for a person who opened it in a browser.
pub(crate) async fn index(State(sim): State<Arc<Sim>>) -> Html<String> {
    let world = sim.world();
    let mut rooms = String::new();
    for household in &world.households {
        rooms.push_str(&format!(
            "<h3>Household <code>{}</code></h3><ul>",
            household.id
        ));
        for group in &household.groups {
            let names: Vec<String> = group
                .members
                .iter()
                .filter_map(|m| household.player(m))
                .map(|p| p.model.name.clone())
                .collect();
            rooms.push_str(&format!(
                "<li><b>{}</b> — {} <code>{}</code></li>",
                names.join(" + "),
                group.playback.state,
                group.id
            ));
        }
        rooms.push_str("</ul>");
    }
    let base = &sim.links.public_url;
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>roomtone-sim</title><style>body{{font:15px/1.5 system-ui,sans-serif;max-width:760px;margin:40px auto;padding:0 16px;color:#222}}code{{background:#f3f3f3;padding:1px 4px;border-radius:4px}}</style></head><body>
<h1>roomtone-sim</h1><p>A simulator of the Sonos cloud for Roomtone's tests and demo mode.</p>
<ul><li>Login service: <code>{base}/login/v3/oauth</code> and <code>{base}/login/v3/oauth/access</code></li>
<li>Control API: <code>{base}/control/api/v1</code></li><li>Admin API: <code>{base}/sim/admin/…</code> (see docs/simulator.md)</li>
<li>Client ID: <code>{client}</code>; redirect URIs: <code>{redirects}</code>; event callback: <code>{callback}</code></li></ul>{rooms}</body></html>"#,
        client = sim.config.client_id,
        redirects = sim.config.redirect_uris.join(", "),
        callback = world.callback.as_deref().unwrap_or("none"),
    ))
}

/// `GET /sim/callback`: a redirect URI the simulator hosts itself, so a person can walk
/// through the login in a browser and see the code (or the error) that came back.
async fn callback(
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let rows: String = ["state", "code", "error"]
        .iter()
        .filter_map(|k| {
            query
                .get(*k)
                .map(|v| format!("<tr><th>{k}</th><td><code>{}</code></td></tr>", escape(v)))
        })
        .collect();
    let verdict = if query.contains_key("code") {
        "Sign-in allowed. Exchange the code at <code>POST /login/v3/oauth/access</code> within its lifetime; it works once."
    } else if query.contains_key("error") {
        "Sign-in was not allowed."
    } else {
        "No code and no error: this page is where the simulator's login sends the browser back."
    };
    let page = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>roomtone-sim callback</title><style>body{{font:15px/1.5 system-ui,sans-serif;max-width:640px;margin:40px auto;padding:0 16px}}th{{text-align:left;padding-right:12px}}code{{background:#f3f3f3;padding:1px 4px;border-radius:4px}}</style></head><body><h1>Login callback</h1><p>{verdict}</p><table>{rows}</table></body></html>"#
    );
    let mut response = Html(page).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    response
}

async fn artwork(Path(file): Path<String>) -> Response {
    let svg = file.strip_suffix(".svg").and_then(catalog::artwork_svg);
    match svg {
        Some(svg) => {
            let mut response = svg.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            );
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            );
            response
        }
        None => (StatusCode::NOT_FOUND, "no such artwork").into_response(),
    }
}

async fn state(State(sim): State<Arc<Sim>>) -> Answer {
    sim.act(|households, ctx| {
        let list: Vec<Value> = households
            .iter()
            .map(|h| {
                let groups: Vec<Value> = (0..h.groups.len())
                    .map(|i| json!({"group": h.group_model(&h.groups[i], true), "playback": h.playback_status(i, ctx.now), "metadata": h.metadata(i, &sim.links), "volume": h.group_volume(i)}))
                    .collect();
                let players: Vec<Value> = h
                    .players
                    .iter()
                    .map(|p| json!({"id": p.model.id, "name": p.model.name, "volume": p.volume, "muted": p.muted, "fixed": p.fixed(), "unplugged": p.unplugged, "tvPowerState": p.home_theater.is_some().then_some(&p.tv_power), "settings": p.settings, "clips": p.clips.iter().map(|(c, _)| c).collect::<Vec<_>>()}))
                    .collect();
                json!({"id": h.id, "groups": groups, "players": players, "goneGroups": h.gone_groups.keys().collect::<Vec<_>>()})
            })
            .collect();
        Ok(Json(json!({"now": ctx.now, "households": list})).into_response())
    })
}

async fn faults(State(sim): State<Arc<Sim>>) -> Json<Faults> {
    Json(sim.world().faults.clone())
}

async fn set_faults(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Answer {
    let faults: Faults = serde_json::from_slice(&body)
        .map_err(|e| ApiError::invalid_parameter(format!("faults: {e}")))?;
    faults.validate().map_err(ApiError::invalid_parameter)?;
    sim.world().faults = faults.clone();
    Ok(Json(faults).into_response())
}

/// Mints a token pair without the browser dance: a second "phone", or a test's shortcut.
async fn mint_token(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let mut world = sim.world();
    let world = &mut *world;
    let granted = world.tokens.grant_new(
        &mut world.rng,
        sim.clock.now(),
        sim.config.access_token_lifetime_secs,
    );
    Json(
        json!({"access_token": granted.access_token, "refresh_token": granted.refresh_token, "expires_in": granted.expires_in, "token_type": "Bearer"}),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenSelector {
    access_token: Option<String>,
    refresh_token: Option<String>,
}

fn selector(body: &[u8]) -> Result<TokenSelector, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(TokenSelector::default());
    }
    serde_json::from_slice(body).map_err(|e| ApiError::invalid_parameter(e.to_string()))
}

async fn expire_tokens(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Answer {
    let selector = selector(&body)?;
    let count = sim
        .world()
        .tokens
        .expire_access(selector.access_token.as_deref(), sim.clock.now());
    Ok(Json(json!({"expired": count})).into_response())
}

async fn revoke_tokens(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Answer {
    let selector = selector(&body)?;
    let count = sim.world().tokens.revoke(selector.refresh_token.as_deref());
    Ok(Json(json!({"revoked": count})).into_response())
}

fn on_any_player(
    sim: &Sim,
    id: &PlayerId,
    f: impl FnOnce(
        &mut crate::household::Household,
        &mut crate::household::Ctx<'_>,
    ) -> Result<(), ApiError>,
) -> Answer {
    sim.act(|households, ctx| {
        let household = households
            .iter_mut()
            .find(|h| h.player(id).is_some())
            .ok_or_else(|| ApiError::invalid_object(format!("unknown player {id}")))?;
        f(household, ctx)?;
        Ok(Json(json!({"ok": true})).into_response())
    })
}

async fn unplug(State(sim): State<Arc<Sim>>, Path(id): Path<PlayerId>) -> Answer {
    on_any_player(&sim, &id, |h, ctx| h.unplug(&id, ctx))
}

async fn replug(State(sim): State<Arc<Sim>>, Path(id): Path<PlayerId>) -> Answer {
    on_any_player(&sim, &id, |h, ctx| h.replug(&id, ctx))
}

#[derive(Debug, Deserialize)]
struct Rename {
    name: String,
}

async fn rename(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<PlayerId>,
    body: axum::body::Bytes,
) -> Answer {
    let Rename { name } =
        serde_json::from_slice(&body).map_err(|e| ApiError::invalid_parameter(e.to_string()))?;
    on_any_player(&sim, &id, |h, ctx| h.rename(&id, &name, &mut ctx.out))
}

#[derive(Debug, Deserialize)]
struct Advance {
    millis: i64,
}

async fn advance_clock(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Answer {
    let Advance { millis } =
        serde_json::from_slice(&body).map_err(|e| ApiError::invalid_parameter(e.to_string()))?;
    sim.clock.advance(millis);
    // Bring playing groups up to the new time and send what changed.
    sim.act(|_, ctx| Ok(Json(json!({"now": ctx.now})).into_response()))
}

async fn subscriptions(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let now = sim.clock.now();
    Json(json!({"subscriptions": sim.world().subscriptions.list(now)}))
}

#[derive(Debug, Deserialize)]
struct Callback {
    url: Option<String>,
}

async fn set_callback(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Answer {
    let Callback { url } =
        serde_json::from_slice(&body).map_err(|e| ApiError::invalid_parameter(e.to_string()))?;
    if let Some(url) = &url {
        let parsed =
            url::Url::parse(url).map_err(|e| ApiError::invalid_parameter(format!("url: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ApiError::invalid_parameter(
                "the callback must be an http(s) URL",
            ));
        }
    }
    sim.world().callback = url.clone();
    Ok(Json(json!({"url": url})).into_response())
}

async fn stats(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({
        "controlRequests": sim.control_requests.load(Ordering::Relaxed),
        "eventsDelivered": sim.stats.delivered.load(Ordering::Relaxed),
        "eventAttemptsFailed": sim.stats.failed_attempts.load(Ordering::Relaxed),
        "eventsDropped": sim.stats.dropped.load(Ordering::Relaxed),
    }))
}
