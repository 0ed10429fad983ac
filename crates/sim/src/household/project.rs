//! The state as Control API models: what the reads answer and the events carry.

use super::{GroupState, Household, Links, Source};
use crate::catalog::{SourceDef, TrackDef};
use crate::clock::Millis;
use roomtone_sonos::models::*;

impl Household {
    pub fn group_model(&self, group: &GroupState, with_state: bool) -> Group {
        Group {
            id: group.id.clone(),
            name: self.group_name(group),
            coordinator_id: group.coordinator.clone(),
            playback_state: with_state.then(|| group.playback.state.clone()),
            player_ids: group.members.clone(),
            area_ids: None,
        }
    }

    /// getGroups; `playbackState` only when answering getGroups, never in events.
    pub fn groups_model(&self, with_state: bool) -> Groups {
        Groups {
            groups: self
                .groups
                .iter()
                .map(|g| self.group_model(g, with_state))
                .collect(),
            players: self
                .players
                .iter()
                .filter(|p| !p.unplugged)
                .map(|p| p.model.clone())
                .collect(),
            partial: Some(false),
        }
    }

    pub fn playback_status(&self, index: usize, now: Millis) -> PlaybackStatus {
        let group = &self.groups[index];
        let playback = &group.playback;
        let ducking = group
            .members
            .iter()
            .any(|m| self.player(m).is_some_and(|p| p.ducked_until.is_some()));
        PlaybackStatus {
            playback_state: playback.state.clone(),
            is_ducking: Some(ducking),
            queue_version: Some(format!("Q{}", playback.queue_version)),
            item_id: playback.item_id(),
            position_millis: Some(playback.position_at(now)),
            previous_item_id: playback.previous.as_ref().map(|p| p.0.clone()),
            previous_position_millis: playback.previous.as_ref().map(|p| p.1),
            play_modes: Some(playback.modes),
            available_playback_actions: Some(playback.actions()),
        }
    }

    fn track_model(&self, track: &TrackDef, service: &str, links: &Links) -> Track {
        Track {
            kind: Some("track".into()),
            name: Some(track.name.to_owned()),
            image_url: Some(links.art(&track.art)),
            images: links.images(&track.art),
            album: Some(Album {
                name: track.album.to_owned(),
                artist: None,
                id: None,
            }),
            artist: Some(Artist {
                name: track.artist.to_owned(),
                id: None,
            }),
            id: Some(MusicObjectId {
                service_id: Some("9".into()),
                object_id: track.id.clone(),
                account_id: Some("sn_1".into()),
            }),
            service: Some(Service {
                name: Some(service.to_owned()),
                id: Some("9".into()),
                ..Service::default()
            }),
            duration_millis: Some(track.duration_ms),
            ..Track::default()
        }
    }

    pub fn metadata(&self, index: usize, links: &Links) -> MetadataStatus {
        let playback = &self.groups[index].playback;
        let service = |name: &str| {
            Some(Service {
                name: Some(name.to_owned()),
                id: Some("9".into()),
                ..Service::default()
            })
        };
        match &playback.source {
            Source::Empty => MetadataStatus::default(),
            Source::Queue { container, tracks } => {
                let item = |i: usize| QueueItem {
                    id: Some(format!("Q{}:{}", playback.queue_version, i + 1)),
                    track: Some(self.track_model(&tracks[i], container.service, links)),
                    deleted: None,
                    policies: None,
                };
                let next = if playback.index + 1 < tracks.len() {
                    Some(playback.index + 1)
                } else if playback.modes.repeat == Some(true) {
                    Some(0)
                } else {
                    None
                };
                MetadataStatus {
                    container: Some(Container {
                        name: Some(container.name.clone()),
                        kind: Some(match &container.source {
                            SourceDef::Tracks { kind, .. } => (*kind).to_owned(),
                            SourceDef::Station { .. } => "station".to_owned(),
                        }),
                        id: Some(MusicObjectId {
                            service_id: Some("9".into()),
                            object_id: format!("sim:container:{}", container.id),
                            account_id: None,
                        }),
                        service: service(container.service),
                        image_url: Some(links.art(&container.art)),
                        images: links.images(&container.art),
                        ..Container::default()
                    }),
                    current_item: tracks.get(playback.index).map(|_| item(playback.index)),
                    next_item: next.map(item),
                    current_show: None,
                    stream_info: None,
                }
            }
            Source::Station(item) => {
                let (stream_info, show) = match &item.source {
                    SourceDef::Station { stream_info, show } => (*stream_info, *show),
                    SourceDef::Tracks { .. } => ("", ""),
                };
                MetadataStatus {
                    container: Some(Container {
                        name: Some(item.name.clone()),
                        kind: Some("station".into()),
                        id: Some(MusicObjectId {
                            service_id: Some("303".into()),
                            object_id: format!("sim:station:{}", item.id),
                            account_id: None,
                        }),
                        service: service(item.service),
                        image_url: Some(links.art(&item.art)),
                        images: links.images(&item.art),
                        ..Container::default()
                    }),
                    current_item: None,
                    next_item: None,
                    current_show: Some(RadioShow {
                        name: Some(show.to_owned()),
                        id: None,
                        image_url: None,
                    }),
                    stream_info: Some(stream_info.to_owned()),
                }
            }
            Source::LineIn { name, .. } | Source::Tv { name, .. } => {
                let tv = matches!(playback.source, Source::Tv { .. });
                let art = if tv { "tv" } else { "linein" };
                MetadataStatus {
                    container: Some(Container {
                        name: Some(name.clone()),
                        kind: Some(if tv { "linein.homeTheater" } else { "linein" }.into()),
                        image_url: Some(links.art(art)),
                        images: links.images(art),
                        ..Container::default()
                    }),
                    ..MetadataStatus::default()
                }
            }
        }
    }
}
