import type { JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { KernelCodes, Streams, Subjects, backoffDelayMs } from '../protocols/index.ts';
import type { Clock } from './clock.ts';
import type { DeadLetters } from './dead-letters.ts';
import { storeFailure } from './forward-order.ts';
import type { PeerSite } from './mailbox-infrastructure.ts';
import { forwardedHeaders } from './forwarded-headers.ts';
import type { StreamPublisher } from './stream-publisher.ts';

export interface ForwardWriterOptions {
  /** This site: the one whose mailbox receives. */
  readonly site: string;
  readonly peer: PeerSite;
  readonly publisher: StreamPublisher;
  readonly deadLetters: DeadLetters;
  /** The creation time of the peer's outbox the messages come from (their fallback de-duplication id). */
  readonly outboxCreated: () => string | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  /** Most messages of one actor stored in one atomic batch. @default 256 */
  readonly maxBatch?: number;
  /** Most atomic batches in flight at once (nats-server allows 50 per stream). @default 8 */
  readonly maxBatchesInFlight?: number;
}

interface Pending {
  readonly m: JsMsg;
  readonly settle: (stored: boolean) => void;
}

const WARN_EVERY_MS = 10_000;

/**
 * Stores a peer's messages in this site's mailbox, each actor's in the order they were written:
 * an actor's messages wait in a queue while one store of that actor is in flight, and the next
 * store takes everything that queued meanwhile as one atomic batch (all stored, in order, or
 * none). A batch the stream refuses (the actor's mailbox has no room for all of it, it holds one
 * of the ids already, too many batches in flight) is stored again one message at a time; one
 * message the mailbox refuses for now (full) is retried in place, one it refuses for good goes to
 * the dead letters (CAIRN_FORWARD_REFUSED). Different actors' stores run concurrently.
 */
export class ForwardWriter {
  private readonly queues = new Map<string, Pending[]>();
  private batchesInFlight = 0;
  /** When a refused store was last logged (a full mailbox refuses every message until its actor catches up). */
  private warnedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: ForwardWriterOptions) {}

  /** Resolves true once `m` is stored (or dead-lettered), false when `signal` aborted first (it stays unacked). */
  write(m: JsMsg, actor: string, signal: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((settle) => {
      const queue = this.queues.get(actor);
      if (queue) {
        queue.push({ m, settle });
        return;
      }
      this.queues.set(actor, [{ m, settle }]);
      void this.drain(actor, signal);
    });
  }

  private async drain(actor: string, signal: AbortSignal): Promise<void> {
    const queue = this.queues.get(actor)!;
    try {
      while (queue.length > 0) {
        const take = queue.slice(0, this.o.maxBatch ?? 256);
        const stored = await this.storeAll(take, actor, signal);
        queue.splice(0, take.length);
        for (const p of take) p.settle(stored);
        if (!stored) {
          for (const p of queue.splice(0)) p.settle(false);
        }
      }
    } finally {
      this.queues.delete(actor);
    }
  }

  private async storeAll(take: readonly Pending[], actor: string, signal: AbortSignal): Promise<boolean> {
    const { publisher, site } = this.o;
    if (signal.aborted) return false;
    if (take.length > 1 && this.batchesInFlight < (this.o.maxBatchesInFlight ?? 8)) {
      this.batchesInFlight++;
      try {
        await publisher.publishBatch(Subjects.mailbox(site, actor), take.map((p) => ({ data: p.m.data, headers: this.headersOf(p.m) })));
        return true;
      } catch {
        // Stored one at a time below: the reason (a full mailbox, a duplicate) shows there.
      } finally {
        this.batchesInFlight--;
      }
    }
    for (const p of take) if (!(await this.storeOne(p.m, actor, signal))) return false;
    return true;
  }

  /** Stores one message, retrying while the mailbox cannot take it; false when the signal aborted first. */
  private async storeOne(m: JsMsg, actor: string, signal: AbortSignal): Promise<boolean> {
    const { publisher, site, peer, clock, log } = this.o;
    const subject = Subjects.mailbox(site, actor);
    for (let failures = 0; !signal.aborted; ) {
      try {
        await publisher.publishWithHeaders(subject, m.data, this.headersOf(m));
        return true;
      } catch (err) {
        if (signal.aborted) return false;
        if (storeFailure(err) === 'dead-letter') {
          try {
            await this.o.deadLetters.put(m, actor, { code: KernelCodes.FORWARD_REFUSED, reason: `the mailbox of site ${site} refused a message from site ${peer.site}: ${(err as Error).message}`, attempts: failures + 1 });
            log.error({ peer: peer.site, actor, seq: m.seq, err: (err as Error).message }, 'the mailbox refused a message from a peer site; it went to the dead letters');
            return true;
          } catch (dlqErr) {
            log.error({ err: dlqErr, peer: peer.site, seq: m.seq }, 'could not dead-letter a message the mailbox refused; retrying');
          }
        }
        // As a local sender waits for a full mailbox: short steps first, the actor frees a slot per message.
        const delayMs = backoffDelayMs(++failures, { initialMs: 5, maxMs: 1_000 });
        if (clock.now() - this.warnedAt >= WARN_EVERY_MS) {
          this.warnedAt = clock.now();
          log.warn({ peer: peer.site, actor, seq: m.seq, failures, delayMs, err: (err as Error).message }, "the mailbox does not take a peer site's message now; retrying it before that actor's next (logged at most every 10 s)");
        }
        await clock.sleep(delayMs, signal).catch(() => undefined);
      }
    }
    return false;
  }

  private headersOf(m: JsMsg): MsgHdrs {
    return forwardedHeaders(m.headers, Streams.outbox(this.o.peer.site), m.seq, this.o.outboxCreated());
  }
}
