//! Player settings (REFERENCE §4.11).

use crate::open_enum::open_enum;
use serde::{Deserialize, Serialize};

open_enum!(
    /// How a player's output level is controlled.
    VolumeMode { Variable = "VARIABLE", Fixed = "FIXED", PassThrough = "PASS_THROUGH", }
);

/// `playerSettings`, also the body of `setPlayerSettings` (omitted fields unchanged).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PlayerSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_mode: Option<VolumeMode>,
    /// 0.01..=1.0; only on a primary player.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_scaling_factor: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mono_mode: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wifi_disable: Option<bool>,
}
