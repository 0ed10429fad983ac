//! Notifications on track change (off by default): when the track changes in the group the
//! tray controls while it plays, and the window is not in front, the OS shows what plays now.
//! Which change deserves one is [`Notifier::next`], tested without a notification service.
//!
//! Titles and artists are Sonos's metadata, so any text: on Linux a notification server that
//! renders markup in the body (`body-markup`: GNOME, KDE, dunst…) gets the body escaped, and
//! "Guns N' Roses & <b>" stays text. The summary is plain text by the freedesktop
//! specification and goes as it is, as on Windows (the toast builder escapes its XML itself)
//! and macOS (plain text).

// The build without notifications is only the macOS check made on Linux: the text rules
// stay compiled and checked there, with nothing to show them.
#![cfg_attr(not(feature = "notifications"), allow(dead_code))]

use crate::state::AppState;
use roomtone_core::live::{Live, SessionPhase};
use std::sync::Mutex;
use tauri::{AppHandle, Manager};

/// A notification's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

impl Notice {
    /// The notice for a server that renders markup in the body: the body escaped.
    pub fn for_markup(self) -> Notice {
        Notice {
            body: escape_markup(&self.body),
            ..self
        }
    }
}

/// Text as the freedesktop notification markup (a subset of XML) shows it literally.
fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether this desktop's notification server renders markup in the body: asked once.
#[cfg(target_os = "linux")]
fn body_markup() -> bool {
    static MARKUP: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *MARKUP.get_or_init(|| {
        notify_rust::get_capabilities()
            .map(|caps| caps.iter().any(|c| c == "body-markup"))
            // A server that does not answer is not shown anything; escaping is the safe guess.
            .unwrap_or(true)
    })
}

#[cfg(not(target_os = "linux"))]
fn body_markup() -> bool {
    false
}

/// The track last seen in the controlled group: (group ID, title, artist).
#[derive(Debug, Default)]
pub struct Notifier(Mutex<Option<(roomtone_sonos::GroupId, String, Option<String>)>>);

impl Notifier {
    /// Follows `live`; a [`Notice`] when the controlled group, still the same group and
    /// playing, moved to another track. The first track seen, a paused group, or another
    /// group chosen in the tray are not news.
    pub fn next(&self, live: &Live) -> Option<Notice> {
        let group = live
            .controlled()
            .filter(|_| live.session.state == SessionPhase::SignedIn);
        let now = group.and_then(|g| {
            let track = g.now_playing.as_ref()?;
            Some((g, (g.id.clone(), track.title.clone(), track.artist.clone())))
        });
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let Some((group, track)) = now else {
            *seen = None;
            return None;
        };
        let news = seen
            .as_ref()
            .is_some_and(|before| before.0 == track.0 && *before != track)
            && group.state.is_playing();
        *seen = Some(track);
        news.then(|| {
            let now = group.now_playing.as_ref().expect("a track");
            Notice {
                title: now.title.clone(),
                body: match &now.artist {
                    Some(artist) => format!("{artist} · {}", group.name),
                    None => group.name.clone(),
                },
            }
        })
    }
}

/// Shows a notification for `live` when the settings ask for one and it is news.
pub fn follow(app: &AppHandle, live: &Live) {
    let state = app.state::<AppState>();
    let settings = state.settings();
    let Some(notice) = app.state::<Notifier>().next(live) else {
        return;
    };
    let in_front = app
        .get_webview_window("main")
        .is_some_and(|w| w.is_visible().unwrap_or(false) && w.is_focused().unwrap_or(false));
    if !settings.notify_track_change || in_front {
        return;
    }
    // Asking the server is a D-Bus round trip: off the thread that serves the window.
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || show(&app, notice));
}

#[cfg(feature = "notifications")]
fn show(app: &AppHandle, notice: Notice) {
    use tauri_plugin_notification::NotificationExt;
    let notice = if body_markup() {
        notice.for_markup()
    } else {
        notice
    };
    if let Err(err) = app
        .notification()
        .builder()
        .title(&notice.title)
        .body(&notice.body)
        .show()
    {
        tracing::warn!(error = %err, "could not show a notification");
    }
}

/// A build without notifications (only the macOS check made on Linux) shows none.
#[cfg(not(feature = "notifications"))]
fn show(_app: &AppHandle, notice: Notice) {
    tracing::debug!(title = %notice.title, "built without notifications");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use roomtone_core::view::PlayState;

    /// Groups named `name` (ID its lower case), each playing or not `title`.
    /// These groups, the core controlling the one playing (else the first).
    fn live(groups: &[(&str, PlayState, &str)]) -> Live {
        let mut live = crate::fixtures::live(
            groups
                .iter()
                .map(|(name, state, title)| {
                    crate::fixtures::group(&name.to_lowercase(), name, *state, Some(title))
                })
                .collect(),
        );
        let playing = groups.iter().find(|g| g.1.is_playing()).or(groups.first());
        live.controlled = playing.map(|g| g.0.to_lowercase().into());
        live
    }

    struct Next<'a>(&'a Notifier);

    impl Next<'_> {
        fn next(&self, live: &Live, _: &Settings) -> Option<Notice> {
            self.0.next(live)
        }
    }

    #[test]
    fn metadata_is_text_for_a_server_that_renders_markup() {
        let notice = Notice {
            title: "Rock & <b>Roll</b>".into(),
            body: "Guns N' Roses & <i>\"Friends\"</i> · <a href=\"https://x\">Den</a>".into(),
        };
        let shown = notice.clone().for_markup();
        assert_eq!(
            shown.body,
            "Guns N&apos; Roses &amp; &lt;i&gt;&quot;Friends&quot;&lt;/i&gt; · \
             &lt;a href=&quot;https://x&quot;&gt;Den&lt;/a&gt;"
        );
        // The summary is plain text by the specification: escaping it would show "&amp;".
        assert_eq!(shown.title, notice.title);
        assert_eq!(escape_markup("plain · text"), "plain · text");
    }

    #[test]
    fn only_a_new_track_in_the_same_playing_group_is_news() {
        let n = Notifier::default();
        let s = Settings::default();
        // What the tray would control, as the app computes it (no choice, no stickiness).
        let n = Next(&n);
        use PlayState::*;
        assert_eq!(
            n.next(&live(&[("Office", Playing, "Flywheel")]), &s),
            None,
            "first seen"
        );
        assert_eq!(
            n.next(&live(&[("Office", Playing, "Flywheel")]), &s),
            None,
            "same"
        );
        assert_eq!(
            n.next(&live(&[("Office", Playing, "Blue Hour")]), &s),
            Some(Notice {
                title: "Blue Hour".into(),
                body: "Forty Rooms · Office".into()
            })
        );
        // Paused on a new track (someone skipped while paused): not news.
        assert_eq!(n.next(&live(&[("Office", Paused, "Lanterns")]), &s), None);
        // Another group took over (the Office stopped playing): not news either.
        assert_eq!(
            n.next(
                &live(&[("Office", Idle, "Lanterns"), ("Den", Playing, "Arc")]),
                &s
            ),
            None
        );
        assert_eq!(
            n.next(
                &live(&[("Office", Idle, "Lanterns"), ("Den", Playing, "Tide")]),
                &s
            )
            .map(|n| n.body),
            Some("Forty Rooms · Den".into())
        );
    }
}
