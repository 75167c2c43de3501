/*
 * The decisions of an outbox forwarder (outbox-forwarder.ts) that keep a peer's messages in order
 * and lose none: what a delivered message is, and how far everything before it is stored.
 */

/** What the forwarder has seen in this session of pulling a peer's outbox. */
export interface ForwardCursor {
  /** The consumer delivery sequence of the last message received; undefined before the first. */
  readonly lastDelivery?: number | undefined;
  /** The highest outbox sequence handed to the mailbox this session (0: none). */
  readonly highestIssued: number;
}

export type ForwardStep =
  /** A new message: store it in the mailbox, after the messages before it for the same actor. */
  | { readonly type: 'forward' }
  /** A message at or below one already handed on (a redelivery): ack it once that one is stored. */
  | { readonly type: 'duplicate' }
  /**
   * A delivery went missing between the peer's consumer and this forwarder (a link cut mid-pull,
   * a stale pull request): what follows would overtake it. The session must end and start again
   * from the consumer's ack floor.
   */
  | { readonly type: 'gap'; readonly expected: number; readonly got: number };

/**
 * Decides what a message delivered by the peer's consumer is. The consumer numbers every delivery
 * (redeliveries too) one after the other, so a delivery sequence that skips means a message sent
 * to this forwarder never arrived.
 */
export function forwardStep(cursor: ForwardCursor, deliverySeq: number, streamSeq: number): ForwardStep {
  if (cursor.lastDelivery !== undefined && deliverySeq !== cursor.lastDelivery + 1) return { type: 'gap', expected: cursor.lastDelivery + 1, got: deliverySeq };
  return streamSeq <= cursor.highestIssued ? { type: 'duplicate' } : { type: 'forward' };
}

/**
 * The highest outbox sequence below which every message handed on is stored: messages are issued
 * in outbox order and complete in any order (different actors' messages are stored concurrently).
 */
export class StoredFloor {
  private readonly issued: number[] = [];
  private readonly done = new Set<number>();
  private floor: number;

  constructor(start = 0) {
    this.floor = start;
  }

  /** The highest sequence with everything issued up to it stored. */
  get value(): number {
    return this.floor;
  }

  issue(seq: number): void {
    this.issued.push(seq);
  }

  complete(seq: number): void {
    this.done.add(seq);
    while (this.issued.length > 0 && this.done.has(this.issued[0]!)) {
      const next = this.issued.shift()!;
      this.done.delete(next);
      this.floor = Math.max(this.floor, next);
    }
  }
}

/** How a refused store is handled: tried again later, or the message goes to the dead letters. */
export type StoreFailure = 'retry' | 'dead-letter';

/** JetStream's "store failed" (a mailbox at capacity among others): passing, the mailbox takes the message once its actor caught up. */
const STORE_FAILED = 10077;

/**
 * Decides what a failed store into the mailbox means: the mailbox full, no answer in time, the
 * stream away or the connection lost are passing (retry); any other refusal of the stream (a
 * message it will never take) sends the message to the dead letters with the reason.
 */
export function storeFailure(err: unknown): StoreFailure {
  const e = err as { name?: string; code?: unknown };
  if (e?.name !== 'PublishAckError') return 'retry';
  return e.code === STORE_FAILED ? 'retry' : 'dead-letter';
}
