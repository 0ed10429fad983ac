//! The two households a seed builds: the players of each, their groups, and what plays.

use super::{source_of, Household, Playback, PlayerState};
use crate::catalog::{self, Item};
use crate::clock::Millis;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use roomtone_sonos::models::*;
use roomtone_sonos::{HouseholdId, PlayerId};
use std::collections::HashMap;

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
            sessions: Vec::new(),
            session_counter: 0,
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
}
