// A household's favorites and playlists, read when first shown, on request, and again when
// Sonos says they changed.
import { commands, type Group, type HouseholdId, type Library as Items, type LibraryItem, type LoadAction } from '../bindings';
import type { Live } from './live.svelte';

export type Shelf = 'favorites' | 'playlists';

/** A favorite or a playlist, as a shelf lists it: its ID is a `FavoriteId` or a `PlaylistId`
 * (both strings on the wire), as the shelf says. */
export type Item = LibraryItem<string>;

export class Library {
  byHousehold = $state<Record<HouseholdId, Items>>({});
  loading = $state<HouseholdId | null>(null);
  failed = $state<Record<HouseholdId, string>>({});

  /** The core's count of library changes last seen (null before the first). */
  #changes: number | null = null;

  constructor(private readonly live: Live) {}

  /** Follows the core's count of favorites/playlists changes Sonos announced: when it
   * moves, every library already shown is read again. */
  async follow(changes: number) {
    const moved = this.#changes !== null && changes !== this.#changes;
    this.#changes = changes;
    if (moved) await Promise.all(Object.keys(this.byHousehold).map((household) => this.load(household, true)));
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
