//! Households for the unit tests of the tray, the media session and the notifications.

use roomtone_core::live::{Live, ReadState};
use roomtone_core::view::{Actions, Group, Household, Modes, NowPlaying, PlayState, Volume};
use roomtone_core::SessionState;

/// A group of no rooms at volume 20 (fixed for the "Den"), playing `title` by Forty Rooms
/// when given, able to skip.
pub fn group(id: &str, name: &str, state: PlayState, title: Option<&str>) -> Group {
    Group {
        id: id.into(),
        name: name.into(),
        coordinator_id: format!("{id}-room").into(),
        rooms: Vec::new(),
        state,
        position: None,
        now_playing: title.map(|t| NowPlaying {
            title: t.into(),
            artist: Some("Forty Rooms".into()),
            album: None,
            container: None,
            service: None,
            art_url: None,
            duration_millis: None,
        }),
        volume: Volume {
            volume: 20,
            muted: false,
            fixed: name == "Den",
        },
        actions: Actions {
            can_skip: true,
            ..Actions::default()
        },
        modes: Modes::default(),
    }
}

/// Signed in, read, with one household of `groups`.
pub fn live(groups: Vec<Group>) -> Live {
    let mut live = Live::new(&SessionState::SignedIn { persistent: true });
    live.revision = 3;
    live.households = vec![Household {
        id: "h".into(),
        groups,
    }];
    live.sync = ReadState::Ready;
    live
}
