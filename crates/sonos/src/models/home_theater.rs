//! Home-theater players: TV input, TV power, night mode and dialog enhancement (REFERENCE §4.10).

use crate::open_enum::open_enum;
use serde::{Deserialize, Serialize};

/// `homeTheaterOptions`, also the body of `setOptions` (omitted fields unchanged).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HomeTheaterOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub night_mode: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enhance_dialog: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grouping_latency: Option<i64>,
}

open_enum!(
    /// TV power as a home-theater player controls it over HDMI-CEC.
    TvPowerState { On = "ON", Standby = "STANDBY", }
);

/// Body of `setTvPowerState`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetTvPowerState {
    pub tv_power_state: TvPowerState,
}
