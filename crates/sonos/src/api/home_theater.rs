//! `homeTheater` (REFERENCE §4.10): TV input, TV power, night mode, dialog enhancement.

use crate::api::Target;
use crate::client::Client;
use crate::error::Result;
use crate::ids::PlayerId;
use crate::models::{HomeTheaterOptions, SetTvPowerState, TvPowerState};

/// `homeTheater`.
#[derive(Debug)]
pub struct HomeTheaterHandler<'c> {
    pub(crate) client: &'c Client,
}

impl HomeTheaterHandler<'_> {
    /// loadHomeTheaterPlayback: switch the player's group to the TV input.
    pub async fn load_playback(&self, player: &PlayerId) -> Result<()> {
        self.client
            .send_ok(Target::Player(player).post(&["homeTheater"], true))
            .await
    }

    /// setTvPowerState over HDMI-CEC.
    pub async fn set_tv_power_state(&self, player: &PlayerId, state: TvPowerState) -> Result<()> {
        let call = Target::Player(player)
            .post(&["homeTheater", "tvPowerState"], true)
            .json(&SetTvPowerState {
                tv_power_state: state,
            });
        self.client.send_ok(call).await
    }

    /// getOptions.
    pub async fn options(&self, player: &PlayerId) -> Result<HomeTheaterOptions> {
        self.client
            .send(Target::Player(player).get(&["homeTheater", "options"], "homeTheaterOptions"))
            .await
    }

    /// setOptions: fields left `None` are unchanged. Answers with the options now in force.
    pub async fn set_options(
        &self,
        player: &PlayerId,
        options: HomeTheaterOptions,
    ) -> Result<HomeTheaterOptions> {
        let call = Target::Player(player)
            .post(&["homeTheater", "options"], true)
            .json(&options)
            .expecting("homeTheaterOptions");
        self.client.send(call).await
    }
}
