//! Loading favorites and playlists into a group's queue.

use super::{source_of, Ctx, Household, Source};
use crate::catalog::Item;
use crate::error::ApiError;
use roomtone_sonos::models::*;

impl Household {
    /// loadFavorite / loadPlaylist.
    pub fn load(
        &mut self,
        index: usize,
        item: Item,
        action: Option<LoadAction>,
        modes: Option<PlayModes>,
        play: bool,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), ApiError> {
        let source = source_of(&item);
        let action = action.unwrap_or(LoadAction::Append);
        let playback = &mut self.groups[index].playback;
        match (source, &mut playback.source) {
            (Source::Queue { tracks, .. }, Source::Queue { tracks: queue, .. })
                if action != LoadAction::Replace =>
            {
                // docs.sonos.com, "queue action": INSERT_NEXT goes after what plays; APPEND
                // and INSERT go to the end, and INSERT moves the head to the first of them.
                let at = match action {
                    LoadAction::InsertNext => (playback.index + 1).min(queue.len()),
                    _ => queue.len(),
                };
                queue.splice(at..at, tracks);
                if action == LoadAction::Insert {
                    playback.index = at;
                    playback.position_ms = 0;
                    playback.anchor = ctx.now;
                }
                playback.queue_version += 1;
                if play && !playback.moving() {
                    playback.state = PlaybackState::Playing;
                    playback.anchor = ctx.now;
                }
            }
            (source, _) => {
                // Stations ignore the action; REPLACE, or loading into an empty or streamed queue, replaces.
                playback.source = source;
                playback.index = 0;
                playback.position_ms = 0;
                playback.anchor = ctx.now;
                playback.queue_version += 1;
                // Without playOnCompletion the new source waits, stopped (REFERENCE §4.7).
                playback.state = if play {
                    PlaybackState::Playing
                } else {
                    PlaybackState::Idle
                };
            }
        }
        if let Some(modes) = modes {
            let current = &mut playback.modes;
            current.repeat = modes.repeat.or(current.repeat);
            current.repeat_one = modes.repeat_one.or(current.repeat_one);
            current.shuffle = modes.shuffle.or(current.shuffle);
            current.crossfade = modes.crossfade.or(current.crossfade);
        }
        self.changed_playback(index, ctx, true);
        Ok(())
    }
}
