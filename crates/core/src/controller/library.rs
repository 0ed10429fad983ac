//! A household's favorites and playlists, and a playlist's tracks: read when a surface asks,
//! with artwork no surface may load left out.

use super::Controller;
use crate::error::Result;
use crate::session::from_sonos;
use crate::view::{Library, Playlist};
use roomtone_sonos::models::ErrorCode;
use roomtone_sonos::{Error, HouseholdId, PlaylistId};

impl Controller {
    /// A household's favorites and playlists.
    pub async fn library(&self, household: &HouseholdId) -> Result<Library> {
        let (favorites, playlists) = (self.client.favorites(), self.client.playlists());
        let (favorites, playlists) =
            tokio::try_join!(favorites.list(household), playlists.list(household))
                .map_err(from_sonos)?;
        let mut library = Library {
            household_id: household.clone(),
            favorites: favorites.items.iter().map(Into::into).collect(),
            playlists: playlists.playlists.iter().map(Into::into).collect(),
        };
        self.artwork.clean_library(&mut library);
        Ok(library)
    }

    /// A Sonos playlist with its tracks (getPlaylist), to see before playing it. Sonos has
    /// documented two forms of the call (REFERENCE §4.8): the current `GET …/playlists/{id}`
    /// is asked first, and the older `POST …/playlists/getPlaylist` when Sonos says it does
    /// not know the first.
    pub async fn playlist(
        &self,
        household: &HouseholdId,
        playlist: &PlaylistId,
    ) -> Result<Playlist> {
        let playlists = self.client.playlists();
        let summary = match playlists.get(household, playlist).await {
            Err(err) if unknown_form(&err) => playlists.get_legacy(household, playlist).await,
            read => read,
        }
        .map_err(from_sonos)?;
        Ok(Playlist::read(household, &summary))
    }
}

/// Whether Sonos refused a call for its form (no such command or method), not its content.
fn unknown_form(err: &Error) -> bool {
    match err {
        Error::Sonos {
            status: 404 | 405,
            error_code,
            ..
        } => matches!(error_code, None | Some(ErrorCode::UnsupportedCommand)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_refused_form_is_asked_again_in_the_other() {
        let sonos = |status, error_code| Error::Sonos {
            status,
            error_code,
            reason: None,
        };
        assert!(unknown_form(&sonos(404, None)));
        assert!(unknown_form(&sonos(405, None)));
        assert!(unknown_form(&sonos(
            404,
            Some(ErrorCode::UnsupportedCommand)
        )));
        assert!(!unknown_form(&sonos(400, Some(ErrorCode::InvalidObjectId))));
        assert!(!unknown_form(&sonos(500, None)));
        assert!(!unknown_form(&Error::Unauthorized));
    }
}
