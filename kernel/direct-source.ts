import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { DeadLetters } from './dead-letters.ts';
import { MailboxDispatcher } from './mailbox-dispatcher.ts';
import type { DeliveryTarget } from './mailbox-dispatcher.ts';
import type { DecodedDelivery } from './mailbox-delivery.ts';
import type { Delivery } from './delivery.ts';
import type { NodeEvents } from './node-events.ts';
import type { OriginEpochs } from './source-epochs.ts';

/** Another stream whose messages a node hands to its actors directly (see ActorNode.deliverFrom). */
export interface DirectSourceOptions {
  /** Named in logs. */
  readonly name: string;
  /**
   * Gets (after a loss, makes again) the consumer to read, with its stream's incarnation (its
   * creation time: a stream made anew numbers from 1 again). Made again, it must hand out what was
   * not acked first, in stream order (a consumer moved back to its ack floor).
   */
  consumer(): Promise<{ readonly consumer: Consumer; readonly incarnation: string }>;
  /**
   * The actor and envelope of a message read; undefined when it is for no actor here (it is acked).
   * A message it throws on is dead-lettered (code CAIRN_UNDECODABLE unless the error has one) under
   * `unreadableActor`, as stored in this stream (a replay stores it there again).
   */
  decode(m: JsMsg, incarnation: string): DecodedDelivery | undefined;
  /** @default UNREADABLE_ACTOR ("~unreadable") */
  readonly unreadableActor?: string;
  /** Messages pulled at a time. @default 256 */
  readonly batch?: number;
  /** The consumer's ack wait: what waits is kept alive at a third of it. */
  readonly ackWaitMs: number;
}

/** A running direct source. */
export interface DirectSource {
  /**
   * Stops reading. The message an actor is handling is finished and acked; those still waiting
   * (and those waiting for an actor to start) are handed back to the server (nak), so that whoever
   * reads the consumer next gets them once, in order.
   */
  stop(): Promise<void>;
}

/** What a direct source shares with the node's own mailbox dispatcher. */
export interface DirectSourceDeps {
  readonly lookup: (actor: string) => DeliveryTarget | undefined;
  readonly cells: () => Iterable<DeliveryTarget & { takeWaiting(pick: (d: Delivery) => boolean): Delivery[] }>;
  readonly deadLetters: DeadLetters;
  readonly events: NodeEvents;
  readonly clock: Clock;
  readonly log: Logger;
  readonly orphanTimeoutMs: number;
  /** The node's acks of finished deliveries: flushed when a source stops, before the rest is handed back. */
  readonly acks?: { flush(): void };
  readonly epochs: OriginEpochs;
  readonly nc?: NatsConnection;
}

/**
 * The direct sources of a node: each a dispatcher like the site mailbox's, over a consumer of
 * another stream, whose deliveries go through the actors' cells as mailbox messages do (in order
 * per actor, retried, dead-lettered, de-duplicated by their stream sequence as `origin`), acked on
 * that stream once handled. They save the copy into the mailbox a forwarder would make.
 */
export class DirectSources {
  private readonly open = new Set<MailboxDispatcher>();
  private readonly stops = new Set<() => Promise<void>>();

  dispatchers(): Iterable<MailboxDispatcher> {
    return this.open;
  }

  async start(source: DirectSourceOptions, deps: DirectSourceDeps, signal: AbortSignal): Promise<DirectSource> {
    const first = await source.consumer();
    const dispatcher = new MailboxDispatcher(
      first.consumer,
      deps.lookup,
      deps.cells,
      deps.deadLetters,
      deps.events,
      deps.clock,
      deps.log.child({ source: source.name }),
      { batch: source.batch ?? 256, orphanTimeoutMs: deps.orphanTimeoutMs, ackWaitMs: source.ackWaitMs, epochs: deps.epochs, ...(deps.nc ? { connection: deps.nc } : {}), decode: (m, incarnation) => source.decode(m, incarnation), ...(source.unreadableActor === undefined ? {} : { unreadableActor: source.unreadableActor }), label: `consumer of direct source ${source.name}`, ...(deps.acks ? { acks: deps.acks } : {}) },
      () => source.consumer(),
      first.incarnation,
    );
    const stopped = new AbortController();
    const both = AbortSignal.any([signal, stopped.signal]);
    this.open.add(dispatcher);
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        stopped.abort();
        await dispatcher.stop();
        this.open.delete(dispatcher);
        deps.acks?.flush();
        dispatcher.flushAcks();
        // What waits behind the head goes back to the server: the next reader of the consumer
        // (made again at its ack floor) hands it out once, where this one would keep it too.
        for (const cell of deps.cells()) for (const d of cell.takeWaiting((x) => x.owner === dispatcher)) d.msg.nak();
        dispatcher.releaseAll([]);
      })());
    this.stops.add(stop);
    try {
      await dispatcher.start(both);
    } catch (err) {
      await stop();
      this.stops.delete(stop);
      throw err;
    }
    // The node stopped (or the caller gave up) while the consumer was being set up.
    if (both.aborted) {
      await stop();
      this.stops.delete(stop);
      throw new Error(`direct source ${source.name} stopped while it started`);
    }
    return {
      stop: async () => {
        await stop();
        this.stops.delete(stop);
      },
    };
  }

  /** Stops them all (the node is stopping). */
  async stopAll(): Promise<void> {
    for (const stop of [...this.stops]) await stop();
    this.stops.clear();
  }
}
