//! The simulated households: players, groups, playback, volume, favorites and playlists,
//! and the rules of REFERENCE §8 that change them. Every mutation appends the events it
//! causes to an [`Emit`] list; the caller hands them to the event sender.
//!
//! This file holds the state and the lookups every rule shares; the rules live in the
//! children, each an `impl Household` block for one concept:
//! - `seed`: the two households a seed builds (players, groups, what plays).
//! - `project`: the state as Control API models (getGroups, playback status, metadata).
//! - `emit`: the events a change sends, one method per namespace.
//! - `playback`: the transport: play, pause, skip, seek, play modes, inputs, track ends.
//! - `library`: loading favorites and playlists into a group's queue.
//! - `volume`: group and player volume and mute.
//! - `grouping`: creating and changing groups; players unplugged, replugged, renamed.
//! - `clips`: audio clips on a player.

mod clips;
mod emit;
mod grouping;
mod library;
mod playback;
mod project;
mod seed;
mod sessions;
mod volume;

pub use seed::build_households;
pub use sessions::{Open, Session};

use crate::catalog::{Item, SourceDef, TrackDef};
use crate::clock::Millis;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use roomtone_sonos::events::{Namespace, TargetType};
use roomtone_sonos::models::*;
use roomtone_sonos::{GroupId, HouseholdId, PlayerId};
use std::collections::HashMap;

/// An event a change caused, before it is matched to subscriptions.
#[derive(Debug, Clone)]
pub struct Emit {
    pub household: HouseholdId,
    pub namespace: Namespace,
    pub event_type: &'static str,
    pub target_type: TargetType,
    pub target_value: String,
    pub body: serde_json::Value,
}

/// A player and everything it holds on its own.
#[derive(Debug, Clone)]
pub struct PlayerState {
    pub model: Player,
    pub volume: u8,
    pub muted: bool,
    pub settings: PlayerSettings,
    /// Home-theater options; `Some` only on a home-theater player.
    pub home_theater: Option<HomeTheaterOptions>,
    pub tv_power: TvPowerState,
    /// Unplugged players vanish from the groups and answer 410.
    pub unplugged: bool,
    pub clips: Vec<(AudioClip, Millis)>,
    /// Ducked until this time.
    pub ducked_until: Option<Millis>,
}

impl PlayerState {
    pub fn fixed(&self) -> bool {
        self.model.has(&Capability::FixedVolume)
    }
    fn volume_model(&self) -> PlayerVolume {
        Volume {
            volume: self.volume,
            muted: Some(self.muted),
            fixed: Some(self.fixed()),
        }
    }
}

/// What a group's queue was loaded from.
#[derive(Debug, Clone)]
pub enum Source {
    Empty,
    Queue {
        container: Item,
        tracks: Vec<TrackDef>,
    },
    Station(Item),
    LineIn {
        player: PlayerId,
        name: String,
    },
    Tv {
        player: PlayerId,
        name: String,
    },
}

/// A group's transport.
#[derive(Debug, Clone)]
pub struct Playback {
    pub state: PlaybackState,
    pub source: Source,
    pub index: usize,
    /// Position at `anchor`; while playing, the position moves with the clock from there.
    pub position_ms: i64,
    pub anchor: Millis,
    pub modes: PlayModes,
    pub queue_version: u32,
    pub previous: Option<(String, i64)>,
    /// Bumped by every transport change, so a late BUFFERING→PLAYING step can tell it is stale.
    pub generation: u64,
}

impl Playback {
    fn idle() -> Self {
        Self {
            state: PlaybackState::Idle,
            source: Source::Empty,
            index: 0,
            position_ms: 0,
            anchor: 0,
            modes: PlayModes {
                repeat: Some(false),
                repeat_one: Some(false),
                shuffle: Some(false),
                crossfade: Some(false),
            },
            queue_version: 1,
            previous: None,
            generation: 0,
        }
    }

    fn tracks(&self) -> &[TrackDef] {
        match &self.source {
            Source::Queue { tracks, .. } => tracks,
            _ => &[],
        }
    }

    fn item_id(&self) -> Option<String> {
        match &self.source {
            Source::Empty => None,
            Source::Queue { .. } => Some(format!("Q{}:{}", self.queue_version, self.index + 1)),
            Source::Station(item) => Some(format!("station:{}", item.id)),
            Source::LineIn { player, .. } => Some(format!("linein:{player}")),
            Source::Tv { player, .. } => Some(format!("tv:{player}")),
        }
    }

    fn moving(&self) -> bool {
        matches!(self.state, PlaybackState::Playing)
    }

    fn position_at(&self, now: Millis) -> i64 {
        if self.moving() {
            self.position_ms + (now - self.anchor).max(0)
        } else {
            self.position_ms
        }
    }

    fn flag(value: Option<bool>) -> bool {
        value.unwrap_or(false)
    }

    /// Moves the position to `now`, crossing track ends. Returns whether the item changed.
    fn settle(&mut self, now: Millis, rng: &mut ChaCha8Rng) -> bool {
        let mut position = self.position_at(now);
        self.anchor = now;
        let mut changed = false;
        if self.moving() && !self.tracks().is_empty() {
            loop {
                let duration = self.tracks()[self.index].duration_ms;
                if position < duration {
                    break;
                }
                position -= duration;
                changed = true;
                if Self::flag(self.modes.repeat_one) {
                    continue;
                }
                if !self.advance(duration, rng) {
                    // The end of the queue: stop at its start.
                    self.state = PlaybackState::Idle;
                    position = 0;
                    break;
                }
            }
        }
        self.position_ms = position;
        changed
    }

    /// Steps to the next item, remembering where the previous one was left (`left_at`);
    /// false at the end of the queue without repeat.
    fn advance(&mut self, left_at: i64, rng: &mut ChaCha8Rng) -> bool {
        let count = self.tracks().len();
        if count == 0 {
            return false;
        }
        let from = self.item_id().unwrap_or_default();
        self.previous = Some((from, left_at));
        if Self::flag(self.modes.shuffle) && count > 1 {
            let step = rng.gen_range(1..count);
            self.index = (self.index + step) % count;
            return true;
        }
        if self.index + 1 < count {
            self.index += 1;
            true
        } else if Self::flag(self.modes.repeat) {
            self.index = 0;
            true
        } else {
            self.index = 0;
            false
        }
    }

    /// When the current track ends, if playing one.
    pub fn track_end(&self) -> Option<Millis> {
        if !self.moving() {
            return None;
        }
        let track = self.tracks().get(self.index)?;
        Some(self.anchor + (track.duration_ms - self.position_ms).max(0))
    }

    fn actions(&self) -> PlaybackActions {
        let tracks = matches!(self.source, Source::Queue { .. });
        let streaming = matches!(self.source, Source::Station(_));
        let any = !matches!(self.source, Source::Empty);
        PlaybackActions {
            can_skip: Some(tracks),
            can_skip_back: Some(tracks),
            can_seek: Some(tracks),
            can_pause: Some(tracks || streaming),
            can_stop: Some(any),
            can_repeat: Some(tracks),
            can_repeat_one: Some(tracks),
            can_crossfade: Some(tracks),
            can_shuffle: Some(tracks),
        }
    }
}

/// A group of players.
#[derive(Debug, Clone)]
pub struct GroupState {
    pub id: GroupId,
    pub coordinator: PlayerId,
    pub members: Vec<PlayerId>,
    pub playback: Playback,
}

/// One household.
#[derive(Debug)]
pub struct Household {
    pub id: HouseholdId,
    pub players: Vec<PlayerState>,
    pub groups: Vec<GroupState>,
    /// Group IDs that existed once, and when they went away: they answer 410.
    pub gone_groups: HashMap<GroupId, Millis>,
    group_counter: u32,
    pub favorites: Vec<Item>,
    pub favorites_version: u32,
    pub playlists: Vec<Item>,
    pub playlists_version: u32,
    clip_counter: u32,
    /// Playback sessions of apps on groups (`playbackSession`).
    pub sessions: Vec<Session>,
    session_counter: u32,
}

/// The base URL the simulator serves artwork and player addresses from.
#[derive(Debug, Clone)]
pub struct Links {
    pub public_url: String,
}

impl Links {
    fn art(&self, key: &str) -> String {
        format!(
            "{}/sim/art/{key}.svg",
            self.public_url.trim_end_matches('/')
        )
    }
    fn images(&self, key: &str) -> Vec<Image> {
        vec![Image {
            url: self.art(key),
            height: Some(600),
            width: Some(600),
        }]
    }
}

/// What a mutation works with besides the household.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub now: Millis,
    pub rng: &'a mut ChaCha8Rng,
    pub links: &'a Links,
    pub out: Vec<Emit>,
}

fn source_of(item: &Item) -> Source {
    match &item.source {
        SourceDef::Tracks { tracks, .. } => Source::Queue {
            container: item.clone(),
            tracks: tracks.clone(),
        },
        SourceDef::Station { .. } => Source::Station(item.clone()),
    }
}

/// Everything a request may need to read or change: the household, and the group or player.
pub type Found<'a> = (&'a mut Household, usize);

impl Household {
    fn mint_group_id(&mut self, coordinator: &PlayerId) -> GroupId {
        let id = GroupId::new(format!("{coordinator}:{}", self.group_counter));
        self.group_counter += 1;
        id
    }

    fn add_group(&mut self, coordinator: PlayerId, others: Vec<PlayerId>, playback: Playback) {
        let id = self.mint_group_id(&coordinator);
        let mut members = vec![coordinator.clone()];
        members.extend(others);
        self.groups.push(GroupState {
            id,
            coordinator,
            members,
            playback,
        });
    }

    pub fn player(&self, id: &PlayerId) -> Option<&PlayerState> {
        self.players.iter().find(|p| &p.model.id == id)
    }

    pub fn player_mut(&mut self, id: &PlayerId) -> Option<&mut PlayerState> {
        self.players.iter_mut().find(|p| &p.model.id == id)
    }

    pub fn group_index(&self, id: &GroupId) -> Option<usize> {
        self.groups.iter().position(|g| &g.id == id)
    }

    fn group_of(&self, player: &PlayerId) -> Option<usize> {
        self.groups.iter().position(|g| g.members.contains(player))
    }

    fn player_name(&self, id: &PlayerId) -> String {
        self.player(id)
            .map(|p| p.model.name.clone())
            .unwrap_or_default()
    }

    fn group_name(&self, group: &GroupState) -> String {
        let name = self.player_name(&group.coordinator);
        match group.members.len() {
            0 | 1 => name,
            n => format!("{name} + {}", n - 1),
        }
    }
}
