import type { Logger } from 'pino';
import { AckPolicy } from '@nats-io/jetstream';
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { onReconnect } from './on-reconnect.ts';
import { KernelCodes, backoffDelayMs } from '../protocols/index.ts';
import { deliveryFollows } from './delivery-order.ts';
import { directDelivery, mailboxDelivery } from './mailbox-delivery.ts';
import type { DecodedDelivery } from './mailbox-delivery.ts';
import { OrphanDeliveries } from './orphan-deliveries.ts';
import { AckFrontier } from './ack-frontier.ts';
import type { Clock } from './clock.ts';
import type { DeadLetters } from './dead-letters.ts';
import type { Delivery, DeliveryOwner } from './delivery.ts';
import type { NodeEvents } from './node-events.ts';
import type { OriginEpochs } from './source-epochs.ts';

/** Where the dispatcher hands a decoded delivery; undefined when no actor of that id runs here. */
export interface DeliveryTarget {
  /** False: the actor's mailbox.capacity is reached; the dispatcher dead-letters the delivery. */
  enqueue(delivery: Delivery): boolean;
  held(): readonly Delivery[];
}

export interface DispatcherOptions {
  /** Messages pulled per batch; the consumer's max_ack_pending bounds what is held in all. */
  readonly batch: number;
  /** How long a message for an actor that is not running here is held before it is dead-lettered. */
  readonly orphanTimeoutMs: number;
  /** The consumer's ack wait; held messages are kept alive at a third of it. */
  readonly ackWaitMs: number;
  /** Which epoch of its outbox a message of another site belongs to (see source-epochs.ts). */
  readonly epochs: OriginEpochs;
  /**
   * The connection the consumer reads through: when it is made again, the consumer is too. What
   * was on its way is lost, and when that fills max_ack_pending no later delivery shows the gap:
   * the lost ones would wait the ack wait. @default not watched
   */
  readonly connection?: NatsConnection;
  /**
   * A direct source's reading of its messages (not mailbox messages): the actor and envelope of one,
   * with the incarnation of the stream read; undefined when it is for no actor (acked, skipped).
   * Its deliveries are its own (released and held as orphans by this dispatcher) and bounded by
   * its consumer, not by the actors' mailbox.capacity. @default the site mailbox's envelopes
   */
  readonly decode?: (m: JsMsg, incarnation: string) => DecodedDelivery | undefined;
  /** The actor whose dead letters hold a message `decode` throws on. @default UNREADABLE_ACTOR */
  readonly unreadableActor?: string;
  /** What the logs call its consumer. @default "mailbox consumer" */
  readonly label?: string;
  /** The acks of what was handled, sent before the consumer is made again (else they reach a consumer that hands the messages out anew). */
  readonly acks?: { flush(): void };
}

/** Whose dead letters hold a direct source's message that could not be read, unless told. */
export const UNREADABLE_ACTOR = '~unreadable';

/**
 * Reads the site's one shared mailbox consumer and routes each message to its actor's cell by the
 * subject's last token. Many actors, one server consumer. Undecodable messages are dead-lettered at
 * once; messages for actors not (yet) running here are held in order and handed over when the
 * actor is spawned, or dead-lettered after the orphan timeout. Everything held is kept alive with
 * `working()` so the server does not redeliver it while it waits its turn.
 */
export class MailboxDispatcher implements DeliveryOwner {
  private readonly orphans = new OrphanDeliveries();
  private readonly heldSeqs = new Set<number>();
  private messages: ConsumerMessages | undefined;
  /** The consumer's delivery number of the last message this session got, and why the session was ended (a skipped one). */
  private lastDelivery: number | undefined;
  private broken: string | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private unwatch: (() => void) | undefined;
  /** The acks of a consumer with ack policy `all` (one ack covers all below it); undefined: each message acked on its own. */
  private frontier: AckFrontier | undefined;

  constructor(
    private consumer: Consumer,
    private readonly lookup: (actor: string) => DeliveryTarget | undefined,
    private readonly cells: () => Iterable<DeliveryTarget>,
    private readonly deadLetters: DeadLetters,
    private readonly events: NodeEvents,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: DispatcherOptions,
    /** Recreates the site's streams and consumer and returns the consumer (after it went missing). */
    /** Recreates the site's streams and consumer and returns the consumer with the mailbox stream's creation time (after it went missing). */
    private readonly recover: () => Promise<{ readonly consumer: Consumer; readonly incarnation: string }>,
    /** The mailbox stream's creation time (Delivery.mailbox). */
    private incarnation: string,
  ) {}

  /**
   * Starts consuming; resolves once the first pull is set up. The loop runs until `signal`
   * aborts: when the consumer or its stream goes missing (an operator or a tool deleting them;
   * nats-server 2.9.10 could also lose one created just before a kill -9, 2.15.2 did not in 240
   * tries) the loop recreates them through `recover` and consumes again, with backoff, instead of
   * waiting forever as the client's consume() does by default.
   */
  async start(signal: AbortSignal): Promise<void> {
    await this.readAckPolicy();
    this.messages = await this.consumer.consume({ max_messages: this.opts.batch, abort_on_missing_resource: true });
    this.watchReconnect();
    signal.addEventListener('abort', () => void this.messages?.stop(), { once: true });
    this.running = this.consumeForever(signal).catch((err) => this.log.error({ err }, 'mailbox consumer stopped'));
    // Touch at a third of the ack wait, checked twice as often, so event-loop delays cannot let one expire.
    const tick = Math.max(50, Math.min(1_000, Math.floor(this.opts.ackWaitMs / 6)));
    this.sweeper = setInterval(() => this.sweep(), tick);
    this.sweeper.unref();
  }

  private async consumeForever(signal: AbortSignal): Promise<void> {
    for (let attempt = 0; !signal.aborted; ) {
      try {
        for await (const m of this.messages!) {
          if (signal.aborted) return;
          attempt = 0;
          this.route(m);
        }
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, `${this.opts.label ?? 'mailbox consumer'} failed`);
      }
      if (signal.aborted) return;
      // The pull ended without being asked to: the consumer or stream is gone, or deliveries were
      // lost on the way (see route). Recreate it (in stream order) and resume.
      const delayMs = this.broken ? 0 : backoffDelayMs(++attempt, { initialMs: 100, maxMs: 5_000 });
      this.log.warn({ attempt, delayMs, reason: this.broken ?? 'the consumer or its stream is gone' }, `${this.opts.label ?? 'mailbox consumer'} lost; recreating it`);
      this.broken = undefined;
      this.lastDelivery = undefined;
      await this.clock.sleep(delayMs, signal).catch(() => undefined);
      if (signal.aborted) return;
      try {
        this.opts.acks?.flush();
        this.frontier?.flush();
        const recovered = await this.recover();
        this.consumer = recovered.consumer;
        if (recovered.incarnation !== this.incarnation) {
          // The stream was made anew: its sequences start over, and what this node still holds of
          // the old one (its acks fail) says nothing of the new one's numbers.
          this.log.warn({ before: this.incarnation, now: recovered.incarnation }, 'the mailbox stream was made anew; its messages are numbered from 1 again');
          this.heldSeqs.clear();
          this.frontier?.reset();
          this.incarnation = recovered.incarnation;
        }
        await this.readAckPolicy();
        this.messages = await this.consumer.consume({ max_messages: this.opts.batch, abort_on_missing_resource: true });
        this.watchReconnect();
        this.log.warn({ attempt }, `${this.opts.label ?? 'mailbox consumer'} recreated; consuming again`);
      } catch (err) {
        this.log.warn({ err: (err as Error).message, attempt }, `could not recreate the ${this.opts.label ?? 'mailbox consumer'} yet; retrying`);
      }
    }
  }

  /** Ends this session when the connection is made again (see DispatcherOptions.connection); the loop makes the consumer again. */
  private watchReconnect(): void {
    this.unwatch?.();
    const { connection } = this.opts;
    if (!connection) return;
    const messages = this.messages;
    this.unwatch = onReconnect(connection, () => {
      if (this.messages !== messages) return;
      this.broken ??= 'the connection to the server was made again: deliveries on their way may be lost';
      void messages?.stop();
    });
  }

  /** Stops pulling; held messages stay unacked (see `releaseAll`). */
  async stop(): Promise<void> {
    this.unwatch?.();
    if (this.sweeper) clearInterval(this.sweeper);
    await this.messages?.close().catch(() => undefined);
    await this.running;
  }

  /** Sends now the acks of what finished (a direct source stopping, before the rest is handed back). */
  flushAcks(): void {
    this.frontier?.flush();
  }

  /** With ack policy `all`, a delivery's ack goes through this dispatcher's frontier (DeliveryOwner.finished). */
  finished(d: Delivery): boolean {
    if (!this.frontier) return false;
    this.frontier.finish(d.msg);
    return true;
  }

  /** Acks a message this dispatcher is done with: on its own, or through the frontier. */
  private ack(m: JsMsg): void {
    if (this.frontier) this.frontier.finish(m);
    else m.ack();
  }

  /** Reads the consumer's ack policy (from what getting it fetched): with `all`, acks go through a frontier. */
  private async readAckPolicy(): Promise<void> {
    const policy = (await this.consumer.info(true)).config.ack_policy;
    if (policy === AckPolicy.All) this.frontier ??= new AckFrontier();
    else if (this.frontier) (this.frontier.reset(), (this.frontier = undefined));
  }

  /** Gives the orphans waiting for `actor` to its newly spawned cell, in order. */
  adopt(actor: string, target: DeliveryTarget): void {
    for (const d of this.orphans.take(actor)) this.give(target, d);
  }

  /** Holds deliveries of an actor that was removed, as orphans (it may be spawned again). */
  orphan(deliveries: Delivery[]): void {
    for (const d of deliveries) this.orphans.hold(d);
  }

  released(d: Delivery): void {
    this.heldSeqs.delete(d.seq);
  }

  /** Naks every held delivery so that the next consumer gets them at once (graceful shutdown). */
  releaseAll(deliveries: Iterable<Delivery>): void {
    for (const d of deliveries) d.msg.nak();
    for (const d of this.orphans.takeAll()) d.msg.nak();
    this.heldSeqs.clear();
  }

  private route(m: JsMsg): void {
    if (this.broken) return; // the session is ending; what still arrives comes again, in order
    // JsMsg parses its reply subject on every read of info or seq: read it once.
    const info = m.info;
    const seq = info.streamSequence;
    if (!deliveryFollows(this.lastDelivery, info.deliverySequence)) {
      // Deliveries the server counted as made never reached this node (a server killed, a
      // connection cut with bytes in flight). The server would redeliver them only after the ack
      // wait, behind newer ones: an actor would get its messages out of order, and a persisted
      // one would skip the older as already applied. Nothing after the gap is routed; the
      // consumer is recreated, which delivers everything unacked again in stream order.
      this.broken = `consumer delivery ${info.deliverySequence} followed ${this.lastDelivery}: deliveries were lost on the way`;
      void this.messages?.stop();
      return;
    }
    this.lastDelivery = info.deliverySequence;
    if (this.heldSeqs.has(seq)) return; // a redelivery of something we still hold
    this.frontier?.track(m);
    const now = this.clock.now();
    const read = this.opts.decode
      ? directDelivery(m, seq, this.incarnation, this.opts.decode, this, now, this.opts.unreadableActor ?? UNREADABLE_ACTOR)
      : mailboxDelivery(m, seq, info.timestampNanos, this.incarnation, this.opts.epochs, now);
    if ('skip' in read) return void this.ack(m);
    if ('undecodable' in read) {
      const { actor, code, reason, copy } = read.undecodable;
      if (copy) this.log.error({ actor, code, seq }, reason);
      return void this.deadLetter(m, actor, code, reason, 0, copy);
    }
    const d = read.delivery;
    this.heldSeqs.add(seq);
    const target = this.lookup(d.actor);
    if (target) this.give(target, d);
    else this.orphans.hold(d);
  }

  /** Hands a delivery to its actor's cell; one over the actor's mailbox.capacity goes to the dead letters. */
  private give(target: DeliveryTarget, d: Delivery): void {
    if (target.enqueue(d)) return;
    const reason = `actor "${d.actor}" already held its mailbox.capacity of messages when this one arrived`;
    void this.deadLetter(d.msg, d.actor, KernelCodes.MAILBOX_OVERFLOW, reason, 0, d.copy).then(() => this.heldSeqs.delete(d.seq));
  }

  private sweep(): void {
    const now = this.clock.now();
    const touchEvery = this.opts.ackWaitMs / 3;
    const touch = (d: Delivery): void => {
      if (now - d.touchedAt >= touchEvery) {
        d.touchedAt = now;
        d.msg.working();
      }
    };
    for (const cell of this.cells()) for (const d of cell.held()) touch(d);
    this.orphans.sweep({
      now,
      timeoutMs: this.opts.orphanTimeoutMs,
      expired: (d, actor) => {
        this.ack(d.msg);
        this.heldSeqs.delete(d.seq);
        this.events.emit({ v: 1, type: 'expired', actor, reason: `its ttl ended while no actor "${actor}" ran on this site`, ts: now });
      },
      timedOut: (d, actor) => {
        void this.deadLetter(d.msg, actor, KernelCodes.ACTOR_NOT_FOUND, `no actor "${actor}" ran on this site within ${this.opts.orphanTimeoutMs} ms of the message arriving`, 0, d.copy).then(() => this.heldSeqs.delete(d.seq));
      },
      waiting: touch,
    });
  }

  private async deadLetter(m: JsMsg, actor: string, code: string, reason: string, attempts: number, copy?: Delivery['copy']): Promise<void> {
    try {
      await this.deadLetters.put(m, actor, { code, reason, attempts }, copy);
      this.ack(m);
      this.events.emit({ v: 1, type: 'dead-lettered', actor, code, reason, ts: this.clock.now() });
    } catch (err) {
      // Not stored in the dead-letter stream: leave it unacked so the server redelivers it.
      this.log.error({ err, actor, seq: m.seq }, 'could not dead-letter message; it will be redelivered');
    }
  }
}
