//! Reading a household in one go, and finding a group or room by the name a person uses.

use crate::error::{CoreError, Result};
use crate::session::from_sonos;
use roomtone_sonos::models::{
    Group, GroupVolume, MetadataStatus, PlaybackStatus, Player, PlayerVolume,
};
use roomtone_sonos::{Client, HouseholdId};
use serde::Serialize;

/// A group with what it plays and how loud.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub group: Group,
    pub players: Vec<PlayerView>,
    pub playback: PlaybackStatus,
    pub metadata: MetadataStatus,
    pub volume: GroupVolume,
}

/// A room and its volume.
#[derive(Debug, Clone, Serialize)]
pub struct PlayerView {
    pub player: Player,
    pub volume: PlayerVolume,
}

/// A household and its groups.
#[derive(Debug, Clone, Serialize)]
pub struct HouseholdView {
    pub id: HouseholdId,
    pub groups: Vec<GroupView>,
}

/// Reads every household: groups, playback, metadata and volumes, concurrently per group.
pub async fn read_all(client: &Client) -> Result<Vec<HouseholdView>> {
    let households = client.households().list().await.map_err(from_sonos)?;
    let mut out = Vec::new();
    for household in households.households {
        out.push(read_household(client, household.id).await?);
    }
    Ok(out)
}

/// Reads one household, likewise.
pub async fn read_household(client: &Client, id: HouseholdId) -> Result<HouseholdView> {
    let groups = client.groups().list(&id).await.map_err(from_sonos)?;
    let mut tasks = tokio::task::JoinSet::new();
    for (index, group) in groups.groups.iter().enumerate() {
        let (client, group, players) = (client.clone(), group.clone(), groups.players.clone());
        tasks.spawn(async move { (index, read_group(&client, group, &players).await) });
    }
    let mut views: Vec<Option<GroupView>> = vec![None; groups.groups.len()];
    while let Some(joined) = tasks.join_next().await {
        let (index, view) =
            joined.map_err(|e| CoreError::Local(format!("reading a group failed: {e}")))?;
        views[index] = Some(view?);
    }
    Ok(HouseholdView {
        id,
        groups: views.into_iter().flatten().collect(),
    })
}

async fn read_group(client: &Client, group: Group, players: &[Player]) -> Result<GroupView> {
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
        members.push(PlayerView { player, volume });
    }
    Ok(GroupView {
        group,
        players: members,
        playback,
        metadata,
        volume,
    })
}

/// How a person names a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The group whose name is this ("Living Room + 1") or whose coordinator is this room.
    Group(String),
    /// The group this room is in.
    Room(String),
    /// The only group, or else the one playing, or else an error listing the choices.
    Default,
}

/// Finds the group `target` names (names compare without case).
pub fn find<'a>(households: &'a [HouseholdView], target: &Target) -> Result<&'a GroupView> {
    let groups: Vec<&GroupView> = households.iter().flat_map(|h| &h.groups).collect();
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    let found = match target {
        Target::Group(name) => groups
            .iter()
            .find(|g| same(&g.group.name, name))
            .or_else(|| {
                groups.iter().find(|g| {
                    g.players
                        .first()
                        .is_some_and(|p| same(&p.player.name, name))
                })
            }),
        Target::Room(name) => groups
            .iter()
            .find(|g| g.players.iter().any(|p| same(&p.player.name, name))),
        Target::Default => match groups.as_slice() {
            [only] => Some(only),
            _ => {
                let playing: Vec<_> = groups
                    .iter()
                    .filter(|g| {
                        g.playback.playback_state == roomtone_sonos::models::PlaybackState::Playing
                    })
                    .collect();
                match playing.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }
            }
        },
    };
    found.copied().ok_or_else(|| {
        let names: Vec<&str> = groups.iter().map(|g| g.group.name.as_str()).collect();
        let what = match target {
            Target::Group(name) => format!("no group is called {name:?}"),
            Target::Room(name) => format!("no room is called {name:?}"),
            Target::Default => {
                "more than one group could be meant: name one with --group or --room".to_owned()
            }
        };
        CoreError::NotFound(format!("{what}; the groups are: {}", names.join(", ")))
    })
}
