import type { Delivery } from './delivery.ts';

/** How many handled messages a cell remembers: well past what a connection cut can leave unacked for one actor. */
export const RECENTLY_HANDLED = 256;

/**
 * The last messages an actor handled in its running incarnation, by mailbox sequence (or origin
 * stream and sequence, for a message of another site), with the reply of each ask. After a
 * connection cut the mailbox consumer hands out again what it had not seen acked, including
 * messages handled just before the cut whose ack was lost: those are found here, not handled
 * again, and an asker gets the same reply once more. Exact keys, not "at or below the last": a
 * message that comes late for another reason (a dead-letter copy that could not be stored) is
 * still handled. Bounded: what fell out of the window is handled again (at least once).
 */
export class RecentlyHandled {
  private readonly handled = new Map<string, { readonly reply?: unknown }>();

  constructor(private readonly capacity: number = RECENTLY_HANDLED) {}

  /** Forgets everything (a new incarnation: its state starts over, so nothing it did counts). */
  clear(): void {
    this.handled.clear();
  }

  /** What was kept of `d` when it was handled in this incarnation; undefined when it was not. */
  find(d: Delivery): { readonly reply?: unknown } | undefined {
    return this.handled.get(keyOf(d));
  }

  /** Remembers `d` as handled, with its reply when it was an ask. */
  add(d: Delivery, reply: unknown): void {
    const key = keyOf(d);
    this.handled.delete(key);
    this.handled.set(key, d.envelope.reply ? { reply } : {});
    if (this.handled.size > this.capacity) this.handled.delete(this.handled.keys().next().value!);
  }
}

function keyOf(d: Delivery): string {
  // The mailbox stream's incarnation too: one made anew numbers from 1 again.
  return d.origin ? `${d.origin.stream}\u0000${d.origin.seq}` : `${d.mailbox ?? ''}\u0000${d.seq}`;
}
