//! `settings` (REFERENCE §4.11): player settings.

use crate::api::Target;
use crate::client::Client;
use crate::error::Result;
use crate::ids::PlayerId;
use crate::models::PlayerSettings;

/// `settings`.
#[derive(Debug)]
pub struct SettingsHandler<'c> {
    pub(crate) client: &'c Client,
}

impl SettingsHandler<'_> {
    /// getPlayerSettings.
    pub async fn player(&self, player: &PlayerId) -> Result<PlayerSettings> {
        self.client
            .send(Target::Player(player).get(&["settings", "player"], "playerSettings"))
            .await
    }

    /// setPlayerSettings: fields left `None` are unchanged.
    pub async fn set_player(&self, player: &PlayerId, settings: &PlayerSettings) -> Result<()> {
        let call = Target::Player(player)
            .post(&["settings", "player"], true)
            .json(settings);
        self.client.send_ok(call).await
    }
}
