//! The page sleeps while the window is hidden. A tray app spends most of its life hidden,
//! and WebKitGTK's web process holds the page, its script engine and its render tree all
//! that time (about 90 of the hidden app's 235 MiB, `bench/memory.sh`). After
//! [`SLEEP_AFTER`] hidden, that process is ended; showing the window loads the page again,
//! which asks the core for the state as on any start. The core, the tray, the media session
//! and the notifications do not depend on the page and go on as before.
//!
//! A page holding the settings form open (maybe unsaved) stays awake.
//!
//! `ROOMTONE_PAGE_SLEEP_SECS` sets the delay (`0`: as soon as the window hides; `never`: the
//! page stays). Linux only: WebView2 and WKWebView suspend hidden pages themselves.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Manager, Url, WebviewWindow};

/// How long the window stays hidden before its page sleeps: a window toggled back soon
/// shows at once.
pub const SLEEP_AFTER: Duration = Duration::from_secs(30);

/// Whether the page sleeps, and what a wake owes it.
#[derive(Debug, Default)]
pub struct PageSleep {
    /// Counts shows and hides: a sleep planned before the last of them is called off.
    generation: AtomicU64,
    asleep: AtomicBool,
    /// The page holds a form that may be unsaved: it stays awake.
    unsaved: AtomicBool,
    /// The page's address when it went to sleep (a sleeping view has none).
    address: Mutex<Option<Url>>,
}

/// The delay from `ROOMTONE_PAGE_SLEEP_SECS`, else [`SLEEP_AFTER`]; `None`: never.
fn delay() -> Option<Duration> {
    delay_from(std::env::var("ROOMTONE_PAGE_SLEEP_SECS").ok().as_deref())
}

fn delay_from(setting: Option<&str>) -> Option<Duration> {
    match setting.map(str::trim) {
        None => Some(SLEEP_AFTER),
        Some("never") => None,
        Some(v) => match v.parse() {
            Ok(secs) => Some(Duration::from_secs(secs)),
            Err(_) => {
                tracing::warn!(value = %v, "ROOMTONE_PAGE_SLEEP_SECS is seconds or \"never\"; the default applies");
                Some(SLEEP_AFTER)
            }
        },
    }
}

impl PageSleep {
    /// The window was hidden: its page sleeps after the delay unless it shows again first.
    pub fn hidden(&self, app: &AppHandle) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        if !cfg!(target_os = "linux") {
            return;
        }
        let Some(after) = delay() else {
            return;
        };
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(after).await;
            let Some(window) = app.get_webview_window("main") else {
                return;
            };
            let handle = app.clone();
            // On the main thread, where the window is shown and hidden: nothing can come
            // between the check and the sleep.
            let _ = window.clone().with_webview(move |_webview| {
                let sleep = handle.state::<PageSleep>();
                if sleep.generation.load(Ordering::SeqCst) != generation
                    || window.is_visible().unwrap_or(true)
                    || sleep.asleep.load(Ordering::SeqCst)
                {
                    return;
                }
                if sleep.unsaved.load(Ordering::SeqCst) {
                    tracing::info!(
                        "the hidden window's page stays awake: it holds unsaved settings"
                    );
                    return;
                }
                *sleep.address.lock().expect("address lock") = window.url().ok();
                #[cfg(target_os = "linux")]
                {
                    use webkit2gtk::WebViewExt;
                    _webview.inner().terminate_web_process();
                }
                sleep.asleep.store(true, Ordering::SeqCst);
                tracing::info!("the hidden window's page sleeps (its web process ended)");
            });
        });
    }

    /// Whether the page holds a form that may be unsaved (it then stays awake).
    pub fn set_unsaved(&self, unsaved: bool) {
        self.unsaved.store(unsaved, Ordering::SeqCst);
    }

    /// The window is about to show: a sleeping page loads again, with the settings open when
    /// `settings` (the tray's "Settings…").
    pub fn shown(&self, window: &WebviewWindow, settings: bool) -> Woken {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if !self.asleep.swap(false, Ordering::SeqCst) {
            return Woken::No;
        }
        let address = self.address.lock().expect("address lock").take();
        let loaded = match address {
            Some(mut url) => {
                url.set_fragment(settings.then_some("settings"));
                window.navigate(url)
            }
            None => window.reload(),
        };
        crate::marks::print(format_args!("page wakes"));
        match loaded {
            Ok(()) => tracing::info!("the page wakes"),
            Err(err) => tracing::warn!(error = %err, "the page could not load again"),
        }
        Woken::Yes
    }
}

/// Whether [`PageSleep::shown`] loaded the page again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    /// The page was awake: it hears events as before.
    No,
    /// The page is loading: what it needs at start it gets from the URL and the core.
    Yes,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_is_seconds_never_or_the_default() {
        assert_eq!(delay_from(None), Some(SLEEP_AFTER));
        assert_eq!(delay_from(Some("0")), Some(Duration::ZERO));
        assert_eq!(delay_from(Some(" 90 ")), Some(Duration::from_secs(90)));
        assert_eq!(delay_from(Some("never")), None);
        // A mistake keeps the default rather than never sleeping or sleeping at once.
        assert_eq!(delay_from(Some("soon")), Some(SLEEP_AFTER));
        assert_eq!(delay_from(Some("-5")), Some(SLEEP_AFTER));
    }
}
