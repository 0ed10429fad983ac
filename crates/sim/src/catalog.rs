//! The simulated music library: fictional albums, stations, favorites and playlists, and
//! the artwork the simulator draws for them. Nothing here names real artists or works.

/// A track of an album.
#[derive(Debug, Clone)]
pub struct TrackDef {
    pub id: String,
    pub name: &'static str,
    pub artist: &'static str,
    pub album: &'static str,
    pub duration_ms: i64,
    /// Artwork key, served at `/sim/art/{key}.svg`.
    pub art: String,
}

/// Something a queue can be loaded from.
#[derive(Debug, Clone)]
pub enum SourceDef {
    /// An album or playlist: a list of tracks.
    Tracks {
        kind: &'static str,
        tracks: Vec<TrackDef>,
    },
    /// A radio station: no tracks, no skipping, a stream description.
    Station {
        stream_info: &'static str,
        show: &'static str,
    },
}

/// A favorite or a playlist of the household.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub name: String,
    pub description: String,
    pub service: &'static str,
    pub art: String,
    pub source: SourceDef,
}

/// An album: title, artist, and tracks with their durations in milliseconds.
type AlbumDef = (&'static str, &'static str, &'static [(&'static str, i64)]);

const ALBUMS: &[AlbumDef] = &[
    (
        "Harbour Lights",
        "The Low Tides",
        &[
            ("Salt on the Window", 214_000),
            ("Ferry at Six", 187_000),
            ("Lanterns", 243_000),
            ("North Pier", 198_000),
            ("Undertow", 265_000),
        ],
    ),
    (
        "Paper Satellites",
        "Mira Okafor",
        &[
            ("Orbit of Small Things", 201_000),
            ("Paper Satellites", 233_000),
            ("Dial Tone Heart", 176_000),
            ("Quiet Frequencies", 249_000),
        ],
    ),
    (
        "Concrete Garden",
        "Tessellate",
        &[
            ("Rebar Bloom", 222_000),
            ("Overpass", 195_000),
            ("Moss Protocol", 281_000),
            ("Streetlight Pollen", 207_000),
            ("Ground Floor", 239_000),
        ],
    ),
    (
        "Slow Weather",
        "June Arden",
        &[
            ("Barometer", 190_000),
            ("Fog Lifts at Noon", 256_000),
            ("Slow Weather", 228_000),
            ("Umbrella Song", 173_000),
        ],
    ),
    (
        "Night Shift Radio",
        "Calloway & Reyes",
        &[
            ("Graveyard Waltz", 244_000),
            ("Vending Machine Light", 199_000),
            ("3 A.M. Dispatch", 231_000),
            ("Last Bus Home", 262_000),
        ],
    ),
    (
        "Kinetic",
        "Forty Rooms",
        &[
            ("Momentum", 205_000),
            ("Escapement", 218_000),
            ("Flywheel", 236_000),
            ("Pendulum", 247_000),
            ("Rest Mass", 289_000),
        ],
    ),
    (
        "Birch & Bone",
        "Elin Varga",
        &[
            ("Birch", 182_000),
            ("Bone China", 209_000),
            ("Winter Orchard", 254_000),
            ("Kindling", 196_000),
        ],
    ),
    (
        "Afterglow Sessions",
        "The Meridian Trio",
        &[
            ("Blue Hour", 312_000),
            ("Candle Stub", 287_000),
            ("Afterglow", 341_000),
            ("Closing Time Standard", 298_000),
        ],
    ),
];

const STATIONS: &[(&str, &str, &str, &str)] = &[
    (
        "Coastline FM",
        "Indie and alternative, live from the coast",
        "The Low Tides - North Pier",
        "Morning Tide with Ana",
    ),
    (
        "Deep Focus Radio",
        "Ambient and instrumental for work",
        "Forty Rooms - Escapement",
        "Flow State",
    ),
    (
        "Jazz Nocturne",
        "Late-night jazz, around the clock",
        "The Meridian Trio - Blue Hour",
        "After Hours",
    ),
];

/// Artwork key of an album.
pub fn album_art(index: usize) -> String {
    format!("album-{index}")
}

fn album_tracks(index: usize) -> Vec<TrackDef> {
    let (album, artist, tracks) = ALBUMS[index];
    tracks
        .iter()
        .enumerate()
        .map(|(n, (name, duration_ms))| TrackDef {
            id: format!("sim:track:{index}:{n}"),
            name,
            artist,
            album,
            duration_ms: *duration_ms,
            art: album_art(index),
        })
        .collect()
}

fn album_item(id: String, index: usize) -> Item {
    let (album, artist, _) = ALBUMS[index];
    Item {
        id,
        name: album.to_owned(),
        description: format!("Album by {artist}"),
        service: "Simulated Music",
        art: album_art(index),
        source: SourceDef::Tracks {
            kind: "album",
            tracks: album_tracks(index),
        },
    }
}

fn station_item(id: String, index: usize) -> Item {
    let (name, description, stream_info, show) = STATIONS[index];
    Item {
        id,
        name: name.to_owned(),
        description: description.to_owned(),
        service: "Simulated Radio",
        art: format!("station-{index}"),
        source: SourceDef::Station { stream_info, show },
    }
}

fn mix(id: String, name: &str, description: &str, art: String, picks: &[(usize, usize)]) -> Item {
    Item {
        id,
        name: name.to_owned(),
        description: description.to_owned(),
        service: "Sonos Playlist",
        art,
        source: SourceDef::Tracks {
            kind: "playlist",
            tracks: picks
                .iter()
                .map(|&(album, track)| album_tracks(album)[track].clone())
                .collect(),
        },
    }
}

/// The favorites of the main household: 12, three of them stations.
pub fn main_favorites() -> Vec<Item> {
    let mut items: Vec<Item> = (0..ALBUMS.len())
        .map(|i| album_item(format!("{}", i + 1), i))
        .collect();
    items.insert(1, station_item("101".into(), 0));
    items.insert(4, station_item("102".into(), 1));
    items.push(station_item("103".into(), 2));
    items.push(mix(
        "201".into(),
        "Sunday Kitchen",
        "Playlist",
        "mix-0".into(),
        &[(3, 1), (6, 2), (0, 2), (7, 0)],
    ));
    items
}

/// The favorites of the second household.
pub fn cabin_favorites() -> Vec<Item> {
    vec![
        album_item("1".into(), 6),
        album_item("2".into(), 3),
        station_item("101".into(), 2),
    ]
}

/// The Sonos playlists of the main household: 6.
pub fn main_playlists() -> Vec<Item> {
    vec![
        mix(
            "1".into(),
            "Thursday Morning Mix",
            "Playlist",
            "mix-1".into(),
            &[(1, 0), (3, 1), (5, 0), (0, 0), (6, 3), (2, 3)],
        ),
        mix(
            "2".into(),
            "Dinner Party",
            "Playlist",
            "mix-2".into(),
            &[(7, 0), (7, 2), (3, 2), (6, 2), (1, 3)],
        ),
        mix(
            "3".into(),
            "Focus",
            "Playlist",
            "mix-3".into(),
            &[(5, 1), (5, 3), (2, 2), (1, 1)],
        ),
        mix(
            "4".into(),
            "Road Trip",
            "Playlist",
            "mix-4".into(),
            &[(4, 3), (0, 4), (2, 0), (4, 0), (5, 0), (0, 1), (3, 0)],
        ),
        mix(
            "5".into(),
            "Rainy Day",
            "Playlist",
            "mix-5".into(),
            &[(3, 0), (3, 3), (6, 0), (7, 1)],
        ),
        mix(
            "6".into(),
            "Late Night",
            "Playlist",
            "mix-6".into(),
            &[(4, 0), (4, 1), (7, 3), (1, 2)],
        ),
    ]
}

/// The playlists of the second household.
pub fn cabin_playlists() -> Vec<Item> {
    vec![mix(
        "1".into(),
        "Fireside",
        "Playlist",
        "mix-7".into(),
        &[(6, 0), (7, 2), (3, 1)],
    )]
}

/// Draws the artwork for `key` as a small SVG: a two-colour gradient and a monogram,
/// derived from the key so each album looks different and the same album always the same.
pub fn artwork_svg(key: &str) -> Option<String> {
    // Only artwork the catalogue uses exists.
    let label = match key {
        "linein" => "IN".to_owned(),
        "tv" => "TV".to_owned(),
        "stream" => "FM".to_owned(),
        _ => title_for(key)?
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .collect::<String>()
            .to_uppercase(),
    };
    let hash = key
        .bytes()
        .fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
    let hue_a = hash % 360;
    let hue_b = (hue_a + 40 + (hash >> 9) % 80) % 360;
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" viewBox="0 0 600 600"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl({hue_a},62%,46%)"/><stop offset="1" stop-color="hsl({hue_b},58%,22%)"/></linearGradient></defs><rect width="600" height="600" fill="url(#g)"/><circle cx="470" cy="130" r="{r}" fill="hsl({hue_b},70%,70%)" fill-opacity="0.25"/><text x="48" y="540" font-family="sans-serif" font-size="150" font-weight="700" fill="#fff" fill-opacity="0.92">{label}</text></svg>"##,
        r = 60 + hash % 90,
    ))
}

fn title_for(key: &str) -> Option<String> {
    let (kind, index) = key.split_once('-')?;
    let index: usize = index.parse().ok()?;
    match kind {
        "album" => ALBUMS.get(index).map(|a| a.0.to_owned()),
        "station" => STATIONS.get(index).map(|s| s.0.to_owned()),
        "mix" => main_playlists()
            .into_iter()
            .chain(main_favorites())
            .chain(cabin_playlists())
            .find(|p| p.art == key)
            .map(|p| p.name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_what_the_household_needs() {
        let favorites = main_favorites();
        assert!(favorites.len() >= 10);
        assert!(
            favorites
                .iter()
                .filter(|f| matches!(f.source, SourceDef::Station { .. }))
                .count()
                >= 2
        );
        assert!(main_playlists().len() >= 5);
        let ids: std::collections::HashSet<_> = favorites.iter().map(|f| &f.id).collect();
        assert_eq!(ids.len(), favorites.len(), "favorite IDs are unique");
    }

    #[test]
    fn every_item_has_artwork() {
        for item in main_favorites()
            .iter()
            .chain(&main_playlists())
            .chain(&cabin_favorites())
            .chain(&cabin_playlists())
        {
            let svg = artwork_svg(&item.art).unwrap_or_else(|| panic!("no art for {}", item.art));
            assert!(svg.starts_with("<svg"));
        }
        assert!(artwork_svg("../etc/passwd").is_none());
        assert!(artwork_svg("unknown-1").is_none());
    }
}
