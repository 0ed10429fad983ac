//! The OS media session: Roomtone appears as a media player — MPRIS on Linux (desktop media
//! keys, `playerctl`, the GNOME and KDE media widgets), the System Media Transport Controls
//! on Windows, Now Playing on macOS — through `souvlaki`. It shows and controls the group
//! the tray controls.
//!
//! What the OS is told is a function of the live state and the settings ([`model`], tested
//! without a session bus); it is sent only when it changes. What the OS asks for becomes a
//! [`Quick`] control ([`quick_for`]), the same path as the tray and the hotkeys.

use crate::quick::{self, Quick};
use crate::state::AppState;
use roomtone_core::live::{Live, SessionPhase};
use souvlaki::{
    MediaControlEvent, MediaControls, MediaMetadata, MediaPlayback, MediaPosition, PlatformConfig,
    SeekDirection,
};
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Manager};

/// The MPRIS bus name is `org.mpris.MediaPlayer2.roomtone` (`playerctl -p roomtone`).
pub const DBUS_NAME: &str = "roomtone";

/// How far an undetermined "seek forward/back" moves.
const SEEK_STEP_MILLIS: i64 = 15_000;

/// What the OS media session shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaModel {
    pub playback: Playback,
    pub metadata: Metadata,
    /// 0.0–1.0; none for a fixed volume or when nothing is controlled.
    pub volume: Option<f64>,
}

/// Playing, paused (with the position last read) or stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Playback {
    Stopped,
    Paused(Option<u32>),
    Playing(Option<u32>),
}

/// The track, in the OS's terms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub title: Option<String>,
    pub artist: Option<String>,
    /// The album, else what the track plays from (a playlist, a station).
    pub album: Option<String>,
    /// Artwork the OS may fetch: HTTPS (or this computer), never a speaker on the LAN.
    pub cover_url: Option<String>,
    pub duration_millis: Option<u32>,
}

/// See [`MediaModel`]: the group the quick controls control, where its track is at `now`
/// (milliseconds since the Unix epoch), or stopped with nothing.
pub fn model(live: &Live, now: u64) -> MediaModel {
    let group = live
        .controlled()
        .filter(|_| live.session.state == SessionPhase::SignedIn);
    let Some(group) = group else {
        return MediaModel {
            playback: Playback::Stopped,
            metadata: Metadata::default(),
            volume: None,
        };
    };
    let playback = match (&group.now_playing, group.state.is_playing()) {
        (None, _) => Playback::Stopped,
        (Some(_), true) => Playback::Playing(group.position_at(now)),
        (Some(_), false) => Playback::Paused(group.position_at(now)),
    };
    let metadata = group
        .now_playing
        .as_ref()
        .map(|now| Metadata {
            title: Some(now.title.clone()),
            artist: now.artist.clone(),
            album: now.album.clone().or_else(|| now.container.clone()),
            // Only artwork the core allows reaches here (`roomtone_core::artwork`): the shell
            // fetches this URL itself.
            cover_url: now.art_url.clone(),
            duration_millis: now.duration_millis,
        })
        .unwrap_or_default();
    MediaModel {
        playback,
        metadata,
        volume: (!group.volume.fixed).then(|| f64::from(group.volume.volume) / 100.0),
    }
}

/// What the OS asked for, as a quick control; `None` for what Roomtone does not do here
/// (opening a URI, shuffle from macOS) or does itself (raise, quit).
pub fn quick_for(event: &MediaControlEvent) -> Option<Quick> {
    let millis = |d: &Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    Some(match event {
        MediaControlEvent::Play => Quick::Play,
        MediaControlEvent::Pause | MediaControlEvent::Stop => Quick::Pause,
        MediaControlEvent::Toggle => Quick::Toggle,
        MediaControlEvent::Next => Quick::Next,
        MediaControlEvent::Previous => Quick::Previous,
        MediaControlEvent::SetVolume(v) if v.is_finite() => {
            // Rounded and clamped: MPRIS allows any double.
            Quick::SetVolume((v.clamp(0.0, 1.0) * 100.0).round() as u8)
        }
        MediaControlEvent::SetPosition(MediaPosition(at)) => {
            Quick::SeekTo(u32::try_from(at.as_millis()).unwrap_or(u32::MAX))
        }
        MediaControlEvent::SeekBy(SeekDirection::Forward, by) => Quick::SeekBy(millis(by)),
        MediaControlEvent::SeekBy(SeekDirection::Backward, by) => Quick::SeekBy(-millis(by)),
        MediaControlEvent::Seek(SeekDirection::Forward) => Quick::SeekBy(SEEK_STEP_MILLIS),
        MediaControlEvent::Seek(SeekDirection::Backward) => Quick::SeekBy(-SEEK_STEP_MILLIS),
        _ => return None,
    })
}

/// The session and what it shows now.
#[derive(Debug, Default)]
pub struct MediaSession(Mutex<Option<(MediaControls, Option<MediaModel>)>>);

/// Registers Roomtone with the OS media session. Without one (no session bus), Roomtone
/// runs without it and says so in the log.
pub fn create(app: &AppHandle) {
    app.manage(MediaSession::default());
    #[cfg(windows)]
    let hwnd = app
        .get_webview_window("main")
        .and_then(|w| w.hwnd().ok())
        .map(|h| h.0);
    #[cfg(not(windows))]
    let hwnd = None;
    let config = PlatformConfig {
        display_name: "Roomtone",
        dbus_name: DBUS_NAME,
        hwnd,
    };
    let handle = app.clone();
    let attached = MediaControls::new(config).and_then(|mut controls| {
        controls.attach(move |event| on_event(&handle, &event))?;
        Ok(controls)
    });
    match attached {
        Ok(controls) => {
            *app.state::<MediaSession>()
                .0
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = Some((controls, None));
        }
        Err(err) => tracing::warn!(
            error = ?err,
            "no OS media session (media keys and playerctl will not reach Roomtone)"
        ),
    }
}

fn on_event(app: &AppHandle, event: &MediaControlEvent) {
    match event {
        MediaControlEvent::Raise => crate::tray::show_window(app),
        MediaControlEvent::Quit => app.exit(0),
        event => match quick_for(event) {
            Some(quick) => quick::perform(app, quick, "media session"),
            None => tracing::debug!(?event, "a media-session request Roomtone does not handle"),
        },
    }
}

/// Tells the OS what changed since the last time.
pub fn update(app: &AppHandle, live: &Live) {
    let Some(session) = app.try_state::<MediaSession>() else {
        return;
    };
    let now = match app.state::<AppState>().controller() {
        Ok(controller) => controller.now_millis(),
        Err(_) => 0,
    };
    let next = model(live, now);
    let mut session = session.0.lock().unwrap_or_else(|e| e.into_inner());
    let Some((controls, shown)) = session.as_mut() else {
        return;
    };
    if shown.as_ref() == Some(&next) {
        return;
    }
    let before = shown.take();
    let result = (|| {
        if before.as_ref().map(|m| &m.metadata) != Some(&next.metadata) {
            let m = &next.metadata;
            controls.set_metadata(MediaMetadata {
                title: m.title.as_deref(),
                artist: m.artist.as_deref(),
                album: m.album.as_deref(),
                cover_url: m.cover_url.as_deref(),
                duration: m.duration_millis.map(|d| Duration::from_millis(d.into())),
            })?;
        }
        if before.as_ref().map(|m| m.playback) != Some(next.playback) {
            let at = |p: Option<u32>| p.map(|p| MediaPosition(Duration::from_millis(p.into())));
            controls.set_playback(match next.playback {
                Playback::Stopped => MediaPlayback::Stopped,
                Playback::Paused(p) => MediaPlayback::Paused { progress: at(p) },
                Playback::Playing(p) => MediaPlayback::Playing { progress: at(p) },
            })?;
        }
        #[cfg(all(unix, not(target_os = "macos")))]
        if let Some(volume) = next.volume {
            if before.as_ref().and_then(|m| m.volume) != Some(volume) {
                controls.set_volume(volume)?;
            }
        }
        Ok::<(), souvlaki::Error>(())
    })();
    match result {
        Ok(()) => *shown = Some(next),
        Err(err) => tracing::warn!(error = ?err, "could not update the OS media session"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use roomtone_core::view::PlayState;

    /// The model a moment after the position was read at 5 s past the epoch.
    fn model(live: &Live, _: &Settings) -> MediaModel {
        super::model(live, 5_000)
    }

    /// The Office, playing "Flywheel" from "Late Tapes" at 1:01 of 3:20, volume 35.
    fn live(state: PlayState, art: &str, fixed: bool) -> Live {
        let mut office = crate::fixtures::group("g", "Office", state, Some("Flywheel"));
        office.position = Some(roomtone_core::view::Position {
            millis: 61_000,
            read_at: 5_000,
        });
        office.volume.volume = 35;
        office.volume.fixed = fixed;
        let now = office.now_playing.as_mut().expect("a track");
        now.container = Some("Late Tapes".into());
        now.art_url = Some(art.into());
        now.duration_millis = Some(200_000);
        let mut live = crate::fixtures::live(vec![office]);
        live.controlled = Some("g".into());
        live
    }

    #[test]
    fn the_session_shows_the_controlled_group() {
        let m = model(
            &live(PlayState::Playing, "https://art.example/a.jpg", false),
            &Settings::default(),
        );
        assert_eq!(m.playback, Playback::Playing(Some(61_000)));
        assert_eq!(m.metadata.title.as_deref(), Some("Flywheel"));
        assert_eq!(m.metadata.artist.as_deref(), Some("Forty Rooms"));
        assert_eq!(m.metadata.album.as_deref(), Some("Late Tapes"));
        assert_eq!(
            m.metadata.cover_url.as_deref(),
            Some("https://art.example/a.jpg")
        );
        assert_eq!(m.metadata.duration_millis, Some(200_000));
        assert_eq!(m.volume, Some(0.35));

        // A fixed volume has none. (Which artwork may reach the OS is the core's rule:
        // `roomtone_core::artwork`.)
        let m = model(
            &live(PlayState::Paused, "https://art.example/a.jpg", true),
            &Settings::default(),
        );
        assert_eq!(m.playback, Playback::Paused(Some(61_000)));
        assert_eq!(m.volume, None);

        // Signed out: stopped, nothing shown.
        let mut out = live(PlayState::Playing, "https://art.example/a.jpg", false);
        out.session.state = SessionPhase::SignedOut;
        let m = model(&out, &Settings::default());
        assert_eq!(m.playback, Playback::Stopped);
        assert_eq!(m.metadata, Metadata::default());
    }

    #[test]
    fn what_the_os_asks_for_becomes_a_quick_control() {
        use MediaControlEvent as E;
        assert_eq!(quick_for(&E::Toggle), Some(Quick::Toggle));
        assert_eq!(quick_for(&E::Stop), Some(Quick::Pause));
        assert_eq!(quick_for(&E::SetVolume(0.424)), Some(Quick::SetVolume(42)));
        assert_eq!(quick_for(&E::SetVolume(7.0)), Some(Quick::SetVolume(100)));
        assert_eq!(quick_for(&E::SetVolume(-1.0)), Some(Quick::SetVolume(0)));
        assert_eq!(quick_for(&E::SetVolume(f64::NAN)), None);
        assert_eq!(
            quick_for(&E::SetPosition(MediaPosition(Duration::from_secs(90)))),
            Some(Quick::SeekTo(90_000))
        );
        assert_eq!(
            quick_for(&E::SeekBy(SeekDirection::Backward, Duration::from_secs(5))),
            Some(Quick::SeekBy(-5_000))
        );
        assert_eq!(
            quick_for(&E::Seek(SeekDirection::Forward)),
            Some(Quick::SeekBy(SEEK_STEP_MILLIS))
        );
        assert_eq!(quick_for(&E::OpenUri("x".into())), None);
    }
}
