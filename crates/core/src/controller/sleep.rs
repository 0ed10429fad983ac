use super::{Controller, Held};
use crate::action::{Action, Done};
use crate::error::{CoreError, Result};
use crate::live::ReadState;
use crate::sleep::{self, SleepAfter, Timer, Timers};
use crate::view::Group;
use roomtone_sonos::{GroupId, PlayerId};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How often a process that does not run the timers looks for another's changes, and a
/// running process for a timer handed over by `roomtone-cli sleep`.
const LOOK: Duration = Duration::from_secs(2);

impl Controller {
    /// Keeps the sleep timers in `timers` (a file shared with other Roomtone processes)
    /// rather than this process's memory. Before anything else uses them; later, ignored.
    pub fn keep_sleep_timers(&self, timers: Timers) {
        if self.sleep.set(timers).is_err() {
            tracing::warn!("the sleep timers were already in use; keeping them where they were");
        }
    }

    /// Another process runs the timers (it holds the runner's lock): the app, or a waiting
    /// `roomtone-cli sleep`. Never, for timers in memory.
    pub fn timers_run_elsewhere(&self) -> bool {
        self.timers().file().is_some() && self.timers().try_run().is_none()
    }

    pub(crate) fn timers(&self) -> &Timers {
        self.sleep.get_or_init(Timers::in_memory)
    }

    /// [`Action::Sleep`]: the group's timer set, replaced or turned off.
    pub(super) async fn set_sleep(&self, group: &GroupId, after: SleepAfter) -> Result<Done> {
        let now = self.now_millis();
        let minute = self.timers().minute();
        let (found, households) = {
            let live = self.live.borrow();
            (live.group(group).cloned(), live.households.clone())
        };
        let Some(found) = found else {
            return Err(CoreError::NotFound(format!(
                "no group {group} to set a sleep timer on: it may have changed; try again"
            )));
        };
        let timer = match after {
            SleepAfter::Off => None,
            after => Some(Timer::new(&found, after, now, minute)?),
        };
        let current = self.held_timers();
        let timers = self
            .timers()
            .edit(&current, |timers| {
                if let Some(i) = sleep::position_of(timers, &households, group) {
                    timers.remove(i);
                }
                timers.extend(timer);
            })
            .await?;
        self.take_timers(timers, now);
        Ok(Done::default())
    }

    fn held_timers(&self) -> Vec<Timer> {
        self.held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .sleep
            .clone()
    }

    /// Holds `timers`, counted at `now`.
    fn take_timers(&self, mut timers: Vec<Timer>, now: u64) {
        let minute = self.timers().minute();
        for timer in &mut timers {
            timer.tick(now, minute);
        }
        self.update(|held| {
            if held.sleep == timers {
                return false;
            }
            held.sleep = timers;
            true
        });
    }

    /// Runs the sleep timers until the controller is dropped — or, with `until_none_left`,
    /// until no timer is left (`roomtone-cli sleep` waiting for the app's place). The time
    /// left is counted each minute; a timer due brings its group's volume down over half a
    /// minute, pauses it and puts the rooms' volumes back. Only the one process holding the
    /// runner's lock does that; the others show the timers and take over when it ends.
    pub async fn run_sleep_timers(self: Arc<Self>, until_none_left: bool) {
        let timers = self.timers();
        let minute = timers.minute();
        let mut changes = self.watch();
        let mut seen: Option<SystemTime> = None;
        let mut runner = None;
        let mut last_read = self.now_millis();
        loop {
            if let Some(loaded) = timers.reload(&mut seen) {
                self.take_timers(loaded, self.now_millis());
            }
            if runner.is_none() {
                runner = timers.try_run();
            }
            let now = self.now_millis();
            // Without the event stream (the CLI), a timer's group is read again once a
            // minute; with no timer, nothing is read.
            let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
            let waiting = !self.held_timers().is_empty();
            if waiting && !self.streaming() && now.saturating_sub(last_read) >= ms(minute) {
                let _ = self.refresh().await;
                last_read = self.now_millis();
            }
            self.follow_timers(now, runner.is_some(), &mut seen).await;
            let held = self.held_timers();
            if until_none_left && held.is_empty() {
                return;
            }
            let ready = self.live.borrow().sync == ReadState::Ready;
            if runner.is_some() && ready {
                if let Some(due) = held.iter().find(|t| now >= t.fade_from(minute)) {
                    self.fall_asleep(due, &mut seen).await;
                    continue;
                }
            }
            let mut wake = held
                .iter()
                .flat_map(|t| [t.next_tick(now, minute), t.fade_from(minute)])
                .filter(|at| *at > now)
                .min()
                .map(|at| Duration::from_millis(at - now));
            if timers.file().is_some() {
                wake = Some(wake.map_or(LOOK, |w| w.min(LOOK)));
            }
            changes.borrow_and_update();
            tokio::select! {
                () = sleep_for(wake) => {}
                changed = changes.changed() => if changed.is_err() { return },
            }
        }
    }

    /// The timers brought in step with their groups (found again, an end-of-track timer's
    /// end) and counted; kept in the file by the runner when that changed.
    async fn follow_timers(&self, now: u64, runner: bool, seen: &mut Option<SystemTime>) {
        if self.held_timers().is_empty() {
            // Nothing to follow: no copy of the households on every change of the state.
            return;
        }
        let minute = self.timers().minute();
        let households = self.live.borrow().households.clone();
        let mut moved = false;
        self.update(|held| {
            let mut changed = false;
            for timer in &mut held.sleep {
                let before = timer.clone();
                if let Some(group) = timer.trace().find(&households) {
                    timer.follow(group);
                    if !timer.fading {
                        timer.follow_track(group, now);
                    }
                }
                timer.tick(now, minute);
                moved |= !timer.kept_as(&before);
                changed |= *timer != before;
            }
            changed
        });
        if moved && runner && self.timers().file().is_some() {
            let current = self.held_timers();
            let kept = current.clone();
            let done = self
                .timers()
                .edit(&current, |timers| {
                    for timer in timers.iter_mut() {
                        if let Some(now) = kept.iter().find(|k| same_timer(k, timer)) {
                            *timer = now.clone();
                        }
                    }
                })
                .await;
            if let Err(err) = done {
                tracing::warn!(error = %err, "could not keep the sleep timers");
            }
            // This process's own writing is not news.
            let _ = self.timers().reload(seen);
        }
    }

    /// A timer due: the group's volume down over half a minute, a pause, the rooms'
    /// volumes back; the timer gone. Turned off meanwhile, the fade stops and the volumes
    /// go back. A group no longer playing has nothing to do.
    async fn fall_asleep(&self, timer: &Timer, seen: &mut Option<SystemTime>) {
        let minute = self.timers().minute();
        let Some(start) = self.timer_group(timer) else {
            self.drop_timer(timer).await;
            return;
        };
        if !start.state.is_playing() {
            tracing::info!(group = %start.name, "a sleep timer ended on a group not playing");
            self.drop_timer(timer).await;
            return;
        }
        tracing::info!(group = %start.name, "a sleep timer is due: the volume comes down");
        self.update(|held| {
            held.sleep
                .iter_mut()
                .filter(|t| same_timer(t, timer))
                .for_each(|t| t.fading = true);
            true
        });
        let rooms: Vec<(PlayerId, u8)> = start
            .rooms
            .iter()
            .filter(|r| !r.volume.fixed)
            .map(|r| (r.id.clone(), r.volume.volume))
            .collect();
        let fades = !start.volume.fixed && !start.volume.muted && start.volume.volume > 0;
        let mut current = start.id.clone();
        if fades {
            let step = sleep::fade(minute) / u32::from(sleep::FADE_STEPS);
            for volume in sleep::fade_steps(start.volume.volume) {
                tokio::time::sleep(step).await;
                if let Some(loaded) = self.timers().reload(seen) {
                    self.take_timers(loaded, self.now_millis());
                }
                let Some(now) = self.timer_group(timer) else {
                    // Turned off (or the group is gone): the volume goes back.
                    self.put_back(&rooms).await;
                    return;
                };
                current = now.id;
                let _ = self
                    .perform(Action::SetGroupVolume {
                        group: current.clone(),
                        volume,
                    })
                    .await;
            }
        }
        let paused = self.perform(Action::Pause { group: current }).await;
        if let Err(err) = &paused {
            tracing::warn!(error = %err, "the sleep timer's pause");
        }
        if fades {
            self.put_back(&rooms).await;
        }
        self.drop_timer(timer).await;
    }

    /// The group `timer` is on now, while it is still set.
    fn timer_group(&self, timer: &Timer) -> Option<Group> {
        let trace = {
            let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
            held.sleep.iter().find(|t| same_timer(t, timer))?.trace()
        };
        trace.find(&self.live.borrow().households).cloned()
    }

    /// Each room's volume as it was before the fade.
    async fn put_back(&self, rooms: &[(PlayerId, u8)]) {
        let sent = futures_util::future::join_all(rooms.iter().map(|(room, volume)| {
            Box::pin(self.perform(Action::SetRoomVolume {
                room: room.clone(),
                volume: *volume,
            }))
        }))
        .await;
        for err in sent.into_iter().filter_map(Result::err) {
            tracing::warn!(error = %err, "the sleep timer could not put a volume back");
        }
    }

    async fn drop_timer(&self, timer: &Timer) {
        let current = self.held_timers();
        let gone = |t: &Timer| same_timer(t, timer);
        let timers = match self
            .timers()
            .edit(&current, |timers| timers.retain(|t| !gone(t)))
            .await
        {
            Ok(timers) => timers,
            Err(err) => {
                tracing::warn!(error = %err, "could not keep the sleep timers");
                current.into_iter().filter(|t| !gone(t)).collect()
            }
        };
        self.take_timers(timers, self.now_millis());
    }
}

/// The same timer, in another process's copy: the same group, or the same coordinator.
fn same_timer(a: &Timer, b: &Timer) -> bool {
    a.group == b.group || a.coordinator == b.coordinator
}

async fn sleep_for(wake: Option<Duration>) {
    match wake {
        Some(wake) => tokio::time::sleep(wake).await,
        None => std::future::pending().await,
    }
}

impl Held {
    /// The timers as shown, each on the group it follows now.
    pub(super) fn shown_timers(
        &self,
        households: &[crate::view::Household],
    ) -> Vec<sleep::SleepTimer> {
        self.sleep
            .iter()
            .filter_map(|timer| Some(timer.shown(&timer.trace().find(households)?.id)))
            .collect()
    }
}
