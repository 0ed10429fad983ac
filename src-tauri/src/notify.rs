//! Notifications on track change (off by default): when the track changes in the group the
//! tray controls while it plays, and the window is not in front, the OS shows what plays now.
//! Which change deserves one is [`Notifier::next`], tested without a notification service.

use crate::state::AppState;
use roomtone_core::live::{Live, SessionPhase};
use roomtone_core::view::Group;
use std::sync::Mutex;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

/// A notification's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

/// The track last seen in the controlled group: (group ID, title, artist).
#[derive(Debug, Default)]
pub struct Notifier(Mutex<Option<(String, String, Option<String>)>>);

impl Notifier {
    /// Follows `live`; a [`Notice`] when the controlled group, still the same group and
    /// playing, moved to another track. The first track seen, a paused group, or another
    /// group chosen in the tray are not news.
    pub fn next(&self, live: &Live, group: Option<&Group>) -> Option<Notice> {
        let group = group.filter(|_| live.session.state == SessionPhase::SignedIn);
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
    let Some(notice) = app
        .state::<Notifier>()
        .next(live, state.controlled(live).as_ref())
    else {
        return;
    };
    let in_front = app
        .get_webview_window("main")
        .is_some_and(|w| w.is_visible().unwrap_or(false) && w.is_focused().unwrap_or(false));
    if !settings.notify_track_change || in_front {
        return;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use roomtone_core::view::PlayState;

    /// Groups named `name` (ID its lower case), each playing or not `title`.
    fn live(groups: &[(&str, PlayState, &str)]) -> Live {
        crate::fixtures::live(
            groups
                .iter()
                .map(|(name, state, title)| {
                    crate::fixtures::group(&name.to_lowercase(), name, *state, Some(title))
                })
                .collect(),
        )
    }

    struct Next<'a>(&'a Notifier);

    impl Next<'_> {
        fn next(&self, live: &Live, s: &Settings) -> Option<Notice> {
            self.0.next(live, crate::tray::controlled(live, s, None))
        }
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
