//! The simulated login service (REFERENCE §2, §8 "Login service"): the authorize step with
//! its consent page, and the token endpoint for both grants.

use crate::instance::Sim;
use axum::extract::{Query, RawForm, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/login/v3/oauth", get(authorize))
        .route("/login/v3/oauth/consent", post(consent))
        .route("/login/v3/oauth/access", post(access))
}

#[derive(Debug, Deserialize)]
struct AuthorizeParams {
    client_id: Option<String>,
    response_type: Option<String>,
    state: Option<String>,
    scope: Option<String>,
    redirect_uri: Option<String>,
}

/// The login page's answer to bad parameters: JSON `invalid_request`, no redirect.
fn invalid_request(description: &str) -> Response {
    let mut response = (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": "invalid_request", "error_description": description})),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The redirect URI and state of valid authorize parameters, or why they are not valid.
fn validate(sim: &Sim, params: &AuthorizeParams) -> Result<(String, String), &'static str> {
    if params.client_id.as_deref() != Some(sim.config.client_id.as_str()) {
        return Err("unknown client_id");
    }
    if params.response_type.as_deref() != Some("code") {
        return Err("response_type must be code");
    }
    if params.scope.as_deref() != Some(roomtone_sonos::login::SCOPE) {
        return Err("scope must be playback-control-all");
    }
    let redirect = params.redirect_uri.clone().unwrap_or_default();
    if !sim.config.redirect_uris.iter().any(|r| r == &redirect) {
        return Err("redirect_uri is not registered for this client");
    }
    Ok((redirect, params.state.clone().unwrap_or_default()))
}

/// `redirect_uri` with `pairs` added to its query.
fn back_to(redirect: &str, pairs: &[(&str, &str)]) -> Response {
    let mut url = url::Url::parse(redirect).expect("registered redirect URIs are URLs");
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
    }
    let mut response = Redirect::to(url.as_str()).into_response();
    *response.status_mut() = StatusCode::FOUND;
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

fn grant_code(sim: &Sim, redirect: &str, state: &str) -> Response {
    let code = {
        let mut world = sim.world();
        let world = &mut *world;
        let expires = sim.clock.now() + sim.config.code_lifetime_secs as i64 * 1000;
        world.tokens.issue_code(&mut world.rng, redirect, expires)
    };
    back_to(redirect, &[("state", state), ("code", &code)])
}

async fn authorize(State(sim): State<Arc<Sim>>, Query(params): Query<AuthorizeParams>) -> Response {
    let (redirect, state) = match validate(&sim, &params) {
        Ok(ok) => ok,
        Err(why) => return invalid_request(why),
    };
    if sim.config.auto_consent {
        return grant_code(&sim, &redirect, &state);
    }
    consent_page(&sim, &params, &redirect, &state)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn consent_page(sim: &Sim, params: &AuthorizeParams, redirect: &str, state: &str) -> Response {
    let name = escape(&sim.config.integration_name);
    let hidden =
        |k: &str, v: &str| format!(r#"<input type="hidden" name="{k}" value="{}">"#, escape(v));
    let fields = [
        hidden("client_id", params.client_id.as_deref().unwrap_or_default()),
        hidden("response_type", "code"),
        hidden("scope", roomtone_sonos::login::SCOPE),
        hidden("redirect_uri", redirect),
        hidden("state", state),
    ]
    .join("");
    let page = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Sonos (simulated) — allow {name}?</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;background:#f4f2ef;color:#1d1d1f;display:grid;place-items:center;min-height:100vh;margin:0}}main{{background:#fff;border-radius:16px;padding:32px 36px;max-width:420px;box-shadow:0 8px 30px rgba(0,0,0,.08)}}h1{{font-size:22px;margin:0 0 8px}}ul{{padding-left:20px}}.row{{display:flex;gap:12px;margin-top:24px}}button{{flex:1;font:inherit;padding:10px 14px;border-radius:999px;border:1px solid #1d1d1f;background:#fff;cursor:pointer}}button[value=allow]{{background:#1d1d1f;color:#fff}}small{{color:#6e6e73}}</style></head>
<body><main><small>Sonos login service — simulator</small><h1>Allow {name} to control your Sonos system?</h1>
<p>{name} will be able to:</p><ul><li>See what's playing</li><li>Change playback and volume</li><li>Change rooms and groups</li><li>Play favorites and playlists</li></ul>
<form method="post" action="/login/v3/oauth/consent">{fields}<div class="row"><button name="decision" value="deny" id="deny">Deny</button><button name="decision" value="allow" id="allow">Allow</button></div></form></main></body></html>"#
    );
    let mut response = Html(page).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert("content-security-policy", HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"));
    response
}

#[derive(Debug, Deserialize)]
struct ConsentForm {
    client_id: Option<String>,
    response_type: Option<String>,
    state: Option<String>,
    scope: Option<String>,
    redirect_uri: Option<String>,
    decision: String,
}

async fn consent(State(sim): State<Arc<Sim>>, Form(form): Form<ConsentForm>) -> Response {
    let params = AuthorizeParams {
        client_id: form.client_id,
        response_type: form.response_type,
        state: form.state,
        scope: form.scope,
        redirect_uri: form.redirect_uri,
    };
    let (redirect, state) = match validate(&sim, &params) {
        Ok(ok) => ok,
        Err(why) => return invalid_request(why),
    };
    match form.decision.as_str() {
        "allow" => grant_code(&sim, &redirect, &state),
        _ => back_to(&redirect, &[("state", &state), ("error", "access_denied")]),
    }
}

fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `Basic base64(client_id:secret)`, decoded. oauth2 clients form-encode both parts first.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

async fn access(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    RawForm(body): RawForm,
) -> Response {
    if sim.world().faults.login_down {
        return token_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the login service is down (simulated)",
        );
    }
    let Some((id, secret)) = basic_credentials(&headers) else {
        return token_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client id or secret missing",
        );
    };
    let id_ok = roomtone_sonos::Secret::ct_eq(
        &roomtone_sonos::ClientSecret::new(id),
        &sim.config.client_id,
    );
    let secret_ok = roomtone_sonos::Secret::ct_eq(
        &roomtone_sonos::ClientSecret::new(secret),
        &sim.config.client_secret,
    );
    if !(id_ok && secret_ok) {
        return token_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Authentication required",
        );
    }
    // Parameters from the form body, or from the query string as the docs' "Try it" sends them.
    let mut params: HashMap<String, String> = query;
    params.extend(url::form_urlencoded::parse(&body).into_owned());
    let now = sim.clock.now();
    let lifetime = sim.config.access_token_lifetime_secs;
    let mut world = sim.world();
    let world = &mut *world;
    let granted = match params.get("grant_type").map(String::as_str) {
        None => {
            return token_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "missing grant_type",
            )
        }
        Some("authorization_code") => {
            let Some(code) = params.get("code") else {
                return token_error(StatusCode::BAD_REQUEST, "invalid_request", "missing code");
            };
            world.tokens.redeem_code(
                &mut world.rng,
                code,
                params.get("redirect_uri").map(String::as_str),
                now,
                lifetime,
            )
        }
        Some("refresh_token") => {
            let Some(token) = params.get("refresh_token") else {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "missing refresh_token",
                );
            };
            world.tokens.refresh(
                &mut world.rng,
                token,
                sim.config.rotate_refresh_tokens,
                now,
                lifetime,
            )
        }
        Some(_) => {
            return token_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            )
        }
    };
    match granted {
        Ok(g) => {
            let mut response = Json(json!({
                "access_token": g.access_token,
                "token_type": "Bearer",
                "refresh_token": g.refresh_token,
                "expires_in": g.expires_in,
                "scope": roomtone_sonos::login::SCOPE,
            }))
            .into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(crate::tokens::Refusal::InvalidGrant(why)) => {
            token_error(StatusCode::BAD_REQUEST, "invalid_grant", why)
        }
        Err(crate::tokens::Refusal::InvalidRequest(why)) => {
            token_error(StatusCode::BAD_REQUEST, "invalid_request", why)
        }
    }
}
