import { EnvelopeTypes, KernelCodes, encodeEnvelope } from '../protocols/index.ts';
import type { Envelope } from '../protocols/index.ts';
import type { LoopCell } from './cell-deps.ts';
import { storeDeadLetter } from './dead-letter-attempt.ts';
import type { Delivery } from './delivery.ts';
import type { Message } from './message.ts';
import { dedupKey } from './nats-sender.ts';
import { replyEnvelope } from './reply-envelope.ts';

/**
 * How a head delivery leaves an actor's queue other than by a handler: dead-lettered, dropped
 * because its ttl passed, or finished (acked, remembered as delivered, released by the node), and
 * the replies an ask gets on the way.
 */
export class DeliveryEnds<M extends Message, S> {
  constructor(
    private readonly cell: LoopCell<M, S>,
    /** Removes the head delivery from the queue. */
    private readonly shift: () => void,
  ) {}

  /** Dead-letters the head delivery (see storeDeadLetter); once stored, acks it and answers an ask with the error. */
  async deadLetter(d: Delivery, why: { readonly code: string; readonly reason: string }): Promise<void> {
    if (!(await storeDeadLetter(this.cell, d, why))) return;
    if (d.envelope.reply) this.reply(d.envelope, EnvelopeTypes.error, { code: why.code, message: `failed ${d.attempts} times, moved to dead letters: ${why.reason}` });
    this.finish(d);
    // Cleared only once acked: a reply that throws leaves it to store again (de-duplicated), not to rerun the handler.
    d.deadLetter = undefined;
  }

  /**
   * Drops the head delivery when its ttl has passed (the stream has deleted it already): acked,
   * counted, an `expired` event, and an error reply for an ask that still waits.
   */
  dropIfExpired(d: Delivery, lastError?: string): boolean {
    const { cell } = this;
    const now = cell.deps.clock.now();
    if (d.expiresAt === undefined || now < d.expiresAt) return false;
    const reason = `its ttl ended ${now - d.expiresAt} ms before it could be handled${lastError === undefined ? '' : ` (last attempt failed: ${lastError})`}`;
    cell.stats.expired++;
    cell.deps.events.emit({ v: 1, type: 'expired', actor: cell.id, reason, ts: now });
    if (d.envelope.reply) this.reply(d.envelope, EnvelopeTypes.error, { code: KernelCodes.MESSAGE_EXPIRED, message: `message ${d.envelope.id} to ${cell.id} expired: ${reason}` });
    this.finish(d);
    return true;
  }

  /** Finishes the head delivery without handling it when its ttl passed or its state change is already stored. */
  skipIfDone(d: Delivery): boolean {
    if (this.dropIfExpired(d)) return true;
    // A message of another site sourced again after this site's server restarted, already handled.
    if (fromAnotherSite(d) && this.cell.deps.recent.has(dedupKey(d.envelope))) {
      this.cell.stats.skipped++;
      this.finish(d);
      return true;
    }
    // Handled in this incarnation, and handed out again after a connection cut lost its ack: not
    // handled twice; an asker gets the reply again.
    const handled = this.cell.recent.find(d);
    if (handled) {
      this.cell.stats.skipped++;
      if (d.envelope.reply && 'reply' in handled) this.reply(d.envelope, EnvelopeTypes.reply, handled.reply);
      this.finish(d);
      return true;
    }
    if (!this.cell.def.persist || !this.cell.applied.includes(d)) return false;
    // Applied before a crash, acked too late: effectively-once means not applying it again.
    this.cell.stats.skipped++;
    this.finish(d);
    return true;
  }

  /** Removes the head delivery and acks it; one from another site is remembered as delivered. */
  finish(d: Delivery): void {
    this.shift();
    if (fromAnotherSite(d)) this.cell.deps.recent.add(dedupKey(d.envelope));
    if (!d.owner?.finished?.(d)) this.cell.deps.acks.ack(d.msg);
    this.cell.deps.released(d);
  }

  reply(request: Envelope, type: string, body: unknown): void {
    if (!request.reply) return;
    this.cell.deps.publishReply(request.reply, encodeEnvelope(replyEnvelope(request, type, body, this.cell.from, this.cell.deps.clock.now())));
  }
}

/**
 * A mailbox message sourced from another site's outbox (it has an origin and came through the
 * mailbox): what the node remembers across incarnations. A direct source's message (a device
 * publish from the MQTT store) comes again only while unacked, as a mailbox message does, and its
 * cell's RecentlyHandled covers that.
 */
function fromAnotherSite(d: Delivery): boolean {
  return d.origin !== undefined && d.owner === undefined;
}
