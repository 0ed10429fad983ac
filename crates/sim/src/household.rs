//! The simulated households: players, groups, playback, volume, favorites and playlists,
//! and the rules of REFERENCE §8 that change them. Every mutation appends the events it
//! causes to an [`Emit`] list; the caller hands them to the event sender.

use crate::catalog::{self, Item, SourceDef, TrackDef};
use crate::clock::Millis;
use crate::error::ApiError;
use crate::Ctx;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use roomtone_sonos::events::TargetType;
use roomtone_sonos::models::*;
use roomtone_sonos::{AudioClipId, GroupId, HouseholdId, PlayerId};
use serde::Serialize;
use std::collections::HashMap;

/// An event a change caused, before it is matched to subscriptions.
#[derive(Debug, Clone)]
pub struct Emit {
    pub household: HouseholdId,
    pub namespace: &'static str,
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

struct PlayerSpec {
    name: &'static str,
    caps: &'static [&'static str],
    devices: usize,
    volume: u8,
    home_theater: bool,
}

const MAIN_PLAYERS: &[PlayerSpec] = &[
    PlayerSpec {
        name: "Living Room",
        caps: &[
            "PLAYBACK",
            "CLOUD",
            "HT_PLAYBACK",
            "HT_POWER_STATE",
            "LINE_IN",
            "AIRPLAY",
            "VOICE",
            "AUDIO_CLIP",
            "SPEAKER_DETECTION",
        ],
        devices: 4,
        volume: 32,
        home_theater: true,
    },
    PlayerSpec {
        name: "Kitchen",
        caps: &["PLAYBACK", "CLOUD", "AIRPLAY", "VOICE", "AUDIO_CLIP"],
        devices: 1,
        volume: 24,
        home_theater: false,
    },
    PlayerSpec {
        name: "Office",
        caps: &["PLAYBACK", "CLOUD", "LINE_IN", "AIRPLAY", "AUDIO_CLIP"],
        devices: 2,
        volume: 18,
        home_theater: false,
    },
    PlayerSpec {
        name: "Bedroom",
        caps: &["PLAYBACK", "CLOUD", "AIRPLAY", "AUDIO_CLIP", "VOICE"],
        devices: 1,
        volume: 12,
        home_theater: false,
    },
    PlayerSpec {
        name: "Bathroom",
        caps: &["PLAYBACK", "CLOUD", "AIRPLAY", "AUDIO_CLIP"],
        devices: 1,
        volume: 20,
        home_theater: false,
    },
    PlayerSpec {
        name: "Den",
        caps: &["PLAYBACK", "CLOUD", "LINE_IN", "FIXED_VOLUME", "AIRPLAY"],
        devices: 1,
        volume: 100,
        home_theater: false,
    },
    PlayerSpec {
        name: "Patio",
        caps: &["PLAYBACK", "CLOUD", "LINE_IN", "AIRPLAY", "AUDIO_CLIP"],
        devices: 1,
        volume: 40,
        home_theater: false,
    },
];

const CABIN_PLAYERS: &[PlayerSpec] = &[
    PlayerSpec {
        name: "Cabin Living Room",
        caps: &["PLAYBACK", "CLOUD", "LINE_IN", "AIRPLAY", "AUDIO_CLIP"],
        devices: 1,
        volume: 22,
        home_theater: false,
    },
    PlayerSpec {
        name: "Loft",
        caps: &["PLAYBACK", "CLOUD", "AIRPLAY", "AUDIO_CLIP"],
        devices: 1,
        volume: 15,
        home_theater: false,
    },
];

fn hex_id(rng: &mut ChaCha8Rng, len: usize) -> String {
    (0..len)
        .map(|_| {
            char::from_digit(rng.gen_range(0..16), 16)
                .unwrap()
                .to_ascii_uppercase()
        })
        .collect()
}

fn alnum_id(rng: &mut ChaCha8Rng, len: usize) -> String {
    const SET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| SET[rng.gen_range(0..SET.len())] as char)
        .collect()
}

/// Builds the two households for `seed`'s random stream.
pub fn build_households(rng: &mut ChaCha8Rng, now: Millis) -> Vec<Household> {
    let mut main = Household::new(
        rng,
        MAIN_PLAYERS,
        catalog::main_favorites(),
        catalog::main_playlists(),
    );
    let mut cabin = Household::new(
        rng,
        CABIN_PLAYERS,
        catalog::cabin_favorites(),
        catalog::cabin_playlists(),
    );
    let p = |h: &Household, i: usize| h.players[i].model.id.clone();

    // Living Room + Kitchen playing a playlist; Office paused on an album; Den (fixed
    // volume) on a station; Bedroom with an album loaded; Bathroom and Patio empty.
    let (lr, kitchen, office, bedroom, bathroom, den, patio) = (
        p(&main, 0),
        p(&main, 1),
        p(&main, 2),
        p(&main, 3),
        p(&main, 4),
        p(&main, 5),
        p(&main, 6),
    );
    let playlist = main.playlists[0].clone();
    main.add_group(
        lr,
        vec![kitchen],
        loaded(&playlist, PlaybackState::Playing, 1, 40_000, now),
    );
    let kinetic = main.favorite("Kinetic");
    main.add_group(
        office,
        vec![],
        loaded(&kinetic, PlaybackState::Paused, 2, 95_000, now),
    );
    let slow = main.favorite("Slow Weather");
    main.add_group(
        bedroom,
        vec![],
        loaded(&slow, PlaybackState::Idle, 0, 0, now),
    );
    main.add_group(bathroom, vec![], Playback::idle());
    let jazz = main.favorite("Jazz Nocturne");
    main.add_group(
        den,
        vec![],
        loaded(&jazz, PlaybackState::Playing, 0, 0, now),
    );
    main.add_group(patio, vec![], Playback::idle());

    let (cabin_lr, loft) = (p(&cabin, 0), p(&cabin, 1));
    let fireside = cabin.playlists[0].clone();
    cabin.add_group(
        cabin_lr,
        vec![loft],
        loaded(&fireside, PlaybackState::Paused, 0, 12_000, now),
    );
    vec![main, cabin]
}

fn loaded(
    item: &Item,
    state: PlaybackState,
    index: usize,
    position_ms: i64,
    now: Millis,
) -> Playback {
    let mut playback = Playback::idle();
    playback.source = source_of(item);
    playback.state = state;
    playback.index = index;
    playback.position_ms = position_ms;
    playback.anchor = now;
    playback
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
    fn new(
        rng: &mut ChaCha8Rng,
        specs: &[PlayerSpec],
        favorites: Vec<Item>,
        playlists: Vec<Item>,
    ) -> Self {
        let id = HouseholdId::new(format!("Sonos_{}.{}", alnum_id(rng, 22), alnum_id(rng, 10)));
        let players = specs
            .iter()
            .map(|spec| {
                let mac = hex_id(rng, 12);
                let id = PlayerId::new(format!("RINCON_{mac}01400"));
                let octet = rng.gen_range(20..250);
                PlayerState {
                    model: Player {
                        id: id.clone(),
                        name: spec.name.to_owned(),
                        websocket_url: Some(format!("wss://192.168.1.{octet}:1443/websocket/api")),
                        software_version: Some("85.0-64200".into()),
                        api_version: Some("1.45.0".into()),
                        min_api_version: Some("1.1.0".into()),
                        capabilities: spec.caps.iter().map(|c| Capability::from(*c)).collect(),
                        device_ids: (0..spec.devices)
                            .map(|n| {
                                if n == 0 {
                                    id.to_string()
                                } else {
                                    format!("RINCON_{}01400", hex_id(rng, 12))
                                }
                            })
                            .collect(),
                        icon: None,
                        is_unregistered: None,
                        rest_url: None,
                    },
                    volume: spec.volume,
                    muted: false,
                    settings: PlayerSettings {
                        volume_mode: Some(if spec.caps.contains(&"FIXED_VOLUME") {
                            VolumeMode::Fixed
                        } else {
                            VolumeMode::Variable
                        }),
                        volume_scaling_factor: Some(1.0),
                        mono_mode: Some(false),
                        wifi_disable: Some(false),
                    },
                    home_theater: spec.home_theater.then_some(HomeTheaterOptions {
                        night_mode: Some(false),
                        enhance_dialog: Some(false),
                        grouping_latency: None,
                    }),
                    tv_power: TvPowerState::Standby,
                    unplugged: false,
                    clips: Vec::new(),
                    ducked_until: None,
                }
            })
            .collect();
        Self {
            id,
            players,
            groups: Vec::new(),
            gone_groups: HashMap::new(),
            group_counter: 0,
            favorites,
            favorites_version: 1,
            playlists,
            playlists_version: 1,
            clip_counter: 0,
        }
    }

    /// The favorite named `name`; the built-in catalogue always has it.
    fn favorite(&self, name: &str) -> Item {
        self.favorites
            .iter()
            .find(|f| f.name == name)
            .cloned()
            .expect("the catalogue has it")
    }

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

    fn emit(
        &self,
        out: &mut Vec<Emit>,
        namespace: &'static str,
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
            "groups",
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
            "playback",
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
            "playbackMetadata",
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
            "groupVolume",
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
                "playerVolume",
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
            "favorites",
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
            "playlists",
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
                "audioClip",
                "audioClipStatus",
                TargetType::PlayerId,
                player.as_str(),
                &body,
            );
        }
    }

    /// Brings every playing group to `now`, emitting for groups whose track changed.
    pub fn settle(&mut self, ctx: &mut Ctx<'_>) {
        for index in 0..self.groups.len() {
            if self.groups[index].playback.settle(ctx.now, ctx.rng) {
                self.emit_playback(index, ctx.now, &mut ctx.out);
                self.emit_metadata(index, ctx.links, &mut ctx.out);
            }
        }
        for player in &mut self.players {
            if player.ducked_until.is_some_and(|t| t <= ctx.now) {
                player.ducked_until = None;
            }
        }
    }

    /// The earliest track end among playing groups.
    pub fn next_track_end(&self) -> Option<Millis> {
        self.groups
            .iter()
            .filter_map(|g| g.playback.track_end())
            .min()
    }

    // ----- playback -------------------------------------------------------------------

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

    fn changed_playback(&mut self, index: usize, ctx: &mut Ctx<'_>, metadata: bool) {
        self.groups[index].playback.generation += 1;
        self.emit_playback(index, ctx.now, &mut ctx.out);
        if metadata {
            self.emit_metadata(index, ctx.links, &mut ctx.out);
        }
    }

    /// play: `BUFFERING` now; the caller schedules [`Household::finish_buffering`].
    pub fn play(&mut self, index: usize, ctx: &mut Ctx<'_>) -> Result<u64, ApiError> {
        let playback = &mut self.groups[index].playback;
        if matches!(playback.source, Source::Empty) {
            return Err(ApiError::no_content(
                "nothing is loaded in this group's queue",
            ));
        }
        if matches!(
            playback.state,
            PlaybackState::Playing | PlaybackState::Buffering
        ) {
            return Ok(playback.generation);
        }
        playback.state = PlaybackState::Buffering;
        playback.anchor = ctx.now;
        self.changed_playback(index, ctx, false);
        Ok(self.groups[index].playback.generation)
    }

    /// The second half of play: `BUFFERING` → `PLAYING`, unless something changed since.
    pub fn finish_buffering(&mut self, group: &GroupId, generation: u64, ctx: &mut Ctx<'_>) {
        let Some(index) = self.group_index(group) else {
            return;
        };
        let playback = &mut self.groups[index].playback;
        if playback.generation != generation || playback.state != PlaybackState::Buffering {
            return;
        }
        playback.state = PlaybackState::Playing;
        playback.anchor = ctx.now;
        self.changed_playback(index, ctx, false);
    }

    /// pause: `PAUSED` for tracks, `IDLE` for streams and inputs.
    pub fn pause(&mut self, index: usize, ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
        let playback = &mut self.groups[index].playback;
        if matches!(playback.state, PlaybackState::Paused | PlaybackState::Idle) {
            return Ok(());
        }
        playback.position_ms = playback.position_at(ctx.now);
        playback.anchor = ctx.now;
        playback.state = match playback.source {
            Source::Queue { .. } => PlaybackState::Paused,
            _ => PlaybackState::Idle,
        };
        self.changed_playback(index, ctx, false);
        Ok(())
    }

    pub fn toggle(&mut self, index: usize, ctx: &mut Ctx<'_>) -> Result<Option<u64>, ApiError> {
        match self.groups[index].playback.state {
            PlaybackState::Playing | PlaybackState::Buffering => {
                self.pause(index, ctx).map(|()| None)
            }
            _ => self.play(index, ctx).map(Some),
        }
    }

    fn require_tracks(&self, index: usize, what: &str) -> Result<(), ApiError> {
        match self.groups[index].playback.source {
            Source::Queue { .. } => Ok(()),
            Source::Empty => Err(ApiError::no_content(format!("nothing is loaded to {what}"))),
            _ => Err(ApiError::playback_failed(format!(
                "the current source does not allow {what}"
            ))),
        }
    }

    pub fn skip_next(&mut self, index: usize, ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
        self.require_tracks(index, "skipping")?;
        let playback = &mut self.groups[index].playback;
        playback.position_ms = playback.position_at(ctx.now);
        if !playback.advance(playback.position_ms, ctx.rng) && playback.moving() {
            playback.state = PlaybackState::Idle;
        }
        playback.position_ms = 0;
        playback.anchor = ctx.now;
        self.changed_playback(index, ctx, true);
        Ok(())
    }

    pub fn skip_previous(&mut self, index: usize, ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
        self.require_tracks(index, "skipping")?;
        let playback = &mut self.groups[index].playback;
        let count = playback.tracks().len();
        let from = playback.item_id().unwrap_or_default();
        playback.previous = Some((from, playback.position_at(ctx.now)));
        playback.index = if playback.index > 0 {
            playback.index - 1
        } else if playback.modes.repeat == Some(true) {
            count - 1
        } else {
            0
        };
        playback.position_ms = 0;
        playback.anchor = ctx.now;
        self.changed_playback(index, ctx, true);
        Ok(())
    }

    /// skipBack: to the start if more than 3 s in, else to the previous track.
    pub fn skip_back(&mut self, index: usize, ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
        self.require_tracks(index, "skipping")?;
        let playback = &mut self.groups[index].playback;
        if playback.position_at(ctx.now) > 3_000 {
            playback.position_ms = 0;
            playback.anchor = ctx.now;
            self.changed_playback(index, ctx, false);
            Ok(())
        } else {
            self.skip_previous(index, ctx)
        }
    }

    pub fn seek(
        &mut self,
        index: usize,
        position: i64,
        item_id: Option<&str>,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), ApiError> {
        self.require_tracks(index, "seeking")?;
        let playback = &mut self.groups[index].playback;
        if let Some(item) = item_id {
            if playback.item_id().as_deref() != Some(item) {
                return Err(ApiError::invalid_object(format!(
                    "item {item} is not the current item"
                )));
            }
        }
        if position < 0 {
            return Err(ApiError::invalid_parameter(
                "positionMillis must not be negative",
            ));
        }
        playback.position_ms = position;
        playback.anchor = ctx.now;
        let duration = playback.tracks()[playback.index].duration_ms;
        let metadata = if position >= duration {
            // Past the end: the next track.
            playback.position_ms = 0;
            if !playback.advance(duration, ctx.rng) {
                playback.state = PlaybackState::Idle;
            }
            true
        } else {
            false
        };
        self.changed_playback(index, ctx, metadata);
        Ok(())
    }

    pub fn set_modes(
        &mut self,
        index: usize,
        modes: PlayModes,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), ApiError> {
        let playback = &mut self.groups[index].playback;
        if !matches!(playback.source, Source::Queue { .. })
            && (modes.repeat == Some(true)
                || modes.repeat_one == Some(true)
                || modes.shuffle == Some(true))
        {
            return Err(ApiError::playback_failed(
                "the current source has no play modes",
            ));
        }
        let current = &mut playback.modes;
        current.repeat = modes.repeat.or(current.repeat);
        current.repeat_one = modes.repeat_one.or(current.repeat_one);
        current.shuffle = modes.shuffle.or(current.shuffle);
        current.crossfade = modes.crossfade.or(current.crossfade);
        self.changed_playback(index, ctx, true);
        Ok(())
    }

    fn switch_source(&mut self, index: usize, source: Source, play: bool, ctx: &mut Ctx<'_>) {
        let playback = &mut self.groups[index].playback;
        playback.source = source;
        playback.index = 0;
        playback.position_ms = 0;
        playback.anchor = ctx.now;
        playback.queue_version += 1;
        playback.state = if play {
            PlaybackState::Playing
        } else {
            PlaybackState::Idle
        };
        self.changed_playback(index, ctx, true);
    }

    pub fn line_in(
        &mut self,
        index: usize,
        device: Option<&PlayerId>,
        play: bool,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), ApiError> {
        let device = device
            .cloned()
            .unwrap_or_else(|| self.groups[index].coordinator.clone());
        let player = self
            .player(&device)
            .filter(|p| !p.unplugged)
            .ok_or_else(|| {
                ApiError::invalid_parameter(format!(
                    "deviceId {device} is not a player of this household"
                ))
            })?;
        if !player.model.has(&Capability::LineIn) {
            return Err(ApiError::not_capable(format!(
                "{} has no line-in",
                player.model.name
            )));
        }
        let name = format!("{} Line-In", player.model.name);
        self.switch_source(
            index,
            Source::LineIn {
                player: device,
                name,
            },
            play,
            ctx,
        );
        Ok(())
    }

    pub fn home_theater_playback(
        &mut self,
        player: &PlayerId,
        ctx: &mut Ctx<'_>,
    ) -> Result<(), ApiError> {
        let state = self.player(player).expect("resolved");
        if !state.model.has(&Capability::HtPlayback) {
            return Err(ApiError::unsupported_namespace(format!(
                "{} is not a home-theater player",
                state.model.name
            )));
        }
        let name = format!("{} TV", state.model.name);
        let index = self
            .group_of(player)
            .expect("every plugged player is in a group");
        self.switch_source(
            index,
            Source::Tv {
                player: player.clone(),
                name,
            },
            true,
            ctx,
        );
        Ok(())
    }

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
                let at = match action {
                    LoadAction::Insert => playback.index,
                    LoadAction::InsertNext => playback.index + 1,
                    _ => queue.len(),
                };
                let at = at.min(queue.len());
                queue.splice(at..at, tracks);
                if action == LoadAction::Insert {
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

    // ----- volume ---------------------------------------------------------------------

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

    // ----- grouping -------------------------------------------------------------------

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
                    "groups",
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

    // ----- audio clips ----------------------------------------------------------------

    pub fn load_clip(
        &mut self,
        id: &PlayerId,
        request: LoadAudioClip,
        now: Millis,
        out: &mut Vec<Emit>,
    ) -> Result<AudioClip, ApiError> {
        let player = self.player(id).expect("resolved");
        if !player.model.has(&Capability::AudioClip) {
            return Err(ApiError::unsupported_namespace(format!(
                "{} cannot play audio clips",
                player.model.name
            )));
        }
        if request.name.is_empty() || request.name.len() > 64 {
            return Err(ApiError::invalid_parameter("name has 1 to 64 characters"));
        }
        if request.app_id.is_empty() || request.app_id.len() > 127 {
            return Err(ApiError::invalid_parameter("appId has 1 to 127 characters"));
        }
        if request.volume.is_some_and(|v| v > 100) {
            return Err(ApiError::invalid_parameter("volume must be 0..100"));
        }
        let priority = request.priority.clone().unwrap_or(AudioClipPriority::Low);
        let active = player
            .clips
            .iter()
            .find(|(c, _)| c.status == AudioClipState::Active);
        if let Some((clip, started)) = active {
            let refused = match (&clip.priority, &priority) {
                (Some(AudioClipPriority::High), AudioClipPriority::Low) => true,
                (Some(AudioClipPriority::High), AudioClipPriority::High) => now - started <= 10_000,
                _ => false,
            };
            if refused {
                return Err(ApiError::command_failed(
                    "a higher-priority clip is playing",
                ));
            }
        }
        self.clip_counter += 1;
        let clip = AudioClip {
            id: AudioClipId::new(self.clip_counter.to_string()),
            name: request.name,
            app_id: request.app_id,
            priority: Some(priority),
            clip_type: Some(request.clip_type.unwrap_or(AudioClipType::Chime)),
            status: AudioClipState::Active,
            error_code: None,
        };
        let player = self.player_mut(id).expect("resolved");
        for (old, _) in &mut player.clips {
            if old.status == AudioClipState::Active {
                old.status = AudioClipState::Interrupted;
            }
        }
        player.clips.retain(|(c, _)| {
            c.status == AudioClipState::Active || c.status == AudioClipState::Interrupted
        });
        player.clips.push((clip.clone(), now));
        self.emit_clips(id, out);
        Ok(clip)
    }

    /// Ends a clip as `status` (DONE when it finished, DISMISSED when cancelled).
    pub fn end_clip(
        &mut self,
        id: &PlayerId,
        clip: &AudioClipId,
        status: AudioClipState,
        out: &mut Vec<Emit>,
    ) -> Result<(), ApiError> {
        let player = self.player_mut(id).expect("resolved");
        let Some((entry, _)) = player.clips.iter_mut().find(|(c, _)| &c.id == clip) else {
            return Err(ApiError::clip_not_found(format!(
                "no clip {clip} on this player"
            )));
        };
        if entry.status == AudioClipState::Active {
            entry.status = status;
            self.emit_clips(id, out);
        }
        Ok(())
    }
}

/// Removes repeated IDs, keeping the first of each.
fn dedupe(ids: &mut Vec<PlayerId>) {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
}
