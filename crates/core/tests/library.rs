//! Favorites and playlists: a playlist's tracks read before it plays, in whichever form of
//! getPlaylist the household answers, then played from the first of them.

mod common;

use common::control::*;
use common::World;
use roomtone_core::view::LoadAction;
use roomtone_core::{Action, ErrorKind};
use roomtone_sim::config::PlaylistForms;

#[tokio::test]
async fn a_playlists_tracks_are_read_in_either_form_and_play_from_the_first() {
    for forms in [PlaylistForms::Current, PlaylistForms::Legacy] {
        let world = World::start(|c| c.playlist_forms = forms).await;
        let controller = signed_in(&world).await;
        let household = controller.live().households[0].id.clone();
        let library = controller.library(&household).await.unwrap();
        let listed = library
            .playlists
            .iter()
            .find(|p| p.name == "Thursday Morning Mix")
            .expect("the seeded playlist")
            .clone();

        let playlist = controller.playlist(&household, &listed.id).await.unwrap();
        assert_eq!(playlist.id, listed.id, "{forms:?}");
        assert_eq!(playlist.household_id, household);
        assert_eq!(playlist.name, listed.name);
        let count = playlist.tracks.len();
        assert_eq!(
            listed.description,
            Some(format!("{count} tracks")),
            "the count listed"
        );
        assert!(count > 1);
        assert!(playlist
            .tracks
            .iter()
            .all(|t| !t.name.is_empty() && t.artist.is_some()));

        let bedroom = group(&controller.live(), "Bedroom").id.clone();
        controller
            .perform(Action::LoadPlaylist {
                group: bedroom.clone(),
                playlist: playlist.id.clone(),
                load: LoadAction::Replace,
            })
            .await
            .unwrap();
        let now = group(&controller.live(), "Bedroom")
            .now_playing
            .clone()
            .unwrap();
        assert_eq!(now.title, playlist.tracks[0].name, "{forms:?}");
        assert_eq!(now.container.as_deref(), Some(playlist.name.as_str()));
    }
}

#[tokio::test]
async fn an_unknown_playlist_is_refused_in_words() {
    let world = World::start(|_| {}).await;
    let controller = signed_in(&world).await;
    let household = controller.live().households[0].id.clone();
    let err = controller
        .playlist(&household, &"77".into())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Sonos, "{err}");
    assert!(err.to_string().contains("ERROR_INVALID_OBJECT_ID"), "{err}");
}
