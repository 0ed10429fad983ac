//! `playlists` (REFERENCE §4.8).

use crate::api::{subscription, Target};
use crate::client::Client;
use crate::error::Result;
use crate::ids::{GroupId, HouseholdId, PlaylistId};
use crate::models::{GetPlaylist, LoadAction, LoadPlaylist, PlaylistSummary, PlaylistsList};

/// `playlists`.
#[derive(Debug)]
pub struct PlaylistsHandler<'c> {
    pub(crate) client: &'c Client,
}

impl PlaylistsHandler<'_> {
    /// getPlaylists.
    pub async fn list(&self, household: &HouseholdId) -> Result<PlaylistsList> {
        self.client
            .send(Target::Household(household).get(&["playlists"], "playlistsList"))
            .await
    }

    /// getPlaylist, in its current form `GET …/playlists/{id}`.
    pub async fn get(
        &self,
        household: &HouseholdId,
        playlist: &PlaylistId,
    ) -> Result<PlaylistSummary> {
        self.client
            .send(
                Target::Household(household)
                    .get(&["playlists", playlist.as_str()], "playlistSummary"),
            )
            .await
    }

    /// getPlaylist in the older form `POST …/playlists/getPlaylist`, for households that
    /// answer the current form with 404.
    pub async fn get_legacy(
        &self,
        household: &HouseholdId,
        playlist: &PlaylistId,
    ) -> Result<PlaylistSummary> {
        let call = Target::Household(household)
            .post(&["playlists", "getPlaylist"], true)
            .json(&GetPlaylist {
                playlist_id: playlist.clone(),
            })
            .expecting("playlistSummary");
        self.client.send(call).await
    }

    /// loadPlaylist into a group. Only `REPLACE` is retried.
    pub async fn load(&self, group: &GroupId, request: &LoadPlaylist) -> Result<()> {
        let idempotent = request.action == Some(LoadAction::Replace);
        let call = Target::Group(group)
            .post(&["playlists"], idempotent)
            .json(request);
        self.client.send_ok(call).await
    }

    subscription!("playlists", HouseholdId, Household);
}
