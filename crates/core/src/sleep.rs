//! The sleep timer: a group pauses in so many minutes, or at the end of the track, after its
//! volume has come down over the last half minute; then its rooms' volumes are put back, so
//! the next play is as loud as before. Sonos has no timer a controller can set (the Sonos
//! app's went in 2024), so the core runs it ([`crate::Controller::run_sleep_timers`]).
//!
//! A timer follows its group across regroups by a [`Trace`], as everything else does. It is
//! kept in a small file in the user's state folder, with its end time, so that the app
//! started again before then goes on with it, and so that `roomtone-cli sleep` can hand a
//! timer to the running app. One process runs the timers — whoever holds the runner's lock
//! (the app, else a waiting `roomtone-cli sleep`); every process shows them.
//!
//! `ROOMTONE_SLEEP_MINUTE_MS` makes a minute of the timer shorter (for tests): the fade
//! takes half a minute of that length.

use crate::follow::Trace;
use crate::turns::{Turn, Turns};
use crate::view::{Group, Household};
use crate::CoreError;
use roomtone_sonos::{GroupId, PlayerId};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The longest timer: twelve hours.
pub const MAX_MINUTES: u16 = 720;

/// The timers offered in the window and the tray, in minutes (the CLI takes any).
pub const CHOICES: [u16; 4] = [15, 30, 45, 60];

/// Whether `group` plays something with an end to sleep at: a track of known length.
pub fn ends_with_track(group: &Group) -> bool {
    track_end(group, 0).is_some()
}

/// The steps the volume comes down in.
pub const FADE_STEPS: u8 = 10;

/// When a group falls asleep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SleepAfter {
    /// In so many minutes (1 to [`MAX_MINUTES`]).
    Minutes { minutes: u16 },
    /// When the track playing now ends.
    EndOfTrack,
    /// No timer.
    Off,
}

/// A sleep timer as every surface shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SleepTimer {
    /// The group it pauses, found again after a regroup.
    pub group: GroupId,
    /// When it pauses the group: milliseconds since the Unix epoch, by the core's clock.
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub ends_at: u64,
    /// It ends with the track playing now (its end moves when the track is moved in).
    pub end_of_track: bool,
    /// Whole minutes left, rounded up; 0 once the volume is coming down.
    pub minutes_left: u32,
    /// The volume is coming down.
    pub fading: bool,
    /// What is left, in words: "28 min left", "under a minute left", "at the end of this
    /// track", "fading out".
    pub left: String,
}

/// What is left, in words: "28 min left", "under a minute left", "at the end of this
/// track", "fading out".
fn left_in_words(fading: bool, end_of_track: bool, minutes: u32) -> String {
    match (fading, end_of_track, minutes) {
        (true, _, _) => "fading out".into(),
        (false, true, _) => "at the end of this track".into(),
        (false, false, 0 | 1) => "under a minute left".into(),
        (false, false, n) => format!("{n} min left"),
    }
}

/// A timer as kept in the file and by the controller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Timer {
    pub group: GroupId,
    pub coordinator: PlayerId,
    pub rooms: Vec<PlayerId>,
    pub ends_at: u64,
    /// The track it ends with ([`crate::view::NowPlaying::line`]), for a timer set to the end
    /// of the track: another track playing means that one has ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    #[serde(skip)]
    pub fading: bool,
    /// Whole minutes left, rounded up, when last counted ([`Timer::tick`]).
    #[serde(skip)]
    pub left: u32,
}

impl Timer {
    /// A timer on `group` for `after` (not [`SleepAfter::Off`]), from `now`.
    pub fn new(
        group: &Group,
        after: SleepAfter,
        now: u64,
        minute: Duration,
    ) -> crate::Result<Self> {
        let trace = Trace::of(group);
        let (ends_at, track) = match after {
            SleepAfter::Minutes { minutes } if (1..=MAX_MINUTES).contains(&minutes) => (
                now.saturating_add(u64::from(minutes) * millis(minute)),
                None,
            ),
            SleepAfter::Minutes { .. } => {
                return Err(CoreError::Invalid(format!(
                    "a sleep timer is 1 to {MAX_MINUTES} minutes"
                )))
            }
            SleepAfter::EndOfTrack => {
                let end = track_end(group, now).ok_or_else(|| {
                    CoreError::Invalid(format!(
                        "{} plays nothing with an end Roomtone knows (a live stream, or no track): choose a number of minutes instead",
                        group.name
                    ))
                })?;
                (end, group.now_playing.as_ref().map(|n| n.line()))
            }
            SleepAfter::Off => {
                return Err(CoreError::Invalid("no timer to set".into()));
            }
        };
        Ok(Self {
            group: trace.id,
            coordinator: trace.coordinator,
            rooms: trace.rooms,
            ends_at,
            track,
            fading: false,
            left: 0,
        }
        .counted(now, minute))
    }

    /// The same as `other` in what the file keeps.
    pub fn kept_as(&self, other: &Timer) -> bool {
        self.group == other.group
            && self.coordinator == other.coordinator
            && self.rooms == other.rooms
            && self.ends_at / 1_000 == other.ends_at / 1_000
            && self.track == other.track
    }

    fn counted(mut self, now: u64, minute: Duration) -> Self {
        self.tick(now, minute);
        self
    }

    pub fn trace(&self) -> Trace {
        Trace {
            id: self.group.clone(),
            coordinator: self.coordinator.clone(),
            rooms: self.rooms.clone(),
        }
    }

    /// Keeps the trace of the group found again.
    pub fn follow(&mut self, group: &Group) {
        let trace = Trace::of(group);
        self.group = trace.id;
        self.coordinator = trace.coordinator;
        self.rooms = trace.rooms;
    }

    /// Brings the end of an end-of-track timer in step with the group (a seek, a pause):
    /// the end of the track as it plays now, or now when another track plays.
    pub fn follow_track(&mut self, group: &Group, now: u64) {
        let Some(track) = &self.track else { return };
        let same = group.now_playing.as_ref().map(|n| n.line()).as_ref() == Some(track);
        self.ends_at = match (same, track_end(group, now)) {
            (true, Some(end)) => end,
            _ => now.min(self.ends_at),
        };
    }

    /// Counts the whole minutes left at `now`; true when that changed.
    pub fn tick(&mut self, now: u64, minute: Duration) -> bool {
        let left = self.ends_at.saturating_sub(now);
        let minutes = u32::try_from(left.div_ceil(millis(minute).max(1))).unwrap_or(u32::MAX);
        let changed = minutes != self.left;
        self.left = minutes;
        changed
    }

    /// When the count of minutes left next changes, after `now`.
    pub fn next_tick(&self, now: u64, minute: Duration) -> u64 {
        let minute = millis(minute).max(1);
        let left = self.ends_at.saturating_sub(now);
        now + match left % minute {
            0 => minute,
            part => part,
        }
    }

    /// What the surfaces show of it, on the group it is now on.
    pub fn shown(&self, group: &GroupId) -> SleepTimer {
        let minutes_left = if self.fading { 0 } else { self.left };
        SleepTimer {
            group: group.clone(),
            ends_at: self.ends_at,
            end_of_track: self.track.is_some(),
            minutes_left,
            fading: self.fading,
            left: left_in_words(self.fading, self.track.is_some(), minutes_left),
        }
    }

    /// When the volume starts to come down.
    pub fn fade_from(&self, minute: Duration) -> u64 {
        self.ends_at.saturating_sub(millis(fade(minute)))
    }
}

/// Where the track playing on `group` ends, by `now`; none for a stream or an unknown
/// length.
fn track_end(group: &Group, now: u64) -> Option<u64> {
    let duration = group.now_playing.as_ref()?.duration_millis?;
    let at = group.position_at(now)?;
    Some(now + u64::from(duration.saturating_sub(at)))
}

/// How long the volume takes to come down: half a minute.
pub fn fade(minute: Duration) -> Duration {
    minute / 2
}

/// The volumes of the fade from `start`, one per step, the last 0.
pub fn fade_steps(start: u8) -> Vec<u8> {
    (1..=FADE_STEPS)
        .map(|k| {
            let left = u16::from(start) * u16::from(FADE_STEPS - k) / u16::from(FADE_STEPS);
            u8::try_from(left).unwrap_or(0)
        })
        .collect()
}

/// The length of a minute: `ROOMTONE_SLEEP_MINUTE_MS`, else 60 s.
pub fn minute_from_env() -> Duration {
    std::env::var("ROOMTONE_SLEEP_MINUTE_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|ms| *ms > 0)
        .map_or(Duration::from_secs(60), Duration::from_millis)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The timer of a group among `timers`, found by their traces.
pub(crate) fn position_of(
    timers: &[Timer],
    households: &[Household],
    group: &GroupId,
) -> Option<usize> {
    timers.iter().position(|t| {
        t.group == *group || t.trace().find(households).is_some_and(|g| g.id == *group)
    })
}

/// Where the timers are kept between runs and shared between processes: a file and its
/// locks, or this process's memory alone (the demo).
#[derive(Debug)]
pub struct Timers {
    file: Option<PathBuf>,
    minute: Duration,
}

/// Being the process that runs the timers (released when dropped, or when the process ends).
#[derive(Debug)]
pub struct Runner {
    _turn: Option<Turn>,
}

impl Timers {
    /// Timers in this process's memory alone.
    pub fn in_memory() -> Self {
        Self {
            file: None,
            minute: minute_from_env(),
        }
    }

    /// Timers kept in `file`.
    pub fn in_file(file: PathBuf) -> Self {
        Self {
            file: Some(file),
            minute: minute_from_env(),
        }
    }

    /// The file for the sign-in kept under the keychain service `service`, in the user's
    /// state folder.
    pub fn for_service(service: &str) -> Self {
        let name = crate::turns::file_name(service);
        Self::in_file(state_dir().join(format!("{name}.sleep-timers.json")))
    }

    /// The same timers with minutes of this length.
    pub fn with_minute(mut self, minute: Duration) -> Self {
        self.minute = minute;
        self
    }

    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    pub fn minute(&self) -> Duration {
        self.minute
    }

    /// Being the one process that runs the timers, if no other is: always, in memory.
    pub fn try_run(&self) -> Option<Runner> {
        let Some(file) = &self.file else {
            return Some(Runner { _turn: None });
        };
        match Turns::at(file.with_extension("run.lock")).try_take() {
            Ok(turn) => turn.map(|turn| Runner { _turn: Some(turn) }),
            Err(err) => {
                tracing::warn!(error = %err, "the sleep timers' lock");
                None
            }
        }
    }

    /// The timers in the file, when it changed since `seen` (its modification time).
    pub(crate) fn reload(&self, seen: &mut Option<SystemTime>) -> Option<Vec<Timer>> {
        let file = self.file.as_ref()?;
        let modified = std::fs::metadata(file).and_then(|m| m.modified()).ok();
        if modified == *seen {
            return None;
        }
        *seen = modified;
        Some(read(file))
    }

    /// Changes the timers: in the file under its lock (as it is there now, written by any
    /// process), else `current`. Gives the timers as they now are.
    pub(crate) async fn edit(
        &self,
        current: &[Timer],
        change: impl FnOnce(&mut Vec<Timer>),
    ) -> crate::Result<Vec<Timer>> {
        let Some(file) = &self.file else {
            let mut timers = current.to_vec();
            change(&mut timers);
            return Ok(timers);
        };
        let _turn = Turns::at(file.with_extension("edit.lock"))
            .take()
            .await
            .map_err(|e| CoreError::Local(format!("the sleep timers: {e}")))?;
        let mut timers = read(file);
        // What this process knows of a fade under way stays.
        for timer in &mut timers {
            timer.fading = current.iter().any(|c| c.group == timer.group && c.fading);
        }
        change(&mut timers);
        write(file, &timers).map_err(|e| {
            CoreError::Local(format!(
                "could not keep the sleep timer in {}: {e}",
                file.display()
            ))
        })?;
        Ok(timers)
    }
}

fn read(file: &Path) -> Vec<Timer> {
    let Ok(bytes) = std::fs::read(file) else {
        return Vec::new();
    };
    serde_json::from_slice(&bytes).unwrap_or_else(|err| {
        tracing::warn!(error = %err, file = %file.display(), "a broken sleep-timer file: no timers");
        Vec::new()
    })
}

fn write(file: &Path, timers: &[Timer]) -> std::io::Result<()> {
    if timers.is_empty() {
        return match std::fs::remove_file(file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temporary = file.with_extension("json.tmp");
    std::fs::write(&temporary, serde_json::to_vec_pretty(timers)?)?;
    std::fs::rename(&temporary, file)
}

/// The user's folder for state kept between runs: `XDG_STATE_HOME` (else `~/.local/state`)
/// on Linux, Application Support on macOS, the local application data folder on Windows.
fn state_dir() -> PathBuf {
    let var = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let home = var("HOME");
    let base = if cfg!(target_os = "windows") {
        var("LOCALAPPDATA").map(|d| d.join("Roomtone"))
    } else if cfg!(target_os = "macos") {
        home.map(|h| h.join("Library/Application Support/Roomtone"))
    } else {
        var("XDG_STATE_HOME")
            .or_else(|| home.map(|h| h.join(".local/state")))
            .map(|d| d.join("roomtone"))
    };
    base.unwrap_or_else(|| std::env::temp_dir().join("roomtone"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{Actions, Modes, NowPlaying, PlayState, Position, Volume};

    const MINUTE: Duration = Duration::from_secs(60);

    fn group(duration: Option<u32>, at: u32, state: PlayState) -> Group {
        Group {
            id: GroupId::new("g1"),
            name: "Office".into(),
            coordinator_id: PlayerId::new("p1"),
            rooms: Vec::new(),
            state,
            position: Some(Position {
                millis: at,
                read_at: 1_000,
            }),
            now_playing: Some(NowPlaying {
                title: "Fog".into(),
                artist: Some("Tide".into()),
                album: None,
                container: None,
                service: None,
                art_url: None,
                duration_millis: duration,
            }),
            volume: Volume::default(),
            actions: Actions::default(),
            modes: Modes::default(),
        }
    }

    #[test]
    fn minutes_end_that_many_minutes_on() {
        let g = group(None, 0, PlayState::Playing);
        let mut t = Timer::new(&g, SleepAfter::Minutes { minutes: 30 }, 1_000, MINUTE).unwrap();
        assert_eq!(t.ends_at, 1_000 + 30 * 60_000);
        assert_eq!(t.shown(&g.id).minutes_left, 30);
        let later = 1_000 + 60_000 + 1;
        assert!(t.tick(later, MINUTE));
        assert!(!t.tick(later + 1, MINUTE), "the same minute");
        assert_eq!(t.shown(&g.id).left, "29 min left");
        assert_eq!(t.next_tick(later, MINUTE), 1_000 + 2 * 60_000);
        assert_eq!(t.fade_from(MINUTE), t.ends_at - 30_000);
        for minutes in [0, MAX_MINUTES + 1] {
            let err = Timer::new(&g, SleepAfter::Minutes { minutes }, 0, MINUTE).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Invalid);
        }
    }

    #[test]
    fn the_end_of_the_track_moves_with_the_track() {
        let g = group(Some(200_000), 50_000, PlayState::Playing);
        let mut t = Timer::new(&g, SleepAfter::EndOfTrack, 1_000, MINUTE).unwrap();
        assert_eq!(t.ends_at, 1_000 + 150_000);
        assert!(t.shown(&g.id).end_of_track);
        // Paused for a while: the end moves on with the clock.
        let paused = group(Some(200_000), 80_000, PlayState::Paused);
        t.follow_track(&paused, 100_000);
        assert_eq!(t.ends_at, 100_000 + 120_000);
        // Another track: this one has ended.
        let mut other = group(Some(200_000), 0, PlayState::Playing);
        other.now_playing.as_mut().unwrap().title = "Salt".into();
        t.follow_track(&other, 150_000);
        assert_eq!(t.ends_at, 150_000);
    }

    #[test]
    fn what_is_left_in_words() {
        assert_eq!(left_in_words(false, false, 45), "45 min left");
        assert_eq!(left_in_words(false, false, 1), "under a minute left");
        assert_eq!(left_in_words(false, true, 3), "at the end of this track");
        assert_eq!(left_in_words(true, true, 0), "fading out");
    }

    #[test]
    fn a_stream_has_no_end_of_track() {
        let g = group(None, 0, PlayState::Playing);
        let err = Timer::new(&g, SleepAfter::EndOfTrack, 0, MINUTE).unwrap_err();
        assert!(
            err.to_string().contains("choose a number of minutes"),
            "{err}"
        );
    }

    #[test]
    fn the_fade_comes_down_in_steps_to_silence() {
        assert_eq!(fade_steps(40), vec![36, 32, 28, 24, 20, 16, 12, 8, 4, 0]);
        assert_eq!(fade_steps(5), vec![4, 4, 3, 3, 2, 2, 1, 1, 0, 0]);
        assert_eq!(
            fade(Duration::from_millis(2_000)),
            Duration::from_millis(1_000)
        );
    }

    #[tokio::test]
    async fn the_file_is_shared_and_a_broken_one_is_no_timers() {
        let dir = std::env::temp_dir().join(format!("roomtone-sleep-{}", std::process::id()));
        let file = dir.join("t.sleep-timers.json");
        let timers = Timers::in_file(file.clone());
        let g = group(None, 0, PlayState::Playing);
        let timer = Timer::new(&g, SleepAfter::Minutes { minutes: 15 }, 0, MINUTE).unwrap();
        let kept = timers.edit(&[], |t| t.push(timer.clone())).await.unwrap();
        assert_eq!(kept, vec![timer.clone()]);
        // Another process (another `Timers` on the file) sees it.
        let mut seen = None;
        let loaded = Timers::in_file(file.clone()).reload(&mut seen).unwrap();
        assert!(loaded.len() == 1 && loaded[0].kept_as(&timer), "{loaded:?}");
        assert_eq!(
            Timers::in_file(file.clone()).reload(&mut seen),
            None,
            "unchanged"
        );
        // The one runner.
        let runner = timers.try_run();
        assert!(runner.is_some());
        assert!(
            Timers::in_file(file.clone()).try_run().is_none(),
            "held by the first"
        );
        drop(runner);
        assert!(Timers::in_file(file.clone()).try_run().is_some());
        // The last timer gone: no file.
        timers.edit(&[], Vec::clear).await.unwrap();
        assert!(!file.exists());
        std::fs::write(&file, b"{not json").unwrap();
        assert_eq!(read(&file), Vec::new());
        let _ = std::fs::remove_dir_all(dir);
    }
}
