// Short messages about actions that failed: each says what happened, then goes away.

export interface Toast {
  id: number;
  message: string;
}

/** Messages from the core start in lower case, to read well after a colon; a toast starts a sentence. */
export const sentence = (message: string) => message.charAt(0).toUpperCase() + message.slice(1);

export class Toasts {
  list = $state<Toast[]>([]);
  #next = 1;

  constructor(private readonly lifetime = 7000) {}

  say(message: string) {
    const id = this.#next++;
    this.list = [...this.list, { id, message: sentence(message) }].slice(-3);
    if (this.lifetime > 0) setTimeout(() => this.dismiss(id), this.lifetime);
  }

  dismiss(id: number) {
    this.list = this.list.filter((t) => t.id !== id);
  }
}
