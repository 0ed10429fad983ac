//! Which Control API call each [`Action`] is, and sending it: one call per action (a stream
//! is two: its session, then the stream). Relative actions are [`Action::resolve`]d first;
//! [`Action::PauseAll`] is made of pauses by the controller and sends nothing itself, nor
//! does [`Action::Sleep`], a timer of the core's.

use crate::action::{Action, Done, PlayMode};
use crate::chime::{self, Chime};
use crate::stream;
use roomtone_sonos::models::{
    CreateGroup, HomeTheaterOptions, LoadFavorite, LoadPlaylist, PlayModes, PlayerSettings,
    SetGroupMembers, SetRelativeVolume, SetVolume, TvPowerState,
};
use roomtone_sonos::{Client, GroupId};

impl Action {
    /// Sends it to Sonos: one Control API call. Relative actions are [`Action::resolve`]d first.
    pub(crate) async fn send(&self, client: &Client) -> roomtone_sonos::Result<Done> {
        let on = |group: &GroupId| Done {
            group: Some(group.clone()),
            chime: None,
        };
        let done = |group: &GroupId, _: ()| on(group);
        let (playback, volumes) = (client.playback(), client.group_volume());
        Ok(match self {
            Action::Toggle { group } => done(group, playback.toggle_play_pause(group).await?),
            Action::Play { group } => done(group, playback.play(group).await?),
            Action::Pause { group } => done(group, playback.pause(group).await?),
            Action::Next { group } => done(group, playback.skip_to_next_track(group).await?),
            Action::Previous { group } => {
                done(group, playback.skip_to_previous_track(group).await?)
            }
            Action::Seek {
                group,
                position_millis,
            } => done(
                group,
                playback
                    .seek(group, i64::from(*position_millis), None)
                    .await?,
            ),
            Action::SeekBy {
                group,
                delta_millis,
            } => done(
                group,
                playback.seek_relative(group, *delta_millis, None).await?,
            ),
            Action::SetPlayMode { group, mode, on } => {
                let mut modes = PlayModes::default();
                match mode {
                    PlayMode::Repeat => modes.repeat = Some(*on),
                    PlayMode::RepeatOne => modes.repeat_one = Some(*on),
                    PlayMode::Shuffle => modes.shuffle = Some(*on),
                    PlayMode::Crossfade => modes.crossfade = Some(*on),
                }
                done(group, playback.set_play_modes(group, modes).await?)
            }
            Action::SetGroupVolume { group, volume } => {
                done(group, volumes.set(group, (*volume).min(100)).await?)
            }
            Action::AdjustGroupVolume { group, delta } => {
                done(group, volumes.set_relative(group, *delta).await?)
            }
            Action::SetGroupMute { group, muted } => {
                done(group, volumes.set_mute(group, *muted).await?)
            }
            Action::ToggleGroupMute { group } => {
                let muted = volumes.get(group).await?.muted.unwrap_or(false);
                done(group, volumes.set_mute(group, !muted).await?)
            }
            Action::SetRoomVolume { room, volume } => {
                let request = SetVolume {
                    volume: Some((*volume).min(100)),
                    muted: None,
                };
                client.player_volume().set(room, request).await?;
                Done::default()
            }
            Action::SetRoomMute { room, muted } => {
                client.player_volume().set_mute(room, *muted).await?;
                Done::default()
            }
            Action::AdjustRoomVolume { room, delta } => {
                let request = SetRelativeVolume {
                    volume_delta: Some(*delta),
                    muted: None,
                };
                client.player_volume().set_relative(room, request).await?;
                Done::default()
            }
            Action::SetGroupMembers { group, rooms } => {
                let request = SetGroupMembers {
                    player_ids: rooms.clone(),
                    area_ids: None,
                };
                let info = client.groups().set_members(group, &request).await?;
                Done {
                    group: info.group.map(|g| g.id),
                    chime: None,
                }
            }
            Action::CreateGroup { household, rooms } => {
                let request = CreateGroup {
                    player_ids: rooms.clone(),
                    music_context_group_id: None,
                    area_ids: None,
                };
                let info = client.groups().create(household, &request).await?;
                Done {
                    group: info.group.map(|g| g.id),
                    chime: None,
                }
            }
            Action::PlayLineIn { group, room } => {
                done(group, playback.load_line_in(group, Some(room), true).await?)
            }
            Action::PlayTv { room } => {
                client.home_theater().load_playback(room).await?;
                Done::default()
            }
            Action::SetTvPower { room, on } => {
                let state = match on {
                    true => TvPowerState::On,
                    false => TvPowerState::Standby,
                };
                client
                    .home_theater()
                    .set_tv_power_state(room, state)
                    .await?;
                Done::default()
            }
            Action::SetTheaterOptions { room, options } => {
                let set = HomeTheaterOptions {
                    night_mode: Some(options.night_mode),
                    enhance_dialog: Some(options.enhance_dialog),
                    grouping_latency: None,
                };
                client.home_theater().set_options(room, set).await?;
                Done::default()
            }
            Action::Chime { room, url, volume } => {
                let request = chime::request(url.as_deref().map(str::trim), *volume);
                let clip = client.audio_clip().load(room, &request).await?;
                Done {
                    group: None,
                    chime: Some(Chime::started(room, &clip, false)),
                }
            }
            Action::PlayStream { group, url, name } => {
                let sessions = client.playback_session();
                let session = sessions.create(group, &stream::session()).await?;
                let request = stream::load(url, name.as_deref());
                sessions
                    .load_stream_url(&session.session_id, &request)
                    .await?;
                on(group)
            }
            // Made of pauses by the controller ([`Action::pauses`]): nothing of its own to send.
            Action::PauseAll { .. } => Done::default(),
            // Run by the core's sleep timers, which send the fade and the pause when due.
            Action::Sleep { .. } => Done::default(),
            Action::SetVolumeLimit { room, percent } => {
                let settings = PlayerSettings {
                    volume_scaling_factor: Some(volume_scaling_factor(*percent)),
                    ..PlayerSettings::default()
                };
                client.settings().set_player(room, &settings).await?;
                Done::default()
            }
            Action::LoadFavorite {
                group,
                favorite,
                load,
            } => {
                let request = LoadFavorite {
                    favorite_id: favorite.clone(),
                    action: Some((*load).into()),
                    play_modes: None,
                    play_on_completion: Some(true),
                };
                done(group, client.favorites().load(group, &request).await?)
            }
            Action::LoadPlaylist {
                group,
                playlist,
                load,
            } => {
                let request = LoadPlaylist {
                    playlist_id: playlist.clone(),
                    action: Some((*load).into()),
                    play_modes: None,
                    play_on_completion: Some(true),
                };
                done(group, client.playlists().load(group, &request).await?)
            }
        })
    }
}

/// A volume limit in percent as Sonos's `volumeScalingFactor` (0.01–1.0).
pub(crate) fn volume_scaling_factor(percent: u8) -> f64 {
    f64::from(percent.clamp(1, 100)) / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_volume_limit_is_a_scaling_factor_sonos_accepts() {
        assert_eq!(volume_scaling_factor(60), 0.6);
        assert_eq!(volume_scaling_factor(0), 0.01, "never silence");
        assert_eq!(volume_scaling_factor(250), 1.0);
    }
}
