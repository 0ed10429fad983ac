//! Reading a household in one go: its groups, what they play and how loud.

use crate::error::{CoreError, Result};
use crate::session::from_sonos;
use roomtone_sonos::models::{
    Group, GroupVolume, MetadataStatus, PlaybackStatus, Player, PlayerVolume,
};
use roomtone_sonos::{Client, HouseholdId};
use serde::Serialize;

/// A group with what it plays and how loud.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRead {
    pub group: Group,
    pub players: Vec<PlayerRead>,
    pub playback: PlaybackStatus,
    pub metadata: MetadataStatus,
    pub volume: GroupVolume,
}

/// A room and its volume.
#[derive(Debug, Clone, Serialize)]
pub struct PlayerRead {
    pub player: Player,
    pub volume: PlayerVolume,
}

/// A household and its groups.
#[derive(Debug, Clone, Serialize)]
pub struct HouseholdRead {
    pub id: HouseholdId,
    pub groups: Vec<GroupRead>,
}

/// Reads every household: groups, playback, metadata and volumes, concurrently per group.
pub async fn read_all(client: &Client) -> Result<Vec<HouseholdRead>> {
    let households = client.households().list().await.map_err(from_sonos)?;
    let mut out = Vec::new();
    for household in households.households {
        out.push(read_household(client, household.id).await?);
    }
    Ok(out)
}

/// Reads one household, likewise.
pub async fn read_household(client: &Client, id: HouseholdId) -> Result<HouseholdRead> {
    let groups = client.groups().list(&id).await.map_err(from_sonos)?;
    let mut tasks = tokio::task::JoinSet::new();
    for (index, group) in groups.groups.iter().enumerate() {
        let (client, group, players) = (client.clone(), group.clone(), groups.players.clone());
        tasks.spawn(async move { (index, read_group(&client, group, &players).await) });
    }
    let mut views: Vec<Option<GroupRead>> = vec![None; groups.groups.len()];
    while let Some(joined) = tasks.join_next().await {
        let (index, view) =
            joined.map_err(|e| CoreError::Local(format!("reading a group failed: {e}")))?;
        views[index] = Some(view?);
    }
    Ok(HouseholdRead {
        id,
        groups: views.into_iter().flatten().collect(),
    })
}

async fn read_group(client: &Client, group: Group, players: &[Player]) -> Result<GroupRead> {
    let (playback, metadata, volume) = (
        client.playback(),
        client.playback_metadata(),
        client.group_volume(),
    );
    let (playback, metadata, volume) = tokio::try_join!(
        playback.status(&group.id),
        metadata.status(&group.id),
        volume.get(&group.id),
    )
    .map_err(from_sonos)?;
    let mut members = Vec::new();
    for id in &group.player_ids {
        let player = players
            .iter()
            .find(|p| &p.id == id)
            .cloned()
            .ok_or_else(|| {
                CoreError::Local(format!("group {} names unknown player {id}", group.id))
            })?;
        let volume = client.player_volume().get(id).await.map_err(from_sonos)?;
        members.push(PlayerRead { player, volume });
    }
    Ok(GroupRead {
        group,
        players: members,
        playback,
        metadata,
        volume,
    })
}
