import { AckPolicy } from '@nats-io/jetstream';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { backoffDelayMs } from '../protocols/index.ts';
import { AckBatcher, AckFrontier, deliveryFollows, onReconnect } from '../kernel/index.ts';
import type { Clock } from '../kernel/index.ts';
import type { RoutedMessage } from '../protocols/index.ts';
import { routeDeliveries } from './route-plan.ts';
import type { RoutePlan } from './route-plan.ts';

/** One forwarded message and its de-duplication id. */
export interface RouteItem {
  readonly body: RoutedMessage;
  readonly id: string;
}

/**
 * Stores messages for one actor instance of this site, in order (resolves once its mailbox stored
 * them all): an actor ref's `tellAll`, which stores several as one atomic batch.
 */
export type RouteTell = (instance: string, items: readonly RouteItem[], opts: { readonly signal: AbortSignal }) => Promise<void>;

export interface RouteForwarderOptions {
  readonly plan: RoutePlan;
  readonly tell: RouteTell;
  /**
   * (Re)creates the stream and its consumer; returns the consumer and the stream's incarnation
   * (its creation time), which tells apart streams of the same name in de-duplication ids.
   */
  readonly consumer: () => Promise<{ readonly consumer: Consumer; readonly incarnation: string }>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Messages pulled at a time. @default 256 */
  readonly batch?: number;
  /** Most messages of one instance stored in one batch. @default 256 */
  readonly maxBatch?: number;
  /** The capture consumer's ack wait: what waits is kept alive at a third of it. @default 30000 */
  readonly ackWaitMs?: number;
  /**
   * Where the consumer reads, when not the plan's capture stream: the stream named in
   * de-duplication ids, and the prefix its subjects carry before the published subject.
   */
  readonly source?: { readonly stream: string; readonly subjectPrefix: string };
  /**
   * The connection the consumer reads through: when it is made again, the consumer is too (what was
   * on its way is lost, and if that filled max_ack_pending no later delivery would show the gap).
   * @default not watched
   */
  readonly connection?: NatsConnection;
  /** Messages acked without being forwarded (another forwarder takes them), by their headers and when the stream stored them (ms). @default none */
  readonly skip?: (headers: Readonly<Record<string, string>> | undefined, storedAtMs: number) => boolean;
}

interface Pending {
  readonly item: RouteItem;
  readonly settle: (stored: boolean) => void;
}

/**
 * Forwards what an app's route stream captured into the target actors' mailboxes, in capture
 * order per instance: each message is told to every matching route's target with a
 * de-duplication id derived from its capture sequence, and acked only after every mailbox stored
 * it. An instance's messages wait in a queue while one store of that instance is in flight; the
 * next store takes everything that queued meanwhile as one batch (all stored, in order, or none),
 * so a backlog moves at the pace of round trips, not of messages. A batch that is not stored is
 * stored again one message at a time, each retried in place with backoff (a full mailbox), so
 * later messages wait behind it rather than overtake it. A node killed in between leaves messages
 * unacked; their redelivery is stored once. Runs until `signal` aborts.
 */
export class RouteForwarder {
  private readonly queues = new Map<string, Pending[]>();
  /** Captures waiting for their stores. */
  private readonly waiting = new Set<JsMsg>();
  /** Acks of captures, together (see AckBatcher). */
  private readonly acks = new AckBatcher();
  /** This session's acks when its consumer's ack policy is `all` (the MQTT store's, for an app whose routes reach one instance): in the order read. */
  private frontier: AckFrontier | undefined;

  constructor(private readonly opts: RouteForwarderOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const { clock, log } = this.opts;
    const keepAlive = setInterval(() => this.waiting.forEach((m) => m.working()), (this.opts.ackWaitMs ?? 30_000) / 3);
    try {
      for (let attempt = 0; !signal.aborted; ) {
        // Why this session ended at once (deliveries lost on the way), if it did.
        let gap: string | undefined;
        try {
          const { consumer, incarnation } = await this.opts.consumer();
          this.frontier = (await consumer.info(true)).config.ack_policy === AckPolicy.All ? new AckFrontier() : undefined;
          const messages = await consumer.consume({ max_messages: this.opts.batch ?? 256, abort_on_missing_resource: true });
          const stop = (): void => void messages.stop();
          signal.addEventListener('abort', stop, { once: true });
          const unwatch = this.opts.connection
            ? onReconnect(this.opts.connection, () => {
                gap = "the leader's connection to its server was made again: deliveries on their way may be lost";
                stop();
              })
            : undefined;
          // Aborted while the consumer was being set up: the listener came too late to fire.
          if (signal.aborted) stop();
          // The consumer's delivery number of the last message of this session (see below).
          let lastDelivery: number | undefined;
          try {
            for await (const m of messages) {
              attempt = 0;
              if (signal.aborted) break;
              const delivery = m.info.deliverySequence;
              if (!deliveryFollows(lastDelivery, delivery)) {
                // Deliveries the server counted as made never reached this node (a connection cut
                // with bytes in flight). The server would hand them out again only after the ack
                // wait, behind newer ones: an actor would get them out of order. Nothing after the
                // gap is forwarded; the consumer is made again, which hands out everything unacked
                // in capture order (what was forwarded already is stored once: its de-duplication id).
                gap = `consumer delivery ${delivery} followed ${lastDelivery}: deliveries were lost on the way`;
                break;
              }
              lastDelivery = delivery;
              this.frontier?.track(m);
              this.forward(m, incarnation, signal);
            }
          } finally {
            // Before the consumer is made again: acks reaching the new one would hand the messages out anew.
            this.acks.flush();
            this.frontier?.flush();
            signal.removeEventListener('abort', stop);
            unwatch?.();
            if (gap !== undefined) stop();
          }
        } catch (err) {
          if (!signal.aborted) log.warn({ err: (err as Error).message, stream: this.opts.plan.stream }, 'route forwarder: consumer failed');
        }
        if (signal.aborted) return;
        // The pull ended without being asked to: the stream or consumer went missing, or deliveries
        // were lost on the way (at once then). Recreate, resume.
        const delayMs = gap !== undefined ? 0 : backoffDelayMs(++attempt, { initialMs: 100, maxMs: 5_000 });
        log.warn({ stream: this.opts.plan.stream, attempt, delayMs, reason: gap ?? 'the stream or its consumer is gone' }, 'route forwarder: capture consumer lost; recreating it');
        await clock.sleep(delayMs, signal).catch(() => undefined);
      }
    } finally {
      clearInterval(keepAlive);
      this.acks.flush();
      this.frontier?.flush();
    }
  }

  /** Queues the capture's deliveries; acks it once all are stored (left unacked when `signal` aborts first). */
  private forward(m: JsMsg, incarnation: string, signal: AbortSignal): void {
    const { plan, source } = this.opts;
    const headers = headersOf(m);
    if (this.opts.skip?.(headers, Math.floor(m.info.timestampNanos / 1e6))) return this.ack(m);
    const seq = m.seq;
    const subject = source && m.subject.startsWith(source.subjectPrefix) ? m.subject.slice(source.subjectPrefix.length) : m.subject;
    const stores = routeDeliveries(plan, incarnation, subject, seq, source?.stream ?? plan.stream).map((d) => {
      const body: RoutedMessage = { type: 'routed', subject, data: m.data, route: d.route, ...(headers ? { headers } : {}) };
      return this.write(d.instance, { body, id: d.id }, signal);
    });
    this.waiting.add(m);
    void Promise.all(stores).then((stored) => {
      this.waiting.delete(m);
      if (stored.every(Boolean)) this.ack(m);
    });
  }

  private ack(m: JsMsg): void {
    if (this.frontier) this.frontier.finish(m);
    else this.acks.ack(m);
  }

  private write(instance: string, item: RouteItem, signal: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((settle) => {
      const queue = this.queues.get(instance);
      if (queue) {
        queue.push({ item, settle });
        return;
      }
      this.queues.set(instance, [{ item, settle }]);
      void this.drain(instance, signal);
    });
  }

  private async drain(instance: string, signal: AbortSignal): Promise<void> {
    const queue = this.queues.get(instance)!;
    try {
      while (queue.length > 0) {
        const take = queue.slice(0, this.opts.maxBatch ?? 256);
        const stored = await this.storeAll(instance, take, signal);
        queue.splice(0, take.length);
        for (const p of take) p.settle(stored);
        if (!stored) for (const p of queue.splice(0)) p.settle(false);
      }
    } finally {
      this.queues.delete(instance);
    }
  }

  /** Stores `take` for `instance`: as one batch, or else one at a time, each retried in place; false when `signal` aborted first. */
  private async storeAll(instance: string, take: readonly Pending[], signal: AbortSignal): Promise<boolean> {
    const { plan, tell, clock, log } = this.opts;
    if (signal.aborted) return false;
    if (take.length > 1) {
      try {
        await tell(instance, take.map((p) => p.item), { signal });
        return true;
      } catch {
        // One at a time below: the reason (a full mailbox) shows there, and each waits its turn.
      }
    }
    for (const p of take) {
      for (let failures = 0; ; ) {
        try {
          await tell(instance, [p.item], { signal });
          break;
        } catch (err) {
          if (signal.aborted) return false; // unacked: redelivered to the next forwarder
          const delayMs = backoffDelayMs(++failures, { initialMs: 200, maxMs: 10_000 });
          log.warn({ err: (err as Error).message, stream: plan.stream, id: p.item.id, subject: p.item.body.subject, failures, delayMs }, 'route forwarder: a mailbox did not take the message; retrying it before the next');
          await clock.sleep(delayMs, signal).catch(() => undefined);
          if (signal.aborted) return false;
        }
      }
    }
    return true;
  }
}

/** A message's NATS headers (a stream's or a core message's), first value of each; undefined without any. */
export function headersOf(m: { readonly headers?: MsgHdrs | undefined }): Record<string, string> | undefined {
  if (!m.headers) return undefined;
  const out: Record<string, string> = {};
  for (const key of m.headers.keys()) out[key] = m.headers.get(key);
  return Object.keys(out).length > 0 ? out : undefined;
}
