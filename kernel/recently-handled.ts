import type { Delivery } from './delivery.ts';

/** How many handled messages a cell remembers: what a connection cut usually leaves unacked for one actor (more are handled again: at least once). */
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
  // Local messages: a ring of the last sequences handled, grown as the actor handles messages (an
  // actor that handled few holds few). A redelivery is rare, handling is not: remembering is a few
  // array writes, and looking up a new message one comparison.
  private readonly seqs: number[] = [];
  private readonly replies: unknown[] = [];
  private next = 0;
  private highest = -1;
  /** The mailbox stream the ring's sequences number in. */
  private mailbox: string | undefined;
  /** Messages of other streams (another site's outbox, a direct source), by origin stream and sequence; made at the first (an idle actor holds no map). */
  private sourced: Map<string, { readonly reply?: unknown }> | undefined;

  constructor(private readonly capacity: number = RECENTLY_HANDLED) {}

  /** Forgets everything (a new incarnation: its state starts over, so nothing it did counts). */
  clear(): void {
    this.resetRing(undefined);
    this.sourced = undefined;
  }

  /** What was kept of `d` when it was handled in this incarnation; undefined when it was not. */
  find(d: Delivery): { readonly reply?: unknown } | undefined {
    if (d.origin) return this.sourced?.get(originKey(d.origin));
    // Newer than all handled (the usual case), or in a mailbox stream made anew (numbered from 1 again).
    if (d.seq > this.highest || d.mailbox !== this.mailbox) return undefined;
    const i = this.seqs.indexOf(d.seq);
    if (i < 0) return undefined;
    const reply = this.replies[i];
    return reply === NOT_ASKED ? TELL : { reply };
  }

  /** Remembers `d` as handled, with its reply when it was an ask. */
  add(d: Delivery, reply: unknown): void {
    if (d.origin) return remember((this.sourced ??= new Map()), originKey(d.origin), d.envelope.reply ? { reply } : TELL, this.capacity);
    if (d.mailbox !== this.mailbox) this.resetRing(d.mailbox);
    const kept = d.envelope.reply ? reply : NOT_ASKED;
    if (this.seqs.length < this.capacity) {
      this.seqs.push(d.seq);
      this.replies.push(kept);
    } else {
      this.seqs[this.next] = d.seq;
      this.replies[this.next] = kept;
      this.next = (this.next + 1) % this.capacity;
    }
    if (d.seq > this.highest) this.highest = d.seq;
  }

  private resetRing(mailbox: string | undefined): void {
    this.seqs.length = 0;
    this.replies.length = 0;
    this.next = 0;
    this.highest = -1;
    this.mailbox = mailbox;
  }
}

/** Kept in the ring for a tell: its handler's return value is sent to nobody. */
const NOT_ASKED = Symbol('not asked');

/** What is kept of a tell (nothing to send again): one object for all. */
const TELL: { readonly reply?: unknown } = Object.freeze({});

function remember<K>(map: Map<K, { readonly reply?: unknown }>, key: K, kept: { readonly reply?: unknown }, capacity: number): void {
  map.delete(key);
  map.set(key, kept);
  if (map.size > capacity) map.delete(map.keys().next().value as K);
}

function originKey(origin: { readonly stream: string; readonly seq: number }): string {
  return `${origin.stream}\u0000${origin.seq}`;
}
