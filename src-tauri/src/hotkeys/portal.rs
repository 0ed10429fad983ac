//! Hotkeys on Wayland, through the desktop's global-shortcuts portal ([`roomtone_portal`]):
//! one task per set of hotkeys put in force asks for them (once the previous task has closed
//! its session), says what the desktop bound, runs each press as its quick control and
//! follows the changes the user makes in the desktop's settings, until the hotkeys are put
//! in force again or the session ends. Without a portal, [`super`] decides what instead.

use super::{answer, invalid, quick_for, without_portal};
use crate::quick;
use crate::settings::{HotkeyAction, Hotkeys};
use crate::state::HotkeysStatus;
use futures_util::StreamExt;
use roomtone_portal::{Bound, Event, Portal, PortalError, Wanted};
use tauri::AppHandle;
use tokio::sync::oneshot;

/// The app's ID, under which the desktop keeps the keys the user chose.
const APP_ID: &str = "com.roomtone.desktop";

/// How long a session's close may take before the next session is asked for anyway (the
/// bus sets no limit on a call).
const CLOSING: std::time::Duration = std::time::Duration::from_secs(5);

/// A task that holds a portal session.
pub(super) struct Running {
    /// Dropped to end the session.
    stop: oneshot::Sender<()>,
    /// Ends (its sender dropped) once the task has closed its session.
    ended: oneshot::Receiver<()>,
}

impl Running {
    /// Ends the session; what comes back resolves once it is closed.
    pub(super) fn stop(self) -> oneshot::Receiver<()> {
        drop(self.stop);
        self.ended
    }
}

/// Before the desktop answers.
pub(super) fn asked() -> HotkeysStatus {
    HotkeysStatus {
        via: None,
        problems: Vec::new(),
        pending: true,
    }
}

/// Asks the desktop for `hotkeys` (the `generation` put in force) in a task of its own, once
/// the `previous` session is closed (the desktop would see both at once otherwise).
pub(super) fn start(
    app: &AppHandle,
    generation: u64,
    hotkeys: Hotkeys,
    x11: bool,
    previous: Option<oneshot::Receiver<()>>,
) -> Running {
    let (stop, stopped) = oneshot::channel();
    let (ended, running_until) = oneshot::channel::<()>();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let _ended = ended;
        if let Some(previous) = previous {
            // A portal that never answers the close does not hold the new hotkeys back.
            let _ = tokio::time::timeout(CLOSING, previous).await;
        }
        match wanted(&hotkeys) {
            Ok(wanted) => follow(&app, generation, &hotkeys, &wanted, x11, stopped).await,
            Err(err) => answer(&app, generation, invalid(&err)),
        }
    });
    Running {
        stop,
        ended: running_until,
    }
}

/// The shortcuts to ask for: every one set, under its action's ID, with the keys of the
/// settings as the trigger the app would like.
fn wanted(hotkeys: &Hotkeys) -> Result<Vec<Wanted>, String> {
    Ok(hotkeys
        .parsed()?
        .into_iter()
        .map(|(action, text, _)| Wanted {
            id: action.id().to_owned(),
            description: action.description().to_owned(),
            trigger: roomtone_portal::trigger(text),
        })
        .collect())
}

async fn follow(
    app: &AppHandle,
    generation: u64,
    hotkeys: &Hotkeys,
    wanted: &[Wanted],
    x11: bool,
    mut stop: oneshot::Receiver<()>,
) {
    let asking = async {
        let portal = Portal::session(APP_ID).await?;
        portal.bind(wanted).await
    };
    let answered = tokio::select! {
        answered = asking => answered,
        // Put in force again while the desktop was asked: its session goes with its bus
        // connection, dropped here.
        _ = &mut stop => return,
    };
    let mut binding = match answered {
        Ok(binding) => binding,
        Err(PortalError::Absent) => return without_portal(app, generation, hotkeys, x11),
        Err(err) => {
            tracing::warn!(error = %err, "the desktop did not bind the hotkeys");
            return answer(app, generation, refused(&err));
        }
    };
    // Listened to since before the bind: nothing pressed or changed from here is missed.
    let mut events = binding.events();
    answer(app, generation, bound(wanted, &binding.bound));
    loop {
        let event = tokio::select! {
            event = events.next() => event,
            _ = &mut stop => break,
        };
        match event {
            Some(Event::Pressed(id)) => match HotkeyAction::from_id(&id) {
                Some(action) => quick::perform(app, quick_for(action), "hotkey"),
                None => tracing::debug!(id, "a press of a shortcut Roomtone did not ask for"),
            },
            Some(Event::Changed(now)) => answer(app, generation, bound(wanted, &now)),
            Some(Event::Ended) | None => {
                tracing::warn!("the desktop's portal ended the hotkeys' session");
                return answer(app, generation, gone());
            }
        }
    }
    if tokio::time::timeout(CLOSING, binding.close())
        .await
        .is_err()
    {
        tracing::warn!("the desktop's portal did not answer the close of the hotkeys' session");
    }
}

/// What the desktop bound, against what was asked for.
fn bound(wanted: &[Wanted], bound: &[Bound]) -> HotkeysStatus {
    let keys: Vec<String> = bound
        .iter()
        .filter_map(|b| {
            let action = HotkeyAction::from_id(&b.id)?;
            Some(match b.trigger.trim() {
                "" => format!("{} (no keys yet)", action.label()),
                keys => format!("{} {keys}", action.label()),
            })
        })
        .collect();
    let via = if keys.is_empty() {
        "Through the desktop's global-shortcuts portal, which bound none of them.".to_owned()
    } else {
        format!(
            "Bound by the desktop's global-shortcuts portal: {}. Change the keys in the desktop's keyboard settings.",
            keys.join(", ")
        )
    };
    let problems = wanted
        .iter()
        .filter(|w| !bound.iter().any(|b| b.id == w.id))
        .filter_map(|w| HotkeyAction::from_id(&w.id))
        .map(|action| {
            format!(
                "The desktop did not bind the {} shortcut; allow it or choose its keys in the desktop's keyboard settings, then turn hotkeys off and on again.",
                action.label()
            )
        })
        .collect();
    HotkeysStatus {
        via: Some(via),
        problems,
        pending: false,
    }
}

/// Why there are no hotkeys from the portal, and what to do.
pub(super) fn refused(err: &PortalError) -> HotkeysStatus {
    let problem = match err {
        PortalError::Absent => "This Wayland desktop offers apps no global shortcuts (it has no global-shortcuts portal) and there is no X display to grab keys on, so Roomtone's hotkeys cannot work here. Bind keys to roomtone-cli toggle, next, prev and volume +5 in the desktop's keyboard settings instead.".to_owned(),
        PortalError::Cancelled => "The desktop's shortcuts dialog was cancelled, so no hotkeys are bound. Turn hotkeys off and on again to be asked again.".to_owned(),
        PortalError::Refused => "The desktop refused Roomtone's shortcuts. Allow them in the desktop's settings, then turn hotkeys off and on again.".to_owned(),
        PortalError::Failed(why) => format!("The desktop's shortcuts portal failed ({why}). Turn hotkeys off and on again; if it keeps failing, log out and in again."),
    };
    HotkeysStatus {
        via: None,
        problems: vec![problem],
        pending: false,
    }
}

/// The desktop's portal ended the session (it restarted, or the desktop did).
fn gone() -> HotkeysStatus {
    HotkeysStatus {
        via: None,
        problems: vec!["The desktop's shortcuts portal went away, and the hotkeys with it. Turn hotkeys off and on again, or restart Roomtone, to bind them again.".to_owned()],
        pending: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hotkeys() -> Hotkeys {
        Hotkeys {
            enabled: true,
            previous: String::new(),
            ..Hotkeys::default()
        }
    }

    #[test]
    fn the_desktop_is_asked_for_each_shortcut_set_under_its_action_id() {
        let wanted = wanted(&hotkeys()).expect("valid hotkeys");
        let asked: Vec<(&str, Option<&str>)> = wanted
            .iter()
            .map(|w| (w.id.as_str(), w.trigger.as_deref()))
            .collect();
        assert_eq!(
            asked,
            [
                ("play-pause", Some("CTRL+ALT+p")),
                ("next", Some("CTRL+ALT+Right")),
                ("volume-up", Some("CTRL+ALT+Up")),
                ("volume-down", Some("CTRL+ALT+Down")),
                ("mute", Some("CTRL+ALT+m")),
            ]
        );
        assert!(wanted.iter().all(|w| !w.description.is_empty()));
        let broken = Hotkeys {
            mute: "Q".into(),
            ..hotkeys()
        };
        assert!(super::wanted(&broken).is_err());
    }

    #[test]
    fn what_the_desktop_bound_is_said_with_its_keys_and_what_it_left_out_is_a_problem() {
        let wanted = wanted(&hotkeys()).expect("valid hotkeys");
        let status = bound(
            &wanted,
            &[
                Bound {
                    id: "play-pause".into(),
                    trigger: "Ctrl+Alt+P".into(),
                },
                Bound {
                    id: "next".into(),
                    trigger: "Meta+N".into(),
                },
                Bound {
                    id: "volume-up".into(),
                    trigger: String::new(),
                },
                Bound {
                    id: "volume-down".into(),
                    trigger: "Ctrl+Alt+Down".into(),
                },
            ],
        );
        assert_eq!(
            status.via.as_deref(),
            Some("Bound by the desktop's global-shortcuts portal: play/pause Ctrl+Alt+P, next Meta+N, volume up (no keys yet), volume down Ctrl+Alt+Down. Change the keys in the desktop's keyboard settings.")
        );
        assert_eq!(status.problems.len(), 1, "{:?}", status.problems);
        assert!(
            status.problems[0].starts_with("The desktop did not bind the mute shortcut"),
            "{:?}",
            status.problems
        );
        assert!(!status.pending);
    }

    #[test]
    fn a_refusal_says_what_happened_and_what_to_do() {
        let cancelled = refused(&PortalError::Cancelled);
        assert!(cancelled.problems[0].contains("dialog was cancelled"));
        assert!(cancelled.problems[0].contains("Turn hotkeys off and on again"));
        let absent = refused(&PortalError::Absent);
        assert!(absent.problems[0].contains("roomtone-cli toggle"));
        let failed = refused(&PortalError::Failed(
            "org.freedesktop.DBus.Error.NoReply".into(),
        ));
        assert!(failed.problems[0].contains("(org.freedesktop.DBus.Error.NoReply)"));
        for status in [
            cancelled,
            absent,
            failed,
            refused(&PortalError::Refused),
            gone(),
        ] {
            assert_eq!(status.via, None);
            assert_eq!(status.problems.len(), 1);
            assert!(!status.pending);
        }
        assert!(asked().pending);
    }
}
