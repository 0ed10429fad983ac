//! The state as the webview was last told it, numbered: each change goes out as what differs
//! from the last one (`state-changed`, a [`crate::patch`] from one number to the next), and
//! the webview asks for the whole of it ([`Published::current`]) when it starts or when it
//! sees a number missing.

use crate::error::AppError;
use crate::events::StateChanged;
use crate::patch;
use roomtone_core::live::Live;
use serde::Serialize;
use serde_json::Value;
use specta::Type;
use std::sync::Mutex;
use tauri::AppHandle;
use tauri_specta::Event;

/// What the webview shows: the core's live state, and whether it is the demo household.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub demo: bool,
    pub live: Live,
    /// Problems found at start that last until fixed (a broken settings file, a half-done
    /// configuration), so a window opened later still sees them.
    pub notices: Vec<AppError>,
}

impl Snapshot {
    /// Before the core is ready.
    pub(crate) fn starting(notices: Vec<AppError>) -> Self {
        Self {
            demo: false,
            live: Live::starting(),
            notices,
        }
    }
}

/// A snapshot (as the webview receives it) and its number: what a `state-changed` event
/// with this number as its `base` changes.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Numbered {
    pub seq: u32,
    #[specta(type = Snapshot)]
    pub snapshot: Value,
}

/// See the module documentation.
pub struct Published {
    last: Mutex<Numbered>,
}

impl Published {
    pub fn new(first: &Snapshot) -> Self {
        Self {
            last: Mutex::new(Numbered {
                seq: 0,
                snapshot: serde_json::to_value(first).expect("a snapshot is JSON"),
            }),
        }
    }

    /// The last snapshot published, with its number.
    pub fn current(&self) -> Numbered {
        self.last.lock().expect("published lock").clone()
    }

    /// Tells the webview what changed from the last snapshot published to `snapshot`, under
    /// the next number; nothing when nothing changed.
    pub fn publish(&self, app: &AppHandle, snapshot: &Snapshot) {
        self.next(snapshot, |change| {
            if let Err(err) = change.emit(app) {
                tracing::warn!(error = %err, "could not send the state to the window");
            }
        });
    }

    /// What changed from the last snapshot published to `snapshot`, under the next number,
    /// given to `send` under the lock (so changes leave in the order of their numbers);
    /// `send` is not called when nothing changed.
    fn next(&self, snapshot: &Snapshot, send: impl FnOnce(StateChanged)) {
        let json = serde_json::to_value(snapshot).expect("a snapshot is JSON");
        let mut last = self.last.lock().expect("published lock");
        let ops = patch::diff(&last.snapshot, &json);
        if ops.is_empty() {
            return;
        }
        let base = last.seq;
        let seq = base.wrapping_add(1);
        *last = Numbered {
            seq,
            snapshot: json,
        };
        send(StateChanged { base, seq, ops });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(demo: bool) -> Snapshot {
        Snapshot {
            demo,
            live: Live::starting(),
            notices: Vec::new(),
        }
    }

    fn next(published: &Published, snapshot: Snapshot) -> Option<StateChanged> {
        let mut sent = None;
        published.next(&snapshot, |change| sent = Some(change));
        sent
    }

    #[test]
    fn each_change_is_numbered_from_the_last_and_an_unchanged_state_sends_nothing() {
        let published = Published::new(&snapshot(false));
        assert_eq!(published.current().seq, 0);
        assert!(next(&published, snapshot(false)).is_none());
        let change = next(&published, snapshot(true)).expect("a change");
        assert_eq!((change.base, change.seq), (0, 1));
        assert_eq!(
            change.ops,
            [patch::Op::Set {
                path: vec![patch::Key::Field("demo".into())],
                value: Value::Bool(true)
            }]
        );
        let now = published.current();
        assert_eq!(now.seq, 1);
        assert_eq!(now.snapshot["demo"], Value::Bool(true));
        let back = next(&published, snapshot(false)).expect("a change");
        assert_eq!((back.base, back.seq), (1, 2));
    }
}
