// A household's favorites and playlists, read when first shown and on request.
import { commands, type Group, type Library as Items, type LibraryItem, type LoadAction } from '../bindings';
import type { Live } from './live.svelte';

export type Shelf = 'favorites' | 'playlists';

export class Library {
  byHousehold = $state<Record<string, Items>>({});
  loading = $state<string | null>(null);
  failed = $state<Record<string, string>>({});

  constructor(private readonly live: Live) {}

  items(household: string, shelf: Shelf): LibraryItem[] | null {
    return this.byHousehold[household]?.[shelf] ?? null;
  }

  async load(household: string, again = false) {
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

  play(group: Group, shelf: Shelf, item: LibraryItem, action: LoadAction) {
    return this.live.run(() =>
      shelf === 'favorites'
        ? commands.libraryPlayFavorite(group.id, item.id, action)
        : commands.libraryPlayPlaylist(group.id, item.id, action),
    );
  }
}
