// A household's favorites and playlists, read when first shown, on request, and again when
// Sonos says they changed.
import { commands, type Group, type HouseholdId, type Library as Items, type LibraryItem, type LoadAction, type Playlist, type PlaylistId } from '../bindings';
import type { Live } from './live.svelte';

/** A shelf of items; the streams tab is a form of its own. */
export type Shelf = 'favorites' | 'playlists';
export type Tab = Shelf | 'streams';

/** A favorite or a playlist, as a shelf lists it: its ID is a `FavoriteId` or a `PlaylistId`
 * (both strings on the wire), as the shelf says. */
export type Item = LibraryItem<string>;

/** The playlist whose tracks are shown: read when opened, and again when Sonos says the
 * playlists changed. */
export interface Shown {
  household: HouseholdId;
  id: PlaylistId;
  name: string;
  playlist: Playlist | null;
  failed: string | null;
}

export class Library {
  byHousehold = $state<Record<HouseholdId, Items>>({});
  loading = $state<HouseholdId | null>(null);
  failed = $state<Record<HouseholdId, string>>({});

  shown = $state<Shown | null>(null);

  /** The core's count of library changes last seen (null before the first). */
  #changes: number | null = null;

  constructor(private readonly live: Live) {}

  /** Follows the core's count of favorites/playlists changes Sonos announced: when it
   * moves, every library already shown is read again. */
  async follow(changes: number) {
    const moved = this.#changes !== null && changes !== this.#changes;
    this.#changes = changes;
    if (!moved) return;
    const shown = this.shown;
    await Promise.all([...Object.keys(this.byHousehold).map((household) => this.load(household, true)), shown && this.show(shown.household, shown.id, shown.name)]);
  }

  /** Shows a playlist's tracks (getPlaylist), before it plays. */
  async show(household: HouseholdId, id: PlaylistId, name: string) {
    const same = this.shown?.household === household && this.shown.id === id;
    this.shown = { household, id, name, playlist: same ? (this.shown?.playlist ?? null) : null, failed: null };
    const result = await commands.libraryPlaylist(household, id);
    // Another playlist may have been opened meanwhile: only the one still shown takes the answer.
    if (this.shown?.household !== household || this.shown.id !== id) return;
    this.shown =
      result.status === 'ok'
        ? { ...this.shown, name: result.data.name || name, playlist: result.data, failed: null }
        : { ...this.shown, failed: result.error.message };
  }

  hide() {
    this.shown = null;
  }

  items(household: HouseholdId, shelf: Shelf): Item[] | null {
    return this.byHousehold[household]?.[shelf] ?? null;
  }

  async load(household: HouseholdId, again = false) {
    if (this.loading === household) return;
    if (!again && (this.byHousehold[household] || this.failed[household])) return;
    this.loading = household;
    try {
      const result = await commands.libraryGet(household);
      if (result.status === 'ok') {
        this.byHousehold = { ...this.byHousehold, [household]: result.data };
        const { [household]: _gone, ...rest } = this.failed;
        this.failed = rest;
      } else {
        this.failed = { ...this.failed, [household]: result.error.message };
      }
    } finally {
      if (this.loading === household) this.loading = null;
    }
  }

  async play(group: Group, shelf: Shelf, item: Item, action: LoadAction): Promise<boolean> {
    const done = shelf === 'favorites' ? await this.live.playFavorite(group, item.id, action) : await this.live.playPlaylist(group, item.id, action);
    return done !== null;
  }
}
