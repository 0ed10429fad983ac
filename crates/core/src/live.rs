//! The state every window and the tray follow: one value with a revision number, kept in a
//! `watch` channel. Observers take the current value (a snapshot) and then each change; a
//! revision lets an observer that got both the same change twice keep the newer one.

use crate::pending::Pending;
use crate::session::SessionState;
use crate::view::Household;
use roomtone_sonos::GroupId;
use serde::Serialize;

/// Where everything stands: the session, the households and how fresh they are.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Live {
    /// Grows by one with every change.
    pub revision: u32,
    pub session: SessionStatus,
    /// The households as last read from Sonos (kept while a new read is under way).
    pub households: Vec<Household>,
    pub sync: ReadState,
    /// A sign-in waits for the browser.
    pub signing_in: bool,
    /// Grows by one each time Sonos says a household's favorites or playlists changed: a
    /// window showing them reads them again.
    pub library_changes: u32,
    /// What actions changed that Sonos has not answered yet; [`Live::households`] already
    /// shows it.
    pub pending: Vec<Pending>,
    /// The last action Sonos refused: its change was taken back.
    pub refused: Option<Refused>,
    /// The last chime Roomtone rang in each room, and what became of it.
    pub chimes: Vec<crate::chime::Chime>,
    /// The groups' sleep timers, each on the group it follows now.
    pub sleep: Vec<crate::sleep::SleepTimer>,
    /// The group the window shows, found again after a regroup.
    pub focus: Option<GroupId>,
    /// The group chosen for the quick controls, found again after a regroup.
    pub chosen: Option<GroupId>,
    /// The group the tray, the hotkeys and the media session control: the chosen one while
    /// it exists, else the one controlled last while it exists, else the first playing
    /// group, else the first group.
    pub controlled: Option<GroupId>,
}

/// An action Sonos refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Refused {
    /// Grows by one with every refusal, so the same words twice are told twice.
    pub serial: u32,
    /// What was asked, in words ("pause", "change the volume").
    pub what: String,
    /// The group or room it was asked of.
    pub target: String,
    pub kind: crate::error::ErrorKind,
    /// Why, for people.
    pub message: String,
}

/// The session as a window sees it: never a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    pub state: SessionPhase,
    /// False when the sign-in lives for this run only (no keychain).
    pub persistent: bool,
    /// Why the session ended by itself, in words for a person.
    pub reason: Option<String>,
}

/// See [`SessionStatus`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum SessionPhase {
    Starting,
    SignedIn,
    SignedOut,
}

impl From<&SessionState> for SessionStatus {
    fn from(state: &SessionState) -> Self {
        match state {
            SessionState::SignedIn { persistent } => Self {
                state: SessionPhase::SignedIn,
                persistent: *persistent,
                reason: None,
            },
            SessionState::SignedOut { reason } => Self {
                state: SessionPhase::SignedOut,
                persistent: false,
                reason: reason.clone(),
            },
        }
    }
}

/// How the household data stands against Sonos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum ReadState {
    /// Nothing to read (signed out).
    Idle,
    /// A read is under way.
    Loading,
    /// The households are what Sonos last said.
    Ready,
    /// The last read failed; the households shown are older.
    Failed {
        kind: crate::error::ErrorKind,
        /// Sonos cannot be reached or answer now (a network failure, a 5xx, a 429): a
        /// window says it is offline.
        offline: bool,
        message: String,
    },
}

impl Live {
    /// The state before anything was read.
    pub fn new(session: &SessionState) -> Self {
        Self {
            revision: 0,
            session: session.into(),
            households: Vec::new(),
            sync: ReadState::Idle,
            signing_in: false,
            library_changes: 0,
            pending: Vec::new(),
            refused: None,
            chimes: Vec::new(),
            sleep: Vec::new(),
            focus: None,
            chosen: None,
            controlled: None,
        }
    }

    /// The state of an app whose controller is not ready yet.
    pub fn starting() -> Self {
        let mut live = Self::new(&SessionState::SignedOut { reason: None });
        live.session = SessionStatus {
            state: SessionPhase::Starting,
            persistent: false,
            reason: None,
        };
        live
    }

    /// The group with this ID, wherever it is.
    pub fn group(&self, id: &GroupId) -> Option<&crate::view::Group> {
        self.households
            .iter()
            .flat_map(|h| &h.groups)
            .find(|g| g.id == *id)
    }

    /// The sleep timer of the group with this ID.
    pub fn sleep_of(&self, group: &GroupId) -> Option<&crate::sleep::SleepTimer> {
        self.sleep.iter().find(|t| t.group == *group)
    }

    /// The group the quick controls act on ([`Live::controlled`]).
    pub fn controlled(&self) -> Option<&crate::view::Group> {
        self.group(self.controlled.as_ref()?)
    }

    /// Every group of every household, in order.
    pub fn groups(&self) -> impl Iterator<Item = &crate::view::Group> {
        self.households.iter().flat_map(|h| &h.groups)
    }
}
