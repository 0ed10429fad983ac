//! A room's own settings, read when a surface shows them: a home theater's sound options,
//! and the player settings (the volume limit, fixed volume, mono).

use super::Controller;
use crate::error::Result;
use crate::session::from_sonos;
use crate::view::{RoomSettings, TheaterOptions, VolumeMode};
use roomtone_sonos::models;
use roomtone_sonos::PlayerId;

impl Controller {
    /// A home-theater room's night mode and speech enhancement.
    pub async fn theater_options(&self, room: &PlayerId) -> Result<TheaterOptions> {
        let options = self
            .client
            .home_theater()
            .options(room)
            .await
            .map_err(from_sonos)?;
        Ok(TheaterOptions {
            night_mode: options.night_mode.unwrap_or(false),
            enhance_dialog: options.enhance_dialog.unwrap_or(false),
        })
    }

    /// A room's player settings (getPlayerSettings): its volume limit, whether its volume is
    /// fixed or passed through, and mono.
    pub async fn room_settings(&self, room: &PlayerId) -> Result<RoomSettings> {
        let settings = self
            .client
            .settings()
            .player(room)
            .await
            .map_err(from_sonos)?;
        Ok(RoomSettings::read(&settings))
    }
}

impl RoomSettings {
    fn read(settings: &models::PlayerSettings) -> Self {
        let factor = settings.volume_scaling_factor.unwrap_or(1.0);
        Self {
            // 0.01–1.0 as a whole percent; anything odd Sonos says is kept within it.
            volume_limit: (factor.clamp(0.01, 1.0) * 100.0).round() as u8,
            volume_mode: match settings.volume_mode {
                Some(models::VolumeMode::Fixed) => VolumeMode::Fixed,
                Some(models::VolumeMode::PassThrough) => VolumeMode::PassThrough,
                _ => VolumeMode::Variable,
            },
            mono: settings.mono_mode.unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sonos_player_settings_read_as_a_person_sees_them() {
        let read = |factor, mode| {
            RoomSettings::read(&models::PlayerSettings {
                volume_mode: mode,
                volume_scaling_factor: factor,
                mono_mode: Some(true),
                wifi_disable: None,
            })
        };
        let limited = read(Some(0.6), Some(models::VolumeMode::Variable));
        assert_eq!(limited.volume_limit, 60);
        assert_eq!(limited.volume_mode, VolumeMode::Variable);
        assert!(limited.mono);
        assert_eq!(read(None, None).volume_limit, 100, "no factor: no limit");
        assert_eq!(read(Some(7.0), None).volume_limit, 100);
        assert_eq!(read(Some(0.0), None).volume_limit, 1);
        assert_eq!(
            read(None, Some(models::VolumeMode::PassThrough)).volume_mode,
            VolumeMode::PassThrough
        );
    }
}
