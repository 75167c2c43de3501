import { randomUUID } from 'node:crypto';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Clock } from '../kernel/index.ts';
import { DeployCodes } from '../protocols/index.ts';
import type { ActorEvent, RoutedMessage } from '../protocols/index.ts';
import { mqttPublishQos } from './mqtt-publish-qos.ts';
import { headersOf } from './route-forwarder.ts';
import type { RouteItem, RouteTell } from './route-forwarder.ts';
import { routeDeliveries } from './route-plan.ts';
import type { RoutePlan } from './route-plan.ts';

/** Most messages waiting for their mailbox at once: past it, what arrives is dropped (and counted). */
export const BEST_EFFORT_MAX_WAITING = 10_000;
/** Most bytes of payload waiting for their mailbox at once, likewise. */
export const BEST_EFFORT_MAX_WAITING_BYTES = 64 * 1024 * 1024;
/** Most messages of one instance stored in one batch. */
const MAX_BATCH = 256;

export interface BestEffortRoutesOptions {
  readonly plan: RoutePlan;
  /** The MQTT topics' subjects the capture stream leaves out (bestEffortSubjects). */
  readonly subjects: readonly string[];
  readonly nc: NatsConnection;
  readonly tell: RouteTell;
  readonly log: Logger;
  readonly clock: Clock;
  /** Hears a `dropped` event for each target actor instance that lost some, at most every DROP_REPORT_MS. */
  readonly onEvent?: (event: ActorEvent) => void;
}

/** How often drops are logged at most, with the count so far. */
const DROP_REPORT_MS = 5_000;

/**
 * Takes what is published on an app's MQTT topics that the MQTT store does not keep (QoS 0 device
 * publishes, plain NATS publishes) with a core subscription of the site's leader, and tells each to
 * its route's actor, in order per actor. Best effort, as QoS 0 is: lost while no leader forwards
 * the app's routes, and dropped (counted in the log and in `dropped` events, at most every
 * DROP_REPORT_MS) when its mailbox does not take it or more than BEST_EFFORT_MAX_WAITING wait. QoS 1 and 2 publishes (marked `Nmqtt-Pub`) are left to the
 * reader of the MQTT store.
 */
export class BestEffortRoutes {
  private readonly subs: Subscription[] = [];
  private readonly queues = new Map<string, RouteItem[]>();
  private readonly draining = new Set<Promise<void>>();
  /** Tells this run's ids apart from another run's. */
  private readonly run = randomUUID().slice(0, 8);
  private seq = 0;
  private waiting = 0;
  private waitingBytes = 0;
  /** Ends the wait for the next drop report when the routes stop. */
  private readonly stopped = new AbortController();
  /** Dropped in all, and per instance since the last report. */
  private dropped = 0;
  private readonly unreported = new Map<string, number>();
  private reportedAt = Number.NEGATIVE_INFINITY;
  private reportDue = false;

  constructor(private readonly opts: BestEffortRoutesOptions) {}

  start(signal: AbortSignal): void {
    const { nc, log, plan } = this.opts;
    for (const subject of this.opts.subjects) {
      const callback = (err: Error | null, m: Msg): void => {
        if (err) return void log.warn({ err, app: plan.app, subject }, 'routes: the best-effort subscription ended; QoS 0 and plain publishes there are not taken until the routes run again');
        this.take(m, signal);
      };
      this.subs.push(nc.subscribe(subject, { callback }));
    }
    this.opts.log.info({ app: this.opts.plan.app, subjects: this.opts.subjects }, 'routes: QoS 0 and plain publishes on MQTT topics taken best effort');
  }

  /** Unsubscribes; resolves once what was taken is told or dropped. */
  async stop(): Promise<void> {
    for (const s of this.subs.splice(0)) s.unsubscribe();
    while (this.draining.size > 0) await Promise.all([...this.draining]);
    this.stopped.abort();
    this.reportDropped('the routes stopped', true);
  }

  private take(m: Msg, signal: AbortSignal): void {
    // Every QoS 1 and 2 device publish comes here too: told apart by one header before the rest is read.
    const qos = mqttPublishQos(m);
    if (qos === 1 || qos === 2 || signal.aborted) return;
    const headers = headersOf(m);
    // Not answered, even when it is a JetStream publish waiting for an ack: another stream (a
    // bridge's buffer, another app's capture) may store it and answer; an answer from here could
    // reach the publisher first and have it publish again what was stored.
    const seq = ++this.seq;
    for (const d of routeDeliveries(this.opts.plan, this.run, m.subject, seq, `${this.opts.plan.stream}.best-effort`)) {
      if (this.waiting >= BEST_EFFORT_MAX_WAITING || this.waitingBytes + m.data.length > BEST_EFFORT_MAX_WAITING_BYTES) {
        this.drop(d.instance, 1, `more than ${BEST_EFFORT_MAX_WAITING} messages or ${BEST_EFFORT_MAX_WAITING_BYTES} bytes waited for their mailboxes`);
        continue;
      }
      const body: RoutedMessage = { type: 'routed', subject: m.subject, data: m.data, route: d.route, ...(headers ? { headers } : {}) };
      const queue = this.queues.get(d.instance);
      this.waiting += 1;
      this.waitingBytes += m.data.length;
      if (queue) queue.push({ body, id: d.id });
      else {
        this.queues.set(d.instance, [{ body, id: d.id }]);
        const drained = this.drain(d.instance, signal)
          .catch((err: unknown) => this.opts.log.error({ err, app: this.opts.plan.app, instance: d.instance }, 'routes: best-effort delivery failed'))
          .finally(() => this.draining.delete(drained));
        this.draining.add(drained);
      }
    }
  }

  private async drain(instance: string, signal: AbortSignal): Promise<void> {
    const queue = this.queues.get(instance)!;
    try {
      while (queue.length > 0) {
        const take = queue.splice(0, MAX_BATCH);
        try {
          await this.store(instance, take, signal);
        } finally {
          this.waiting -= take.length;
          for (const item of take) this.waitingBytes -= item.body.data.length;
        }
      }
    } finally {
      this.queues.delete(instance);
    }
  }

  /** Stores `take` as one batch, or else one at a time: what the mailbox does not take is dropped. */
  private async store(instance: string, take: readonly RouteItem[], signal: AbortSignal): Promise<void> {
    if (signal.aborted) return this.drop(instance, take.length, 'the routes stopped');
    const tell = async (items: readonly RouteItem[]): Promise<void> => this.opts.tell(instance, items, { signal });
    try {
      return await tell(take);
    } catch (err) {
      if (take.length === 1) return this.drop(instance, 1, signal.aborted ? 'the routes stopped' : (err as Error).message);
    }
    for (const item of take) {
      if (signal.aborted) return this.drop(instance, take.length - take.indexOf(item), 'the routes stopped');
      await tell([item]).catch((err: unknown) => this.drop(instance, 1, (err as Error).message));
    }
  }

  private drop(instance: string, count: number, why: string): void {
    this.dropped += count;
    this.unreported.set(instance, (this.unreported.get(instance) ?? 0) + count);
    this.reportDropped(why);
  }

  private reportDropped(why: string, always = false): void {
    const { clock } = this.opts;
    const now = clock.now();
    if (this.unreported.size === 0) return;
    if (!always && now - this.reportedAt < DROP_REPORT_MS) {
      // Reported a moment ago: these go out with the next report, at the latest when the window ends.
      if (!this.reportDue) {
        this.reportDue = true;
        void clock
          .sleep(this.reportedAt + DROP_REPORT_MS - now, this.stopped.signal)
          .then(() => ((this.reportDue = false), this.reportDropped(why, true)))
          .catch(() => undefined);
      }
      return;
    }
    this.reportedAt = now;
    const { plan, log, onEvent } = this.opts;
    log.warn({ app: plan.app, dropped: this.dropped, by: Object.fromEntries(this.unreported), why, code: DeployCodes.ROUTE_BEST_EFFORT_DROPPED }, `routes: ${this.dropped} best-effort messages (QoS 0 or plain publishes on MQTT topics) of ${plan.app} dropped so far`);
    for (const [actor, count] of this.unreported) {
      try {
        onEvent?.({ v: 1, type: 'dropped', actor, stream: `${plan.stream} (best effort)`, count, code: DeployCodes.ROUTE_BEST_EFFORT_DROPPED, ts: now });
      } catch (err) {
        log.warn({ err, app: plan.app }, 'routes: a listener of best-effort drops failed');
      }
    }
    this.unreported.clear();
  }
}

