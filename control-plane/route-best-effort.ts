import { randomUUID } from 'node:crypto';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Clock } from '../kernel/index.ts';
import { DeployCodes } from '../protocols/index.ts';
import type { RoutedMessage } from '../protocols/index.ts';
import { headersOf } from './route-forwarder.ts';
import type { RouteItem, RouteTell } from './route-forwarder.ts';
import { isStoredDevicePublish, routeDeliveries } from './route-plan.ts';
import type { RoutePlan } from './route-plan.ts';

/** Most messages waiting for their mailbox at once: past it, what arrives is dropped (and counted). */
export const BEST_EFFORT_MAX_WAITING = 10_000;
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
}

/** How often drops are logged at most, with the count so far. */
const DROP_REPORT_MS = 5_000;

/**
 * Takes what is published on an app's MQTT topics that the MQTT store does not keep (QoS 0 device
 * publishes, plain NATS publishes) with a core subscription of the site's leader, and tells each to
 * its route's actor, in order per actor. Best effort, as QoS 0 is: lost while no leader forwards
 * the app's routes, and dropped (counted in the log) when its mailbox does not take it or more
 * than BEST_EFFORT_MAX_WAITING wait. QoS 1 and 2 publishes (marked `Nmqtt-Pub`) are left to the
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
  private dropped = 0;
  private reportedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: BestEffortRoutesOptions) {}

  start(signal: AbortSignal): void {
    for (const subject of this.opts.subjects) this.subs.push(this.opts.nc.subscribe(subject, { callback: (err, m) => void (err ? undefined : this.take(m, signal)) }));
    this.opts.log.info({ app: this.opts.plan.app, subjects: this.opts.subjects }, 'routes: QoS 0 and plain publishes on MQTT topics taken best effort');
  }

  /** Unsubscribes; resolves once what was taken is told or dropped. */
  async stop(): Promise<void> {
    for (const s of this.subs.splice(0)) s.unsubscribe();
    while (this.draining.size > 0) await Promise.all([...this.draining]);
    if (this.dropped > 0) this.reportDropped('stopped', true);
  }

  private take(m: Msg, signal: AbortSignal): void {
    const headers = headersOf(m);
    if (isStoredDevicePublish(headers) || signal.aborted) return;
    if (this.waiting >= BEST_EFFORT_MAX_WAITING) {
      this.dropped += 1;
      return this.reportDropped(`more than ${BEST_EFFORT_MAX_WAITING} waited for their mailboxes`);
    }
    const seq = ++this.seq;
    for (const d of routeDeliveries(this.opts.plan, this.run, m.subject, seq, `${this.opts.plan.stream}.best-effort`)) {
      const body: RoutedMessage = { type: 'routed', subject: m.subject, data: m.data, route: d.route, ...(headers ? { headers } : {}) };
      const queue = this.queues.get(d.instance);
      this.waiting += 1;
      if (queue) queue.push({ body, id: d.id });
      else {
        this.queues.set(d.instance, [{ body, id: d.id }]);
        const drained = this.drain(d.instance, signal).finally(() => this.draining.delete(drained));
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
          if (!signal.aborted) await this.opts.tell(instance, take, { signal });
          else this.dropped += take.length;
        } catch (err) {
          this.dropped += take.length;
          if (!signal.aborted) this.reportDropped((err as Error).message);
        } finally {
          this.waiting -= take.length;
        }
      }
    } finally {
      this.queues.delete(instance);
    }
  }

  private reportDropped(why: string, always = false): void {
    const now = this.opts.clock.now();
    if (!always && now - this.reportedAt < DROP_REPORT_MS) return;
    this.reportedAt = now;
    this.opts.log.warn({ app: this.opts.plan.app, dropped: this.dropped, why, code: DeployCodes.ROUTE_BEST_EFFORT_DROPPED }, `routes: ${this.dropped} best-effort messages (QoS 0 or plain publishes on MQTT topics) of ${this.opts.plan.app} dropped so far`);
  }
}

