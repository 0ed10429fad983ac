//! The relay's HTML pages: self-contained, no external loads, inline script only by nonce,
//! and plain words for a person whose app did not open.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use rand::RngCore;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const STYLE: &str = "body{font:16px/1.55 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;min-height:100vh;display:grid;place-items:center;background:#f5f4f1;color:#1c1c1e}@media(prefers-color-scheme:dark){body{background:#141416;color:#f2f2f4}main{background:#1f1f23!important;box-shadow:none!important}a.secondary{color:#f2f2f4!important;border-color:#55555c!important}p.fine{color:#a1a1a8!important}}main{background:#fff;border-radius:18px;padding:36px 40px;max-width:440px;box-shadow:0 10px 40px rgba(0,0,0,.08)}h1{font-size:22px;margin:0 0 10px}p{margin:0 0 14px}.actions{display:flex;flex-direction:column;gap:10px;margin-top:22px}a.button{display:block;text-align:center;padding:11px 16px;border-radius:999px;text-decoration:none;font-weight:600}a.primary{background:#1c1c1e;color:#fff}@media(prefers-color-scheme:dark){a.primary{background:#f2f2f4;color:#141416}}a.secondary{border:1px solid #c7c7cc;color:#1c1c1e}p.fine{font-size:13px;color:#6e6e73;margin-top:18px}.mark{font-size:13px;letter-spacing:.08em;text-transform:uppercase;color:#8e8e93;margin-bottom:14px}";

/// A page: its status, title, body HTML (already escaped), and an optional URL the page
/// opens by itself.
pub fn page(status: StatusCode, title: &str, body: &str, open: Option<&str>) -> Response {
    let mut nonce = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut nonce);
    let nonce = base64::engine::general_purpose::STANDARD.encode(nonce);
    let script = match open {
        // The URL goes in as a JSON string literal, so no quote in it can end the script.
        Some(url) => format!(
            r#"<script nonce="{nonce}">history.replaceState(null, "", location.pathname); window.location.href = {};</script>"#,
            serde_json::to_string(url)
                .expect("strings serialize")
                .replace('<', "\\u003c")
        ),
        None => String::new(),
    };
    let html = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>{title} — Roomtone</title><style nonce="{nonce}">{STYLE}</style></head><body><main><div class="mark">Roomtone</div><h1>{title}</h1>{body}</main>{script}</body></html>"#,
        title = escape(title),
    );
    let mut response = (status, Html(html)).into_response();
    let csp = format!("default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&csp).expect("ASCII"),
    );
    response
}

/// After Sonos: open the app, with the loopback URL as the fallback.
pub fn hand_off(deep_link: &str, loopback: &str) -> Response {
    let body = format!(
        r#"<p>You're signed in to Sonos. Roomtone should open now and finish signing in.</p><div class="actions"><a class="button primary" href="{deep}">Open Roomtone</a><a class="button secondary" href="{loop_}">Roomtone didn't open? Continue here</a></div><p class="fine">The second button hands the sign-in to Roomtone on this computer directly. It works only while Roomtone is waiting for you to sign in. You can close this tab afterwards.</p>"#,
        deep = escape(deep_link),
        loop_ = escape(loopback),
    );
    page(StatusCode::OK, "Finishing sign-in", &body, Some(deep_link))
}

/// Sonos sent the browser back with an error (e.g. the person chose Deny).
pub fn sonos_refused(error: &str, deep_link: &str, loopback: &str) -> Response {
    let explanation = match error {
        "access_denied" => "You chose not to allow Roomtone to control your Sonos system, so Roomtone is not signed in.",
        _ => "The Sonos login did not complete, so Roomtone is not signed in.",
    };
    let body = format!(
        r#"<p>{explanation}</p><p>To try again, go back to Roomtone and choose Sign in.</p><div class="actions"><a class="button primary" href="{deep}">Back to Roomtone</a><a class="button secondary" href="{loop_}">Roomtone didn't open? Tell it here</a></div><p class="fine">Sonos said: <code>{error}</code></p>"#,
        deep = escape(deep_link),
        loop_ = escape(loopback),
        error = escape(error),
    );
    page(StatusCode::OK, "Not signed in", &body, Some(deep_link))
}

/// The request is not a sign-in this relay can finish.
pub fn broken_link(why: &str) -> Response {
    let body = format!(
        r#"<p>This sign-in link is incomplete or damaged, so it can't finish signing in.</p><p>Go back to Roomtone and choose Sign in to start again.</p><p class="fine">{}</p>"#,
        escape(why)
    );
    page(
        StatusCode::BAD_REQUEST,
        "This link doesn't work",
        &body,
        None,
    )
}
