// Households for the UI tests, in the shape the core sends (see src/bindings.ts).
import type { Group, Household, Library, LibraryItem, Playlist, Room, Snapshot } from '../src/bindings';

const art = (seed: string) => `https://art.example/${encodeURIComponent(seed)}.svg`;

export function room(id: string, name: string, volume = 20, extra: Partial<Room> = {}): Room {
  return { id, name, volume: { volume, muted: false, fixed: false }, lineIn: false, homeTheater: false, tvPower: false, canChime: true, ...extra };
}

export function group(id: string, name: string, rooms: Room[], extra: Partial<Group> = {}): Group {
  return {
    id,
    name,
    coordinatorId: rooms[0].id,
    rooms,
    state: 'paused',
    position: { millis: 42_000, readAt: Date.now() },
    nowPlaying: { title: 'Flywheel', artist: 'Forty Rooms', album: 'Kinetic', container: 'Kinetic', service: 'Sonos Radio', artUrl: art('flywheel'), durationMillis: 245_000 },
    volume: { volume: rooms[0].volume.volume, muted: false, fixed: false },
    actions: { canSkip: true, canSkipBack: true, canSeek: true, canPause: true, canRepeat: true, canRepeatOne: true, canShuffle: true, canCrossfade: true },
    modes: { repeat: false, repeatOne: false, shuffle: false, crossfade: false },
    ...extra,
  };
}

export function home(): Household {
  return {
    id: 'Sonos_home',
    groups: [
      group('G-living', 'Living Room + 1', [room('P-living', 'Living Room', 32, { homeTheater: true, tvPower: true }), room('P-kitchen', 'Kitchen', 24)], {
        state: 'playing',
        nowPlaying: { title: 'Fog Lifts at Noon', artist: 'June Arden', album: 'Slow Weather', container: 'Thursday Morning Mix', service: 'Sonos Playlist', artUrl: art('fog'), durationMillis: 256_000 },
        volume: { volume: 28, muted: false, fixed: false },
      }),
      group('G-office', 'Office', [room('P-office', 'Office', 18, { lineIn: true })]),
      group('G-den', 'Den', [room('P-den', 'Den', 100, { volume: { volume: 100, muted: false, fixed: true }, canChime: false })], {
        state: 'playing',
        position: null,
        nowPlaying: { title: 'Jazz Nocturne', artist: 'The Meridian Trio - Blue Hour', album: null, container: null, service: 'Radio', artUrl: art('jazz'), durationMillis: null },
        volume: { volume: 100, muted: false, fixed: true },
        actions: { canSkip: false, canSkipBack: false, canSeek: false, canPause: true, canRepeat: false, canRepeatOne: false, canShuffle: false, canCrossfade: false },
      }),
      group('G-patio', 'Patio', [room('P-patio', 'Patio', 40)], { state: 'idle', nowPlaying: null, position: null }),
    ],
  };
}

export function cabin(): Household {
  return { id: 'Sonos_cabin', groups: [group('G-cabin', 'Cabin', [room('P-cabin', 'Cabin', 19)])] };
}

export function snapshot(households: Household[], extra: Partial<Snapshot['live']> = {}, demo = false): Snapshot {
  return {
    demo,
    notices: [],
    live: {
      revision: 1,
      session: { state: 'signedIn', persistent: true, reason: null },
      households,
      sync: { state: 'ready' },
      signingIn: false,
      libraryChanges: 0,
      pending: [],
      refused: null,
      chimes: [],
      sleep: [],
      focus: null,
      chosen: null,
      controlled: null,
      ...extra,
    },
  };
}

const item = (id: string, name: string, service: string | null, description: string | null = null, withArt = true): LibraryItem<string> => ({
  id,
  name,
  description,
  service,
  artUrl: withArt ? art(name) : null,
});

export function library(household: string): Library {
  return {
    householdId: household,
    favorites: [
      item('F1', 'Harbour Lights', 'Simulated Music'),
      item('F2', 'Coastline FM', 'Simulated Radio'),
      item('F3', 'Paper Satellites', 'Simulated Music'),
      item('F4', 'A favorite with a name long enough to need more than one line in any tile', 'Simulated Music', null, false),
    ],
    playlists: [item('L1', 'Thursday Morning Mix', null, '12 tracks'), item('L2', 'Dinner', null, '1 track', false)],
  };
}

/** A playlist's tracks, as the core reads them (getPlaylist). */
export function playlist(household: string, id: string): Playlist | null {
  const track = (name: string, artist: string | null, album: string | null) => ({ name, artist, album });
  switch (id) {
    case 'L1':
      return {
        householdId: household,
        id,
        name: 'Thursday Morning Mix',
        tracks: [
          track('Fog Lifts at Noon', 'June Arden', 'Slow Weather'),
          track('Salt on the Window', 'The Low Tides', 'Harbour'),
          track('Paper Satellites', 'Mira Holt', null),
          track('A track whose title runs on long enough to need all the room a row can give it', 'An Artist With A Long Name', 'An Album'),
          track('Untitled track', null, null),
        ],
      };
    case 'L2':
      return { householdId: household, id, name: 'Dinner', tracks: [track('Slow Supper', 'Table Nine', 'Evenings')] };
    default:
      return null;
  }
}
