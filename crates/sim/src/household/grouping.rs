//! Creating and changing groups, and players unplugged, replugged and renamed.

use super::{Ctx, Emit, GroupState, Household, Playback};
use crate::error::ApiError;
use roomtone_sonos::events::{Namespace, TargetType};
use roomtone_sonos::models::*;
use roomtone_sonos::{GroupId, PlayerId};

impl Household {
    /// Checks that every ID is a plugged-in player of this household.
    fn check_players(&self, ids: &[PlayerId]) -> Result<(), ApiError> {
        let bad: Vec<PlayerId> = ids
            .iter()
            .filter(|id| self.player(id).is_none_or(|p| p.unplugged))
            .cloned()
            .collect();
        if bad.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid_players(
                "unknown or unreachable players",
                bad,
            ))
        }
    }

    /// Rebuilds the groups so that `members` (coordinator first) form one group, taking the
    /// playback of `context` (a group index) or of the group the coordinator led. Players
    /// leaving a group form groups of their own. Returns the index of the new group.
    ///
    /// `target` is the group whose membership is being set: it is always retired, its music
    /// follows the new group, and its players that are not in `members` stand alone.
    fn regroup(
        &mut self,
        members: Vec<PlayerId>,
        context: Option<usize>,
        target: Option<usize>,
        ctx: &mut Ctx<'_>,
    ) -> usize {
        let coordinator = members[0].clone();
        let before: Vec<GroupState> = self.groups.clone();
        let led = before.iter().position(|g| g.coordinator == coordinator);
        let playback = context
            .or(led)
            .map(|i| before[i].playback.clone())
            .unwrap_or_else(Playback::idle);

        // Every other group keeps its coordinator when it can and loses the moved players.
        let mut next: Vec<(PlayerId, Vec<PlayerId>, Playback, Option<GroupId>)> = Vec::new();
        for (index, group) in before.iter().enumerate() {
            if Some(index) == target {
                for member in group.members.iter().filter(|m| !members.contains(m)) {
                    next.push((member.clone(), vec![member.clone()], Playback::idle(), None));
                }
                continue;
            }
            let rest: Vec<PlayerId> = group
                .members
                .iter()
                .filter(|m| !members.contains(m))
                .cloned()
                .collect();
            if rest.is_empty() {
                continue;
            }
            if rest.contains(&group.coordinator) {
                next.push((
                    group.coordinator.clone(),
                    rest,
                    group.playback.clone(),
                    Some(group.id.clone()),
                ));
            } else {
                // The coordinator moved away: the players left behind each stand alone.
                for member in rest {
                    next.push((member.clone(), vec![member], Playback::idle(), None));
                }
            }
        }
        let target_pos = next.len();
        next.push((coordinator, members, playback, None));

        let mut groups = Vec::with_capacity(next.len());
        for (coordinator, members, mut playback, old) in next {
            // A group keeps its ID only if it is exactly what it was.
            let unchanged = old.and_then(|id| {
                before
                    .iter()
                    .find(|g| g.id == id && g.members == members)
                    .map(|g| g.id.clone())
            });
            let unchanged = unchanged.or_else(|| {
                before
                    .iter()
                    .find(|g| g.coordinator == coordinator && g.members == members)
                    .map(|g| g.id.clone())
            });
            let id = match unchanged {
                Some(id) => id,
                None => {
                    playback.generation += 1;
                    playback.anchor = ctx.now;
                    self.mint_group_id(&coordinator)
                }
            };
            groups.push(GroupState {
                id,
                coordinator,
                members,
                playback,
            });
        }
        self.groups = groups;
        self.finish_regroup(&before, ctx);
        target_pos
    }

    /// After any change of groups: retire vanished IDs (they answer 410 from now on),
    /// tell their subscribers, and tell the household.
    fn finish_regroup(&mut self, before: &[GroupState], ctx: &mut Ctx<'_>) {
        for old in before {
            if self.group_index(&old.id).is_none() {
                self.gone_groups.insert(old.id.clone(), ctx.now);
                let body = GroupCoordinatorChanged {
                    group_status: GroupStatus::Gone,
                    group_name: Some(self.group_name(old)),
                    websocket_url: None,
                    player_id: Some(old.coordinator.clone()),
                };
                self.emit(
                    &mut ctx.out,
                    Namespace::Groups,
                    "groupCoordinatorChanged",
                    TargetType::GroupId,
                    old.id.as_str(),
                    &body,
                );
            }
        }
        self.emit_groups(&mut ctx.out);
        for index in 0..self.groups.len() {
            if !before.iter().any(|g| g.id == self.groups[index].id) {
                self.emit_playback(index, ctx.now, &mut ctx.out);
                self.emit_metadata(index, ctx.links, &mut ctx.out);
                self.emit_group_volume(index, &mut ctx.out);
            }
        }
    }

    pub fn create_group(
        &mut self,
        request: CreateGroup,
        ctx: &mut Ctx<'_>,
    ) -> Result<Group, ApiError> {
        if request.player_ids.is_empty() {
            return Err(ApiError::missing("Missing required value: playerIds"));
        }
        self.check_players(&request.player_ids)?;
        let mut members = request.player_ids.clone();
        dedupe(&mut members);
        let context = match &request.music_context_group_id {
            Some(id) => Some(
                self.group_index(id)
                    .ok_or_else(|| ApiError::gone(format!("group {id} no longer exists")))?,
            ),
            None => None,
        };
        // An existing group with exactly these players is the answer.
        let mut wanted = members.clone();
        wanted.sort();
        if let Some(existing) = self.groups.iter().find(|g| {
            let mut have = g.members.clone();
            have.sort();
            have == wanted
        }) {
            return Ok(self.group_model(existing, false));
        }
        let index = self.regroup(members, context, None, ctx);
        Ok(self.group_model(&self.groups[index], false))
    }

    pub fn modify_group(
        &mut self,
        index: usize,
        add: &[PlayerId],
        remove: &[PlayerId],
        ctx: &mut Ctx<'_>,
    ) -> Result<Group, ApiError> {
        self.check_players(add)?;
        let mut members = self.groups[index].members.clone();
        for id in add {
            if !members.contains(id) {
                members.push(id.clone());
            }
        }
        // Unknown IDs to remove are ignored, as Sonos does.
        members.retain(|m| !remove.contains(m));
        self.set_group(index, members, ctx)
    }

    pub fn set_group(
        &mut self,
        index: usize,
        mut members: Vec<PlayerId>,
        ctx: &mut Ctx<'_>,
    ) -> Result<Group, ApiError> {
        self.check_players(&members)?;
        dedupe(&mut members);
        if members.is_empty() {
            return Err(ApiError::invalid_parameter(
                "a group needs at least one player",
            ));
        }
        let coordinator = self.groups[index].coordinator.clone();
        if let Some(pos) = members.iter().position(|m| *m == coordinator) {
            members.swap(0, pos);
        }
        if self.groups[index].members == members {
            return Ok(self.group_model(&self.groups[index], false));
        }
        // The music follows the group, whoever leads it now.
        let new_index = self.regroup(members, Some(index), Some(index), ctx);
        Ok(self.group_model(&self.groups[new_index], false))
    }

    /// Admin: a player loses power. Its group dissolves into the remaining players.
    pub fn unplug(&mut self, id: &PlayerId, ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
        let player = self
            .player_mut(id)
            .ok_or_else(|| ApiError::invalid_object(format!("unknown player {id}")))?;
        if player.unplugged {
            return Ok(());
        }
        player.unplugged = true;
        let before = self.groups.clone();
        let Some(index) = self.group_of(id) else {
            return Ok(());
        };
        let group = self.groups.remove(index);
        let rest: Vec<PlayerId> = group.members.iter().filter(|m| *m != id).cloned().collect();
        if !rest.is_empty() {
            let coordinator = if group.coordinator == *id {
                rest[0].clone()
            } else {
                group.coordinator.clone()
            };
            let mut members = vec![coordinator.clone()];
            members.extend(rest.into_iter().filter(|m| *m != coordinator));
            let mut playback = group.playback.clone();
            playback.generation += 1;
            let id = self.mint_group_id(&coordinator);
            self.groups.push(GroupState {
                id,
                coordinator,
                members,
                playback,
            });
        }
        self.finish_regroup(&before, ctx);
        Ok(())
    }

    /// Admin: the player is back, on its own, idle.
    pub fn replug(&mut self, id: &PlayerId, ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
        let player = self
            .player_mut(id)
            .ok_or_else(|| ApiError::invalid_object(format!("unknown player {id}")))?;
        if !player.unplugged {
            return Ok(());
        }
        player.unplugged = false;
        let before = self.groups.clone();
        self.add_group(id.clone(), vec![], Playback::idle());
        self.finish_regroup(&before, ctx);
        Ok(())
    }

    /// Admin: the room is renamed in the Sonos app.
    pub fn rename(
        &mut self,
        id: &PlayerId,
        name: &str,
        out: &mut Vec<Emit>,
    ) -> Result<(), ApiError> {
        let player = self
            .player_mut(id)
            .ok_or_else(|| ApiError::invalid_object(format!("unknown player {id}")))?;
        if name.trim().is_empty() || name.len() > 64 {
            return Err(ApiError::invalid_parameter(
                "a room name has 1 to 64 characters",
            ));
        }
        player.model.name = name.trim().to_owned();
        self.emit_groups(out);
        Ok(())
    }
}

/// Removes repeated IDs, keeping the first of each.
fn dedupe(ids: &mut Vec<PlayerId>) {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
}
