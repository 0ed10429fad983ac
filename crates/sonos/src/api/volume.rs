//! `groupVolume` and `playerVolume` (REFERENCE §4.5, §4.6).

use crate::api::{subscription, Target};
use crate::client::Client;
use crate::error::Result;
use crate::ids::{GroupId, PlayerId};
use crate::models::{Duck, GroupVolume, PlayerVolume, SetMute, SetRelativeVolume, SetVolume};

/// `groupVolume`.
#[derive(Debug)]
pub struct GroupVolumeHandler<'c> {
    pub(crate) client: &'c Client,
}

impl GroupVolumeHandler<'_> {
    /// getVolume: the average of the players' volumes, and whether the group is muted.
    pub async fn get(&self, group: &GroupId) -> Result<GroupVolume> {
        self.client
            .send(Target::Group(group).get(&["groupVolume"], "groupVolume"))
            .await
    }

    /// setVolume to 0..=100. Unmutes.
    pub async fn set(&self, group: &GroupId, volume: u8) -> Result<()> {
        let body = SetVolume {
            volume: Some(volume),
            muted: None,
        };
        let call = Target::Group(group)
            .post(&["groupVolume"], true)
            .json(&body)
            .final_on_command_failed();
        self.client.send_ok(call).await
    }

    /// setRelativeVolume by -100..=100; the result is clamped. Unmutes. Not retried.
    pub async fn set_relative(&self, group: &GroupId, delta: i16) -> Result<()> {
        let body = SetRelativeVolume {
            volume_delta: Some(delta),
            muted: None,
        };
        let call = Target::Group(group)
            .post(&["groupVolume", "relative"], false)
            .json(&body);
        self.client.send_ok(call).await
    }

    /// setMute: mutes or unmutes every player of the group.
    pub async fn set_mute(&self, group: &GroupId, muted: bool) -> Result<()> {
        let call = Target::Group(group)
            .post(&["groupVolume", "mute"], true)
            .json(&SetMute { muted });
        self.client.send_ok(call).await
    }

    subscription!("groupVolume", GroupId, Group);
}

/// `playerVolume`.
#[derive(Debug)]
pub struct PlayerVolumeHandler<'c> {
    pub(crate) client: &'c Client,
}

impl PlayerVolumeHandler<'_> {
    /// getVolume.
    pub async fn get(&self, player: &PlayerId) -> Result<PlayerVolume> {
        self.client
            .send(Target::Player(player).get(&["playerVolume"], "playerVolume"))
            .await
    }

    /// setVolume: volume and/or mute in one call. Setting a volume unmutes unless `muted` says otherwise.
    pub async fn set(&self, player: &PlayerId, request: SetVolume) -> Result<()> {
        let call = Target::Player(player)
            .post(&["playerVolume"], true)
            .json(&request)
            .final_on_command_failed();
        self.client.send_ok(call).await
    }

    /// setRelativeVolume. Not retried.
    pub async fn set_relative(&self, player: &PlayerId, request: SetRelativeVolume) -> Result<()> {
        let call = Target::Player(player)
            .post(&["playerVolume", "relative"], false)
            .json(&request);
        self.client.send_ok(call).await
    }

    /// setMute.
    pub async fn set_mute(&self, player: &PlayerId, muted: bool) -> Result<()> {
        let call = Target::Player(player)
            .post(&["playerVolume", "mute"], true)
            .json(&SetMute { muted });
        self.client.send_ok(call).await
    }

    /// duck: lower the volume for `duration_millis` (Sonos default 3000).
    pub async fn duck(&self, player: &PlayerId, duration_millis: Option<u32>) -> Result<()> {
        let call = Target::Player(player)
            .post(&["playerVolume", "duck"], true)
            .json(&Duck { duration_millis });
        self.client.send_ok(call).await
    }

    /// unduck.
    pub async fn unduck(&self, player: &PlayerId) -> Result<()> {
        self.client
            .send_ok(Target::Player(player).post(&["playerVolume", "unduck"], true))
            .await
    }

    subscription!("playerVolume", PlayerId, Player);
}
