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
  // A ring per stream of the last sequences handled, grown as the actor handles messages (an actor
  // that handled few holds few). A redelivery is rare, handling is not: remembering is a few array
  // writes, and looking up a new message one comparison.
  /** Local messages, with the mailbox stream their sequences number in. */
  private local = new SeqRing();
  private mailbox: string | undefined;
  /** Messages of other streams (another site's outbox, a direct source), by origin stream; made at the first (an idle actor holds no map). */
  private sourced: Map<string, SeqRing> | undefined;

  constructor(private readonly capacity: number = RECENTLY_HANDLED) {}

  /** Forgets everything (a new incarnation: its state starts over, so nothing it did counts). */
  clear(): void {
    this.local = new SeqRing();
    this.mailbox = undefined;
    this.sourced = undefined;
  }

  /** What was kept of `d` when it was handled in this incarnation; undefined when it was not. */
  find(d: Delivery): { readonly reply?: unknown } | undefined {
    if (d.origin) return this.sourced?.get(d.origin.stream)?.find(d.origin.seq);
    // In a mailbox stream made anew (numbered from 1 again), nothing was handled.
    return d.mailbox === this.mailbox ? this.local.find(d.seq) : undefined;
  }

  /** Remembers `d` as handled, with its reply when it was an ask. */
  add(d: Delivery, reply: unknown): void {
    const kept = d.envelope.reply ? reply : NOT_ASKED;
    if (d.origin) return this.ringOf(d.origin.stream).add(d.origin.seq, kept, this.capacity);
    if (d.mailbox !== this.mailbox) (this.local = new SeqRing()), (this.mailbox = d.mailbox);
    this.local.add(d.seq, kept, this.capacity);
  }

  private ringOf(stream: string): SeqRing {
    const sourced = (this.sourced ??= new Map());
    let ring = sourced.get(stream);
    if (!ring) {
      sourced.set(stream, (ring = new SeqRing()));
      // Streams seen last are kept (an outbox's epoch or a store's incarnation replaces the one before).
      if (sourced.size > MAX_SOURCED_STREAMS) sourced.delete(sourced.keys().next().value as string);
    }
    return ring;
  }
}

/** Most origin streams a cell remembers messages of at once. */
const MAX_SOURCED_STREAMS = 16;

/** The last sequences handled of one stream, up to a capacity, with what an ask replied. */
class SeqRing {
  private readonly seqs: number[] = [];
  private readonly replies: unknown[] = [];
  private next = 0;
  private highest = -1;

  find(seq: number): { readonly reply?: unknown } | undefined {
    // Newer than all handled: the usual case.
    if (seq > this.highest) return undefined;
    const i = this.seqs.indexOf(seq);
    if (i < 0) return undefined;
    const reply = this.replies[i];
    return reply === NOT_ASKED ? TELL : { reply };
  }

  add(seq: number, kept: unknown, capacity: number): void {
    if (this.seqs.length < capacity) {
      this.seqs.push(seq);
      this.replies.push(kept);
    } else {
      this.seqs[this.next] = seq;
      this.replies[this.next] = kept;
      this.next = (this.next + 1) % capacity;
    }
    if (seq > this.highest) this.highest = seq;
  }
}

/** Kept in the ring for a tell: its handler's return value is sent to nobody. */
const NOT_ASKED = Symbol('not asked');

/** What is kept of a tell (nothing to send again): one object for all. */
const TELL: { readonly reply?: unknown } = Object.freeze({});
