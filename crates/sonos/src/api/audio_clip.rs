//! `audioClip` (REFERENCE §4.9): chimes and announcements on a player.

use crate::api::{subscription, Target};
use crate::client::Client;
use crate::error::Result;
use crate::ids::{AudioClipId, PlayerId};
use crate::models::{AudioClip, LoadAudioClip};

/// `audioClip`.
#[derive(Debug)]
pub struct AudioClipHandler<'c> {
    pub(crate) client: &'c Client,
}

impl AudioClipHandler<'_> {
    /// loadAudioClip on a player with the `AUDIO_CLIP` capability. Not retried.
    pub async fn load(&self, player: &PlayerId, request: &LoadAudioClip) -> Result<AudioClip> {
        let call = Target::Player(player)
            .post(&["audioClip"], false)
            .json(request)
            .expecting("audioClip");
        self.client.send(call).await
    }

    /// cancelAudioClip.
    pub async fn cancel(&self, player: &PlayerId, clip: &AudioClipId) -> Result<()> {
        self.client
            .send_ok(Target::Player(player).delete(&["audioClip", clip.as_str()]))
            .await
    }

    subscription!("audioClip", PlayerId, Player);
}
