//! The transport of a group: play, pause, skips, seeks, play modes, line-in and TV, and
//! tracks ending on their own.

use super::{Ctx, Household, Source};
use crate::clock::Millis;
use crate::error::ApiError;
use roomtone_sonos::models::*;
use roomtone_sonos::{GroupId, PlayerId};

impl Household {
    /// Brings every playing group to `now`, emitting for groups whose track changed.
    pub fn settle(&mut self, ctx: &mut Ctx<'_>) {
        for index in 0..self.groups.len() {
            if self.groups[index].playback.settle(ctx.now, ctx.rng) {
                self.emit_playback(index, ctx.now, &mut ctx.out);
                self.emit_metadata(index, ctx.links, &mut ctx.out);
            }
        }
        for player in &mut self.players {
            if player.ducked_until.is_some_and(|t| t <= ctx.now) {
                player.ducked_until = None;
            }
        }
    }

    /// The earliest track end among playing groups.
    pub fn next_track_end(&self) -> Option<Millis> {
        self.groups
            .iter()
            .filter_map(|g| g.playback.track_end())
            .min()
    }

    pub(super) fn changed_playback(&mut self, index: usize, ctx: &mut Ctx<'_>, metadata: bool) {
        self.groups[index].playback.generation += 1;
        self.emit_playback(index, ctx.now, &mut ctx.out);
        if metadata {
            self.emit_metadata(index, ctx.links, &mut ctx.out);
        }
    }

    /// play: `BUFFERING` now; the caller schedules [`Household::finish_buffering`].
    pub fn play(&mut self, index: usize, ctx: &mut Ctx<'_>) -> Result<u64, ApiError> {
        let playback = &mut self.groups[index].playback;
        if matches!(playback.source, Source::Empty) {
            return Err(ApiError::no_content(
                "nothing is loaded in this group's queue",
            ));
        }
        if matches!(
            playback.state,
            PlaybackState::Playing | PlaybackState::Buffering
        ) {
            return Ok(playback.generation);
        }
        playback.state = PlaybackState::Buffering;
        playback.anchor = ctx.now;
        self.changed_playback(index, ctx, false);
        Ok(self.groups[index].playback.generation)
    }

    /// The second half of play: `BUFFERING` → `PLAYING`, unless something changed since.
    pub fn finish_buffering(&mut self, group: &GroupId, generation: u64, ctx: &mut Ctx<'_>) {
        let Some(index) = self.group_index(group) else {
            return;
        };
        let playback = &mut self.groups[index].playback;
        if playback.generation != generation || playback.state != PlaybackState::Buffering {
            return;
        }
        playback.state = PlaybackState::Playing;
        playback.anchor = ctx.now;
        self.changed_playback(index, ctx, false);
    }

    /// pause: `PAUSED` for tracks, `IDLE` for streams and inputs.
    pub fn pause(&mut self, index: usize, ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
        let playback = &mut self.groups[index].playback;
        if matches!(playback.state, PlaybackState::Paused | PlaybackState::Idle) {
            return Ok(());
        }
        playback.position_ms = playback.position_at(ctx.now);
        playback.anchor = ctx.now;
        playback.state = match playback.source {
            Source::Queue { .. } => PlaybackState::Paused,
            _ => PlaybackState::Idle,
        };
        self.changed_playback(index, ctx, false);
        Ok(())
    }

    pub fn toggle(&mut self, index: usize, ctx: &mut Ctx<'_>) -> Result<Option<u64>, ApiError> {
        match self.groups[index].playback.state {
            PlaybackState::Playing | PlaybackState::Buffering => {
                self.pause(index, ctx).map(|()| None)
            }
            _ => self.play(index, ctx).map(Some),
        }
    }

    fn require_tracks(&self, index: usize, what: &str) -> Result<(), ApiError> {
        match self.groups[index].playback.source {
            Source::Queue { .. } => Ok(()),
            Source::Empty => Err(ApiError::no_content(format!("nothing is loaded to {what}"))),
            _ => Err(ApiError::playback_failed(format!(
                "the current source does not allow {what}"
            ))),
        }
    }

    pub fn skip_next(&mut self, index: usize, ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
        self.require_tracks(index, "skipping")?;
        let playback = &mut self.groups[index].playback;
        playback.position_ms = playback.position_at(ctx.now);
        if !playback.advance(playback.position_ms, ctx.rng) && playback.moving() {
            playback.state = PlaybackState::Idle;
        }
        playback.position_ms = 0;
        playback.anchor = ctx.now;
        self.changed_playback(index, ctx, true);
        Ok(())
    }

    pub fn skip_previous(&mut self, index: usize, ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
        self.require_tracks(index, "skipping")?;
        let playback = &mut self.groups[index].playback;
        let count = playback.tracks().len();
        let from = playback.item_id().unwrap_or_default();
        playback.previous = Some((from, playback.position_at(ctx.now)));
        playback.index = if playback.index > 0 {
            playback.index - 1
        } else if playback.modes.repeat == Some(true) {
            count - 1
        } else {
            0
        };
        playback.position_ms = 0;
        playback.anchor = ctx.now;
        self.changed_playback(index, ctx, true);
        Ok(())
    }

    /// skipBack: to the start if more than 3 s in, else to the previous track.
    pub fn skip_back(&mut self, index: usize, ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
        self.require_tracks(index, "skipping")?;
        let playback = &mut self.groups[index].playback;
        if playback.position_at(ctx.now) > 3_000 {
            playback.position_ms = 0;
            playback.anchor = ctx.now;
            self.changed_playback(index, ctx, false);
            Ok(())
        } else {
            self.skip_previous(index, ctx)
        }
    }

    pub fn seek(
        &mut self,
        index: usize,
        position: i64,
        item_id: Option<&str>,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), ApiError> {
        self.require_tracks(index, "seeking")?;
        let playback = &mut self.groups[index].playback;
        if let Some(item) = item_id {
            if playback.item_id().as_deref() != Some(item) {
                return Err(ApiError::invalid_object(format!(
                    "item {item} is not the current item"
                )));
            }
        }
        if position < 0 {
            return Err(ApiError::invalid_parameter(
                "positionMillis must not be negative",
            ));
        }
        playback.position_ms = position;
        playback.anchor = ctx.now;
        let duration = playback.tracks()[playback.index].duration_ms;
        let metadata = if position >= duration {
            // Past the end: the next track.
            playback.position_ms = 0;
            if !playback.advance(duration, ctx.rng) {
                playback.state = PlaybackState::Idle;
            }
            true
        } else {
            false
        };
        self.changed_playback(index, ctx, metadata);
        Ok(())
    }

    pub fn set_modes(
        &mut self,
        index: usize,
        modes: PlayModes,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), ApiError> {
        let playback = &mut self.groups[index].playback;
        if !matches!(playback.source, Source::Queue { .. })
            && (modes.repeat == Some(true)
                || modes.repeat_one == Some(true)
                || modes.shuffle == Some(true))
        {
            return Err(ApiError::playback_failed(
                "the current source has no play modes",
            ));
        }
        let current = &mut playback.modes;
        current.repeat = modes.repeat.or(current.repeat);
        current.repeat_one = modes.repeat_one.or(current.repeat_one);
        current.shuffle = modes.shuffle.or(current.shuffle);
        current.crossfade = modes.crossfade.or(current.crossfade);
        self.changed_playback(index, ctx, true);
        Ok(())
    }

    fn switch_source(&mut self, index: usize, source: Source, play: bool, ctx: &mut Ctx<'_>) {
        let playback = &mut self.groups[index].playback;
        playback.source = source;
        playback.index = 0;
        playback.position_ms = 0;
        playback.anchor = ctx.now;
        playback.queue_version += 1;
        playback.state = if play {
            PlaybackState::Playing
        } else {
            PlaybackState::Idle
        };
        self.changed_playback(index, ctx, true);
    }

    pub fn line_in(
        &mut self,
        index: usize,
        device: Option<&PlayerId>,
        play: bool,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), ApiError> {
        let device = device
            .cloned()
            .unwrap_or_else(|| self.groups[index].coordinator.clone());
        let player = self
            .player(&device)
            .filter(|p| !p.unplugged)
            .ok_or_else(|| {
                ApiError::invalid_parameter(format!(
                    "deviceId {device} is not a player of this household"
                ))
            })?;
        if !player.model.has(&Capability::LineIn) {
            return Err(ApiError::not_capable(format!(
                "{} has no line-in",
                player.model.name
            )));
        }
        let name = format!("{} Line-In", player.model.name);
        self.switch_source(
            index,
            Source::LineIn {
                player: device,
                name,
            },
            play,
            ctx,
        );
        Ok(())
    }

    pub fn home_theater_playback(
        &mut self,
        player: &PlayerId,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), ApiError> {
        let state = self.player(player).expect("resolved");
        if !state.model.has(&Capability::HtPlayback) {
            return Err(ApiError::unsupported_namespace(format!(
                "{} is not a home-theater player",
                state.model.name
            )));
        }
        let name = format!("{} TV", state.model.name);
        let index = self
            .group_of(player)
            .expect("every plugged player is in a group");
        self.switch_source(
            index,
            Source::Tv {
                player: player.clone(),
                name,
            },
            true,
            ctx,
        );
        Ok(())
    }
}
