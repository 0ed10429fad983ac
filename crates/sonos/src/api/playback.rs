//! `playback` (REFERENCE §4.3): transport and play modes of a group.

use crate::api::{subscription, Target};
use crate::client::Client;
use crate::error::Result;
use crate::ids::{GroupId, PlayerId};
use crate::models::{LoadLineIn, PlayModes, PlaybackStatus, Seek, SeekRelative, SetPlayModes};

/// `playback`.
#[derive(Debug)]
pub struct PlaybackHandler<'c> {
    pub(crate) client: &'c Client,
}

impl PlaybackHandler<'_> {
    /// getPlaybackStatus.
    pub async fn status(&self, group: &GroupId) -> Result<PlaybackStatus> {
        self.client
            .send(Target::Group(group).get(&["playback"], "playbackStatus"))
            .await
    }

    async fn command(&self, group: &GroupId, command: &str, idempotent: bool) -> Result<()> {
        self.client
            .send_ok(Target::Group(group).post(&["playback", command], idempotent))
            .await
    }

    /// play. The state goes through `BUFFERING` to `PLAYING`; events report it.
    pub async fn play(&self, group: &GroupId) -> Result<()> {
        self.command(group, "play", true).await
    }

    /// pause. The state becomes `PAUSED`, or `IDLE` for some sources.
    pub async fn pause(&self, group: &GroupId) -> Result<()> {
        self.command(group, "pause", true).await
    }

    /// togglePlayPause. Not retried: twice would undo it.
    pub async fn toggle_play_pause(&self, group: &GroupId) -> Result<()> {
        self.command(group, "togglePlayPause", false).await
    }

    /// skipToNextTrack. Fails with 499 `ERROR_PLAYBACK_FAILED` on a station.
    pub async fn skip_to_next_track(&self, group: &GroupId) -> Result<()> {
        self.command(group, "skipToNextTrack", false).await
    }

    /// skipToPreviousTrack.
    pub async fn skip_to_previous_track(&self, group: &GroupId) -> Result<()> {
        self.command(group, "skipToPreviousTrack", false).await
    }

    /// skipBack: to the start of the track if more than 3 s in, else the previous track.
    pub async fn skip_back(&self, group: &GroupId) -> Result<()> {
        self.command(group, "skipBack", false).await
    }

    /// seek to an absolute position, optionally only if `item_id` is still current.
    pub async fn seek(
        &self,
        group: &GroupId,
        position_millis: i64,
        item_id: Option<&str>,
    ) -> Result<()> {
        let body = Seek {
            position_millis,
            item_id: item_id.map(str::to_owned),
        };
        let call = Target::Group(group)
            .post(&["playback", "seek"], true)
            .json(&body);
        self.client.send_ok(call).await
    }

    /// seekRelative by `delta_millis` (negative rewinds).
    pub async fn seek_relative(
        &self,
        group: &GroupId,
        delta_millis: i64,
        item_id: Option<&str>,
    ) -> Result<()> {
        let body = SeekRelative {
            delta_millis,
            item_id: item_id.map(str::to_owned),
        };
        let call = Target::Group(group)
            .post(&["playback", "seekRelative"], false)
            .json(&body);
        self.client.send_ok(call).await
    }

    /// setPlayModes: modes left `None` are unchanged.
    pub async fn set_play_modes(&self, group: &GroupId, play_modes: PlayModes) -> Result<()> {
        let call = Target::Group(group)
            .post(&["playback", "playMode"], true)
            .json(&SetPlayModes { play_modes });
        self.client.send_ok(call).await
    }

    /// loadLineIn: play the line-in (or TV) input of `device` (the coordinator when `None`).
    pub async fn load_line_in(
        &self,
        group: &GroupId,
        device: Option<&PlayerId>,
        play_on_completion: bool,
    ) -> Result<()> {
        let body = LoadLineIn {
            device_id: device.cloned(),
            play_on_completion: Some(play_on_completion),
        };
        let call = Target::Group(group)
            .post(&["playback", "lineIn"], true)
            .json(&body);
        self.client.send_ok(call).await
    }

    subscription!("playback", GroupId, Group);
}
