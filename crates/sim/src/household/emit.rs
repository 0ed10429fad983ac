//! The events a change sends: one method per event namespace.

use super::{Emit, Household, Links};
use crate::clock::Millis;
use roomtone_sonos::events::{Namespace, TargetType};
use roomtone_sonos::models::*;
use roomtone_sonos::PlayerId;
use serde::Serialize;

impl Household {
    pub(super) fn emit(
        &self,
        out: &mut Vec<Emit>,
        namespace: Namespace,
        event_type: &'static str,
        target_type: TargetType,
        target: &str,
        body: &impl Serialize,
    ) {
        out.push(Emit {
            household: self.id.clone(),
            namespace,
            event_type,
            target_type,
            target_value: target.to_owned(),
            body: serde_json::to_value(body).expect("models serialize"),
        });
    }

    pub fn emit_groups(&self, out: &mut Vec<Emit>) {
        self.emit(
            out,
            Namespace::Groups,
            "groups",
            TargetType::HouseholdId,
            self.id.as_str(),
            &self.groups_model(false),
        );
    }

    pub fn emit_playback(&self, index: usize, now: Millis, out: &mut Vec<Emit>) {
        let group = &self.groups[index];
        self.emit(
            out,
            Namespace::Playback,
            "playbackStatus",
            TargetType::GroupId,
            group.id.as_str(),
            &self.playback_status(index, now),
        );
    }

    pub fn emit_metadata(&self, index: usize, links: &Links, out: &mut Vec<Emit>) {
        let group = &self.groups[index];
        self.emit(
            out,
            Namespace::PlaybackMetadata,
            "metadataStatus",
            TargetType::GroupId,
            group.id.as_str(),
            &self.metadata(index, links),
        );
    }

    pub fn emit_group_volume(&self, index: usize, out: &mut Vec<Emit>) {
        let group = &self.groups[index];
        self.emit(
            out,
            Namespace::GroupVolume,
            "groupVolume",
            TargetType::GroupId,
            group.id.as_str(),
            &self.group_volume(index),
        );
    }

    pub fn emit_player_volume(&self, player: &PlayerId, out: &mut Vec<Emit>) {
        if let Some(p) = self.player(player) {
            self.emit(
                out,
                Namespace::PlayerVolume,
                "playerVolume",
                TargetType::PlayerId,
                player.as_str(),
                &p.volume_model(),
            );
        }
    }

    pub fn emit_favorites(&self, out: &mut Vec<Emit>) {
        let body = VersionChanged {
            version: Some(self.favorites_version.to_string()),
        };
        self.emit(
            out,
            Namespace::Favorites,
            "versionChanged",
            TargetType::HouseholdId,
            self.id.as_str(),
            &body,
        );
    }

    pub fn emit_playlists(&self, out: &mut Vec<Emit>) {
        let body = VersionChanged {
            version: Some(self.playlists_version.to_string()),
        };
        self.emit(
            out,
            Namespace::Playlists,
            "versionChanged",
            TargetType::HouseholdId,
            self.id.as_str(),
            &body,
        );
    }

    pub fn emit_clips(&self, player: &PlayerId, out: &mut Vec<Emit>) {
        if let Some(p) = self.player(player) {
            let body = AudioClipStatus {
                audio_clips: p.clips.iter().map(|(c, _)| c.clone()).collect(),
            };
            self.emit(
                out,
                Namespace::AudioClip,
                "audioClipStatus",
                TargetType::PlayerId,
                player.as_str(),
                &body,
            );
        }
    }
}
