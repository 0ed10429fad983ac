//! Group and player volume and mute.

use super::{Emit, Household};
use crate::error::ApiError;
use roomtone_sonos::models::*;
use roomtone_sonos::PlayerId;

impl Household {
    fn adjustable(&self, index: usize) -> Vec<PlayerId> {
        self.groups[index]
            .members
            .iter()
            .filter(|m| self.player(m).is_some_and(|p| !p.fixed()))
            .cloned()
            .collect()
    }

    pub fn group_volume(&self, index: usize) -> GroupVolume {
        let members = self.adjustable(index);
        if members.is_empty() {
            let muted = self.groups[index]
                .members
                .iter()
                .all(|m| self.player(m).is_some_and(|p| p.muted));
            return Volume {
                volume: 100,
                muted: Some(muted),
                fixed: Some(true),
            };
        }
        let sum: u32 = members
            .iter()
            .map(|m| self.player(m).map_or(0, |p| p.volume as u32))
            .sum();
        let n = members.len() as u32;
        let muted = members
            .iter()
            .all(|m| self.player(m).is_some_and(|p| p.muted));
        Volume {
            volume: ((sum + n / 2) / n) as u8,
            muted: Some(muted),
            fixed: Some(false),
        }
    }

    /// Sets the group volume so the players' average is exactly `target` where the limits
    /// allow: scale each player, then hand out the rounding remainder one step at a time.
    pub fn set_group_volume(
        &mut self,
        index: usize,
        target: u8,
        out: &mut Vec<Emit>,
    ) -> Result<(), ApiError> {
        let members = self.adjustable(index);
        if members.is_empty() {
            return Err(ApiError::command_failed(
                "every player in this group has fixed volume",
            ));
        }
        let current: Vec<u32> = members
            .iter()
            .map(|m| self.player(m).map_or(0, |p| p.volume as u32))
            .collect();
        let n = members.len() as u32;
        let sum: u32 = current.iter().sum();
        let goal = target as u32 * n;
        let mut next: Vec<u32> = if sum == 0 {
            vec![target as u32; members.len()]
        } else {
            current.iter().map(|v| (v * goal / sum).min(100)).collect()
        };
        let mut total: u32 = next.iter().sum();
        let mut i = 0;
        let mut stuck = 0;
        while total != goal && stuck < members.len() {
            let slot = &mut next[i % members.len()];
            if total < goal && *slot < 100 {
                *slot += 1;
                total += 1;
                stuck = 0;
            } else if total > goal && *slot > 0 {
                *slot -= 1;
                total -= 1;
                stuck = 0;
            } else {
                stuck += 1;
            }
            i += 1;
        }
        for (member, volume) in members.iter().zip(next) {
            let player = self.player_mut(member).expect("member");
            let changed = player.volume != volume as u8 || player.muted;
            player.volume = volume as u8;
            player.muted = false;
            if changed {
                self.emit_player_volume(member, out);
            }
        }
        self.emit_group_volume(index, out);
        Ok(())
    }

    pub fn set_group_mute(&mut self, index: usize, muted: bool, out: &mut Vec<Emit>) {
        for member in self.groups[index].members.clone() {
            let player = self.player_mut(&member).expect("member");
            if player.muted != muted {
                player.muted = muted;
                self.emit_player_volume(&member, out);
            }
        }
        self.emit_group_volume(index, out);
    }

    /// Applies a player volume change and its effect on the player's group.
    pub fn set_player_volume(
        &mut self,
        id: &PlayerId,
        volume: Option<u8>,
        muted: Option<bool>,
        out: &mut Vec<Emit>,
    ) -> Result<(), ApiError> {
        let player = self.player_mut(id).expect("resolved");
        if volume.is_some() && player.fixed() {
            return Err(ApiError::command_failed(format!(
                "{} has fixed volume",
                player.model.name
            )));
        }
        if let Some(volume) = volume {
            player.volume = volume;
            // Setting a volume unmutes unless the same call says otherwise.
            player.muted = muted.unwrap_or(false);
        } else if let Some(muted) = muted {
            player.muted = muted;
        }
        self.emit_player_volume(id, out);
        if let Some(index) = self.group_of(id) {
            self.emit_group_volume(index, out);
        }
        Ok(())
    }
}
