import { setMaxListeners } from 'node:events';
import { jetstream } from '@nats-io/jetstream';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { Consumers, Streams, Subjects, backoffDelayMs } from '../protocols/index.ts';
import type { Clock } from './clock.ts';
import type { DeadLetters } from './dead-letters.ts';
import { StoredFloor, forwardStep } from './forward-order.ts';
import type { ForwardCursor } from './forward-order.ts';
import { SOURCE_ACK_WAIT_MS } from './mailbox-infrastructure.ts';
import type { PeerSite } from './mailbox-infrastructure.ts';
import { resetSourceConsumer } from './source-consumer.ts';
import { ForwardWriter } from './forward-writer.ts';
import type { StreamPublisher } from './stream-publisher.ts';

/** Where the forwarding of one peer's outbox stands. */
export type PeerSourceState =
  /** Pulling: the peer answers and its messages are stored as they come. */
  | { readonly type: 'ready' }
  /** The peer cannot be reached (the link is down, its server is away): retried with backoff; its outbox keeps the messages. */
  | { readonly type: 'waiting'; readonly attempts: number; readonly error: string; readonly retryInMs: number };

export interface OutboxForwarderOptions {
  readonly nc: NatsConnection;
  /** This site: the one whose mailbox receives. */
  readonly site: string;
  readonly peer: PeerSite;
  /** Stores into this site's mailbox. */
  readonly publisher: StreamPublisher;
  readonly deadLetters: DeadLetters;
  /**
   * Makes sure the peer's consumer exists (source-consumer.ts ensureSourceConsumer, with the
   * mailbox's epochs), a new one starting after `storedUpTo`; resolves with the outbox's creation time.
   */
  readonly ensureConsumer: (storedUpTo: number | undefined) => Promise<{ readonly created: string }>;
  readonly onState: (state: PeerSourceState) => void;
  readonly clock: Clock;
  readonly log: Logger;
  /** Messages one pull asks for. @default 512 */
  readonly batch?: number;
  /** Messages stored concurrently (different actors'; one actor's go one at a time). @default 1024 */
  readonly window?: number;
  /** How long one request to the peer may take. @default 2000 */
  readonly requestTimeoutMs?: number;
  /** Retry delays while the peer is unreachable. @default { initialMs: 250, maxMs: 5000 } (a retry is one small request; the link may come back any moment) */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

/** How long one pull waits for messages; an idle pull ends this often and the consumer is asked what it delivered. */
const PULL_EXPIRES_MS = 2_000;

/** A pull of this session lost a delivery: the session ends and the next starts at the ack floor. */
class DeliveryGap extends Error {
  override readonly name = 'DeliveryGap';
}

/**
 * Forwards what one peer site's outbox holds for this site into this site's mailbox, until the
 * signal aborts (the node stops leading). It pulls through a durable consumer on the peer (its
 * ack floor is how far this site got) and stores each message with the de-duplication id it was
 * sent with and its origin (`Cairn-Origin`), acking it only after the mailbox stored it.
 *
 * Order per actor: the ForwardWriter stores one actor's messages in outbox order (batches that
 * are all stored or none), different actors' concurrently. Every session of pulling starts by
 * resetting the consumer to its ack floor, and a session that sees a delivery go missing ends, so
 * no message delivered but lost in transit is ever overtaken by a later one.
 */
export class OutboxForwarder {
  /** Everything in the outbox up to here is stored in the mailbox (this node's knowledge; 0: none yet). */
  private floor = new StoredFloor();
  private created: string | undefined;
  private tried!: () => void;
  /** Settles once the first attempt to reach the peer succeeded or failed (the state says which). */
  readonly firstAttempt = new Promise<void>((resolve) => (this.tried = resolve));

  private readonly writer: ForwardWriter;

  constructor(private readonly o: OutboxForwarderOptions) {
    const { site, peer, publisher, deadLetters, clock, log } = o;
    this.writer = new ForwardWriter({ site, peer, publisher, deadLetters, clock, log, outboxCreated: () => this.created });
  }

  async run(parent: AbortSignal): Promise<void> {
    const { clock, log, peer } = this.o;
    // Every actor waiting for a full mailbox sleeps on this signal: one listener each, legitimately many.
    const scope = new AbortController();
    setMaxListeners(0, scope.signal);
    parent.addEventListener('abort', () => scope.abort(parent.reason), { once: true });
    if (parent.aborted) scope.abort(parent.reason);
    const signal = scope.signal;
    const backoff = this.o.backoff ?? { initialMs: 250, maxMs: 5_000 };
    let failures = 0;
    let gaps = 0;
    signal.addEventListener('abort', () => this.tried(), { once: true });
    while (!signal.aborted) {
      try {
        const consumer = await this.connect();
        this.o.onState({ type: 'ready' });
        this.tried();
        if (failures > 0) log.info({ peer: peer.site }, 'peer site reachable: forwarding its messages');
        failures = 0;
        await this.session(consumer, signal);
        gaps = 0;
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof DeliveryGap) {
          // Starting again at once would meet the same stale pull; a short pause lets it expire.
          log.info({ peer: peer.site, err: err.message }, 'a delivery from the peer site went missing; pulling again from what it has acknowledged');
          await clock.sleep(backoffDelayMs(++gaps, { initialMs: 100, maxMs: 5_000 }), signal).catch(() => undefined);
          continue;
        }
        const retryInMs = backoffDelayMs(++failures, backoff);
        const error = (err as Error).message;
        this.o.onState({ type: 'waiting', attempts: failures, error, retryInMs });
        this.tried();
        log.warn({ peer: peer.site, attempts: failures, retryInMs, err: error }, 'cannot forward from peer site now; retrying (nothing is lost: its outbox keeps the messages)');
        await clock.sleep(retryInMs, signal).catch(() => undefined);
      }
    }
  }

  /** The peer's consumer, made sure of and moved back to its ack floor. */
  private async connect(): Promise<Consumer> {
    const { nc, peer, site } = this.o;
    const timeout = this.o.requestTimeoutMs ?? 2_000;
    const { created } = await this.o.ensureConsumer(this.floor.value > 0 ? this.floor.value : undefined);
    // A new outbox numbers from 1 again: what this node knew of the old one says nothing of it.
    if (this.created !== undefined && created !== this.created) this.floor = new StoredFloor();
    this.created = created;
    await resetSourceConsumer(nc, peer, site, timeout);
    const js = jetstream(nc, { ...(peer.domain ? { domain: peer.domain } : {}), timeout });
    return js.consumers.get(Streams.outbox(peer.site), Consumers.source(site));
  }

  /** Pulls and stores until the signal aborts; throws when the peer or the pull fails, or a delivery went missing. */
  private async session(consumer: Consumer, signal: AbortSignal): Promise<void> {
    const batch = this.o.batch ?? 512;
    const window = this.o.window ?? 1_024;
    // The session began with a reset of the consumer, which numbers deliveries from 1 again.
    let cursor: ForwardCursor = { lastDelivery: 0, highestIssued: 0 };
    /** Per outbox sequence, each message handed on and not yet stored (true once stored). */
    const bySeq = new Map<number, Promise<boolean>>();
    const inFlight = new Map<number, JsMsg>();
    // Messages waiting behind a full mailbox are still being worked on: the peer must not send them again.
    const keepAlive = setInterval(() => {
      for (const m of inFlight.values()) m.working();
    }, SOURCE_ACK_WAIT_MS / 3);
    try {
      while (!signal.aborted) {
        // Heartbeats every second (half the expiry): a dead link ends the pull after two missed.
        const messages = await consumer.fetch({ max_messages: batch, expires: PULL_EXPIRES_MS });
        const stop = (): void => void messages.stop();
        signal.addEventListener('abort', stop, { once: true });
        if (signal.aborted) stop();
        let received = 0;
        try {
          for await (const m of messages) {
            received++;
            // JsMsg parses its reply subject on every read of info: read it once.
            const { streamSequence: seq, deliverySequence } = m.info;
            const step = forwardStep(cursor, deliverySequence, seq);
            if (step.type === 'gap') throw new DeliveryGap(`expected delivery ${step.expected}, got ${step.got}`);
            cursor = { lastDelivery: deliverySequence, highestIssued: Math.max(cursor.highestIssued, seq) };
            if (step.type === 'duplicate') {
              const original = bySeq.get(seq);
              if (original) void original.then((stored) => stored && m.ack());
              else m.ack();
              continue;
            }
            while (bySeq.size >= window) await bySeq.values().next().value;
            if (signal.aborted) break;
            this.floor.issue(seq);
            inFlight.set(seq, m);
            const done = this.writer.write(m, Subjects.actorOf(m.subject), signal).then((stored) => {
              inFlight.delete(seq);
              bySeq.delete(seq);
              if (stored) {
                m.ack();
                this.floor.complete(seq);
              }
              return stored;
            });
            bySeq.set(seq, done);
          }
        } finally {
          signal.removeEventListener('abort', stop);
        }
        // A pull that ended short may have lost a delivery with nothing after it to show the gap
        // (a message sent into a link that was then cut): the consumer says what it delivered.
        if (received < batch && !signal.aborted) {
          const delivered = (await consumer.info()).delivered.consumer_seq;
          if (delivered !== cursor.lastDelivery) throw new DeliveryGap(`the peer delivered up to ${delivered}, this forwarder received up to ${cursor.lastDelivery ?? 0}`);
        }
      }
    } finally {
      // What is in flight finishes (or gives up on abort) before the next session resets the consumer.
      await Promise.all(bySeq.values());
      clearInterval(keepAlive);
    }
  }
}
