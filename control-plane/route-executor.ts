import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { Consumer, ConsumerConfig, JetStreamClient, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { ensureStream, isNotFound, resetConsumer, systemClock } from '../kernel/index.ts';
import type { Clock, DirectSource, DirectSourceOptions } from '../kernel/index.ts';
import { CairnError, Consumers, DeployCodes, Streams } from '../protocols/index.ts';
import type { ActorEvent } from '../protocols/index.ts';
import { ROUTE_CAPTURE_MAX_MSGS } from './capture-fill.ts';
import { CaptureFillWatch } from './capture-fill-watch.ts';
import { dropOldestFromStore } from './mqtt-store-fill.ts';
import { deleteOwnedStream } from './delete-stream.ts';
import { RouteForwarder } from './route-forwarder.ts';
import type { RouteTell } from './route-forwarder.ts';
import type { RoutePlan } from './route-plan.ts';
import { MQTT_MSGS_PREFIX, MQTT_MSGS_STREAM, bestEffortSubjects, captureSubjects, isStoredDevicePublish, leavesMqttTopicsToStore, oneRoutePerSubject, readsMqttStore } from './route-plan.ts';
import { BestEffortRoutes } from './route-best-effort.ts';
import { devicePublishDelivery } from './device-publish-delivery.ts';
import { MQTT_STORE_ACK_WAIT_MS, acksTogether, ensureMqttStoreConsumer, mqttStoreConsumerConfig } from './mqtt-store-consumer.ts';

/** How long a captured message may wait to be forwarded (its actor's site down, say). */
export const ROUTE_CAPTURE_MAX_AGE_MS = 7 * 24 * 3600_000;
export { ROUTE_CAPTURE_MAX_MSGS } from './capture-fill.ts';
/** How long a forwarder may hold a capture before the server hands it out again (the MQTT store's: MQTT_STORE_ACK_WAIT_MS). */
const ROUTE_ACK_WAIT_MS = 30_000;

/** How much a capture stream may hold before it drops its oldest messages. */
export interface CaptureLimits {
  /** @default ROUTE_CAPTURE_MAX_AGE_MS */
  readonly maxAgeMs?: number;
  /** @default ROUTE_CAPTURE_MAX_MSGS */
  readonly maxMsgs?: number;
  /** @default no limit (the server's JetStream limits) */
  readonly maxBytes?: number;
}

/**
 * The stream capturing an app's routes on a site: WorkQueue (a message leaves once forwarded),
 * bounded; on `subjects` (captureSubjects: all of the plan's, unless its MQTT topics are left to the MQTT store).
 */
export function routeStreamConfig(plan: RoutePlan, limits: CaptureLimits = {}, subjects: readonly string[] = plan.subjects): Partial<StreamConfig> & { name: string } {
  return {
    name: plan.stream,
    subjects: [...subjects],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    max_age: nanos(limits.maxAgeMs ?? ROUTE_CAPTURE_MAX_AGE_MS),
    max_msgs: limits.maxMsgs ?? ROUTE_CAPTURE_MAX_MSGS,
    max_bytes: limits.maxBytes ?? -1,
    discard: DiscardPolicy.Old,
    // Whose it is, for the sweep of streams whose app went away while no controller watched.
    metadata: { [ROUTE_STREAM_SITE]: plan.site, [ROUTE_STREAM_APP]: plan.app },
  };
}

const ROUTE_STREAM_SITE = 'cairn.site';
const ROUTE_STREAM_APP = 'cairn.app';

export function routeConsumerConfig(): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: Consumers.routes,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ROUTE_ACK_WAIT_MS),
    max_ack_pending: 1_024,
    max_deliver: -1,
  };
}

export interface RouteExecutorOptions {
  readonly site: string;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly tell: RouteTell;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Limits of the capture streams. @default 7 days, 1,000,000 messages */
  readonly captureLimits?: CaptureLimits;
  /** Hears a `filling` event for each target of a capture stream 80 % full. */
  readonly onEvent?: (event: ActorEvent) => void;
  /** How often `watchFill` looks at the capture streams. @default 5000 */
  readonly fillCheckMs?: number;
  /** The connection under `jsm`, for API requests its client has no call for (a consumer reset). Without it, consumers are not reset. */
  readonly nc?: NatsConnection;
  /**
   * Hands a consumer's messages to the site leader's actors directly (ActorNode.deliverFrom): with
   * it, an app whose routes send each subject to one route at most gets its QoS 1 and 2 device
   * publishes from the MQTT store straight into its actors, without a copy into the mailbox.
   * @default forwarded into the mailboxes
   */
  readonly direct?: (source: DirectSourceOptions) => Promise<DirectSource>;
}

/** Most device publishes one cut of the MQTT store drops; more go at the next fill check. */
export const MAX_SHED_PER_CALL = 10_000;

interface Running {
  readonly abort: AbortController;
  readonly done: Promise<unknown>;
}

/**
 * Runs the routes of the apps a site runs: per app, a stream capturing the routes' subjects and a
 * forwarder into the mailboxes. `run` starts (or restarts, with a new plan) an app's routes;
 * `pause` stops forwarding but keeps capturing (an app being replaced by a new revision, a node
 * shutting down); `remove` also deletes the stream (the app no longer runs on this site).
 */
export class RouteExecutor {
  private readonly running = new Map<string, Running>();
  /** The plan of each app whose stream this executor made, paused ones too: whom a fill alert concerns. */
  private readonly plans = new Map<string, RoutePlan>();
  /** The last change of each app's routes: run, pause, remove and shed of one app follow each other. */
  private readonly changes = new Map<string, Promise<unknown>>();
  /** Apps whose forwarding did not start again after a cut (shed): started again at the next check. */
  private readonly stalled = new Set<string>();

  constructor(private readonly opts: RouteExecutorOptions) {}

  /** Runs `change` of `app`'s routes once the ones before it ended. */
  private serial<T>(app: string, change: () => Promise<T>): Promise<T> {
    const next = (this.changes.get(app) ?? Promise.resolve()).catch(() => undefined).then(change);
    this.changes.set(app, next);
    void next.finally(() => {
      if (this.changes.get(app) === next) this.changes.delete(app);
    }).catch(() => undefined);
    return next;
  }

  /** Captures and forwards `plan` for `app`; without a plan (no route targets this site) removes what there was. */
  run(app: string, plan: RoutePlan | undefined): Promise<void> {
    return this.serial(app, () => this.runNow(app, plan));
  }

  private async runNow(app: string, plan: RoutePlan | undefined): Promise<void> {
    await this.pauseNow(app);
    if (!plan) {
      // No route targets this site any more: nothing may keep device publishes for it either.
      this.plans.delete(app);
      await this.dropMqttStoreConsumer(app);
      return this.deleteStream(Streams.routes(this.opts.site, app));
    }
    const { jsm, js, log } = this.opts;
    const mqtt = readsMqttStore(plan);
    const storeSince = await this.capture(app, plan);
    // A fresh consumer, as a mailbox's leader does: the WorkQueue holds exactly what nobody acked,
    // and a new consumer hands it all out in capture order (an old one would redeliver what a
    // crashed forwarder held only after the ack wait, behind newer messages). The incarnation is
    // read each time: a stream deleted and recreated under a running forwarder numbers from 1 again.
    const consumer = async () => {
      await ensureStream(jsm, this.captureConfig(plan));
      await jsm.consumers.delete(plan.stream, Consumers.routes).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      await jsm.consumers.add(plan.stream, routeConsumerConfig());
      const info = await jsm.streams.info(plan.stream);
      return { consumer: await js.consumers.get(plan.stream, Consumers.routes), incarnation: String(Date.parse(info.created)) };
    };
    const abort = new AbortController();
    const clock = this.opts.clock ?? systemClock;
    // QoS 1 and 2 device publishes come from the server's MQTT store (stored before their PUBACK);
    // the capture stream gets them too, only afterwards, and leaves them to that forwarder.
    const connection = this.opts.nc ? { connection: this.opts.nc } : {};
    const forwarder = new RouteForwarder({ plan, tell: this.opts.tell, consumer, clock, log, ackWaitMs: ROUTE_ACK_WAIT_MS, ...connection, ...(mqtt ? { skip: (headers: Readonly<Record<string, string>> | undefined, storedAtMs: number) => isStoredDevicePublish(headers) && storedAtMs >= storeSince } : {}) });
    const runs: Promise<unknown>[] = [forwarder.run(abort.signal).catch((err: unknown) => log.error({ err, app }, 'route forwarder stopped'))];
    // Each device publish has one actor: it is handed to its cell from the store, acked there once
    // handled. Where that cannot start (the store's consumer not reachable yet), the forwarder
    // below takes over, which retries with backoff.
    const direct = this.readsDirectly(plan) && this.opts.direct ? await this.startDirect(app, plan, this.opts.direct) : undefined;
    if (direct) {
      runs.push(new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => void direct.stop().catch((err: unknown) => log.error({ err, app }, 'routes: direct delivery from the MQTT store did not stop cleanly')).finally(resolve), { once: true })));
    } else if (mqtt) {
      const fromStore = new RouteForwarder({ plan, tell: this.opts.tell, consumer: () => this.mqttStoreConsumer(app, plan, true), clock, log, ackWaitMs: MQTT_STORE_ACK_WAIT_MS, ...connection, source: { stream: MQTT_MSGS_STREAM, subjectPrefix: MQTT_MSGS_PREFIX } });
      runs.push(fromStore.run(abort.signal).catch((err: unknown) => log.error({ err, app }, 'route forwarder (MQTT store) stopped')));
    }
    // QoS 0 and plain publishes on MQTT topics the capture stream leaves out: best effort.
    const bestEffort = this.leavesMqtt(plan) ? bestEffortSubjects(plan, true) : [];
    if (bestEffort.length > 0 && this.opts.nc) {
      const taker = new BestEffortRoutes({ plan, subjects: bestEffort, nc: this.opts.nc, tell: this.opts.tell, log, clock, ...(this.opts.onEvent ? { onEvent: this.opts.onEvent } : {}) });
      taker.start(abort.signal);
      runs.push(new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => void taker.stop().catch((err: unknown) => log.error({ err, app }, 'routes: best-effort delivery did not stop cleanly')).finally(resolve), { once: true })));
    }
    this.running.set(app, { abort, done: Promise.all(runs) });
    log.info({ app, stream: plan.stream, subjects: plan.subjects }, 'routes: capturing and forwarding');
  }

  /**
   * Whether `plan`'s capture stream leaves its MQTT topics to the MQTT store (leavesMqttTopicsToStore),
   * which takes the connection: what else is published on them is then taken by a core subscription.
   */
  private leavesMqtt(plan: RoutePlan): boolean {
    return this.opts.nc !== undefined && leavesMqttTopicsToStore(plan);
  }

  private captureConfig(plan: RoutePlan): ReturnType<typeof routeStreamConfig> {
    return routeStreamConfig(plan, this.opts.captureLimits, captureSubjects(plan, this.leavesMqtt(plan)));
  }

  /** Hands `app`'s device publishes from the MQTT store to its actors directly; undefined (said in the log) when that cannot start. */
  private async startDirect(app: string, plan: RoutePlan, direct: NonNullable<RouteExecutorOptions['direct']>): Promise<DirectSource | undefined> {
    const { site, log } = this.opts;
    try {
      return await direct({
        name: `routes of ${app} (MQTT store)`,
        consumer: () => this.mqttStoreConsumer(app, plan, true),
        decode: (m, incarnation) => devicePublishDelivery(site, plan, m, incarnation),
        ackWaitMs: MQTT_STORE_ACK_WAIT_MS,
      });
    } catch (err) {
      log.warn({ err: (err as Error).message, app }, 'routes: device publishes cannot be handed to their actors from the MQTT store directly; forwarding them through the mailboxes instead');
      return undefined;
    }
  }

  /**
   * Makes `plan`'s capture: its stream and, for MQTT routes, its consumer on the server's MQTT
   * store, so that what is published from now on is kept for the forwarder `run` starts (an app
   * captures before its hub's listener opens). Returns since when the MQTT store keeps device
   * publishes for it: a QoS 1 publish the capture stream stored before then is forwarded from the
   * capture stream (infinity without MQTT routes).
   */
  async capture(app: string, plan: RoutePlan): Promise<number> {
    try {
      let storeSince = Number.POSITIVE_INFINITY;
      if (readsMqttStore(plan)) storeSince = (await this.mqttStoreConsumer(app, plan, false)).since;
      else await this.dropMqttStoreConsumer(app);
      await ensureStream(this.opts.jsm, this.captureConfig(plan));
      this.plans.set(app, plan);
      return storeSince;
    } catch (err) {
      throw new CairnError(DeployCodes.ROUTE_CAPTURE_FAILED, `cannot capture the routes of application "${app}" (stream ${plan.stream}, subjects ${plan.subjects.join(', ')}): ${(err as Error).message}`, { cause: err, details: { app, stream: plan.stream, subjects: plan.subjects } });
    }
  }

  /** Stops forwarding `app`'s routes; the stream keeps capturing. */
  pause(app: string): Promise<void> {
    return this.serial(app, () => this.pauseNow(app));
  }

  private async pauseNow(app: string): Promise<void> {
    this.stalled.delete(app);
    const r = this.running.get(app);
    if (!r) return;
    this.running.delete(app);
    r.abort.abort();
    await r.done;
  }

  /**
   * The app's consumer on nats-server's MQTT store, made (with the store itself, as the server would
   * make it on its first MQTT connection) if missing, its filters brought up to date otherwise.
   * `reset`: moved back to its ack floor first, so that what a stopped forwarder held comes again
   * at once and in order, rather than after the ack wait behind newer messages.
   */
  private async mqttStoreConsumer(app: string, plan: RoutePlan, reset: boolean): Promise<{ consumer: Consumer; incarnation: string; since: number }> {
    const { jsm, js, site, nc, log } = this.opts;
    let info = await jsm.streams.info(MQTT_MSGS_STREAM).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (!info) {
      await jsm.streams.add({ name: MQTT_MSGS_STREAM, subjects: [`${MQTT_MSGS_PREFIX}>`], storage: StorageType.File, retention: RetentionPolicy.Interest, num_replicas: 1 }).catch((err: unknown) => {
        // Made meanwhile by the server (a device connected).
        if (!/already in use/i.test((err as Error).message)) throw err;
      });
      info = await jsm.streams.info(MQTT_MSGS_STREAM);
    }
    const config = mqttStoreConsumerConfig(site, app, plan, acksTogether(plan, this.readsDirectly(plan)));
    const made = await ensureMqttStoreConsumer(jsm, site, app, config, log);
    if (!made.fresh && reset && nc) await resetConsumer(nc, jsm, MQTT_MSGS_STREAM, config.durable_name);
    return { consumer: await js.consumers.get(MQTT_MSGS_STREAM, config.durable_name), incarnation: String(Date.parse(info.created)), since: made.since };
  }

  /** Whether `plan`'s device publishes are handed to their actors from the store (startDirect), not forwarded into mailboxes. */
  private readsDirectly(plan: RoutePlan): boolean {
    return readsMqttStore(plan) && this.opts.direct !== undefined && oneRoutePerSubject(plan);
  }

  /** Deletes the app's consumer on the MQTT store, if any: the server stops keeping device publishes for it. */
  private async dropMqttStoreConsumer(app: string): Promise<void> {
    for (const name of [Consumers.mqttRoutes(this.opts.site, app), Consumers.mqttRoutesHandover(this.opts.site, app)]) {
      await this.opts.jsm.consumers.delete(MQTT_MSGS_STREAM, name).catch((err: unknown) => {
        if (!isNotFound(err)) this.opts.log.warn({ err, app, consumer: name }, 'routes: consumer on the MQTT store not removed');
      });
    }
  }

  /** Stops forwarding and deletes the capture stream (what it still held is dropped with the app). */
  remove(app: string): Promise<void> {
    return this.serial(app, async () => {
      await this.pauseNow(app);
      this.plans.delete(app);
      await this.dropMqttStoreConsumer(app);
      await this.deleteStream(Streams.routes(this.opts.site, app));
    });
  }

  /**
   * Drops the `count` oldest device publishes `app`'s consumer on the MQTT store holds (not yet
   * forwarded, or held by a forwarder that cannot store them: a mailbox that stays full), at most
   * MAX_SHED_PER_CALL at a time (the rest at the next check: other changes of the app wait
   * meanwhile). The consumer is moved back to its ack floor first, so that what a forwarder held
   * comes first again and the oldest go; a running forwarder is paused for it and run again from
   * what is left. Without the connection (`nc`) only an app that does not forward is cut, from
   * what its consumer hands out next. Returns how many were dropped.
   */
  shed(app: string, count: number): Promise<number> {
    return this.serial(app, async () => {
      const plan = this.plans.get(app);
      if (!plan || count <= 0) return 0;
      const { js, jsm, nc, site, log } = this.opts;
      const consumer = Consumers.mqttRoutes(site, app);
      const take = Math.min(count, MAX_SHED_PER_CALL);
      const forwarding = this.running.has(app);
      if (!nc) return forwarding ? 0 : dropOldestFromStore(js, consumer, take, log);
      if (forwarding) await this.pauseNow(app);
      try {
        await resetConsumer(nc, jsm, MQTT_MSGS_STREAM, consumer);
        return await dropOldestFromStore(js, consumer, take, log);
      } finally {
        // The newest plan: a capture may have brought one meanwhile.
        if (forwarding) await this.resume(app, this.plans.get(app) ?? plan);
      }
    });
  }

  /**
   * Runs `app`'s routes again after a cut; when that fails (the server busy or away), says so and
   * tries again at each fill check (resumeStalled) rather than leave the app not forwarding.
   */
  private async resume(app: string, plan: RoutePlan): Promise<void> {
    try {
      await this.runNow(app, plan);
      this.stalled.delete(app);
    } catch (err) {
      this.stalled.add(app);
      this.opts.log.error({ err, app, code: DeployCodes.ROUTE_CAPTURE_FAILED }, 'routes: forwarding did not start again after a cut of the MQTT store; trying again at the next check');
    }
  }

  /** Runs again the routes whose restart after a cut failed (called by the fill watch each round). */
  async resumeStalled(): Promise<void> {
    for (const app of [...this.stalled]) {
      await this.serial(app, async () => {
        const plan = this.plans.get(app);
        if (!plan || this.running.has(app) || !this.stalled.has(app)) return void this.stalled.delete(app);
        await this.resume(app, plan);
      });
    }
  }

  /**
   * Deletes this site's capture streams whose app `wanted` says no to (deleted, or moved off this
   * site, while no controller ran here); streams of apps this executor runs are kept. Returns the
   * apps whose streams were deleted.
   */
  async sweep(wanted: (app: string) => Promise<boolean>): Promise<string[]> {
    const { jsm, site } = this.opts;
    const owned: string[] = [];
    for await (const info of jsm.streams.list()) {
      const meta = info.config.metadata ?? {};
      // Module streams carry the same site and app, with a kind (module-streams.ts): not ours.
      if (meta[ROUTE_STREAM_SITE] === site && meta[ROUTE_STREAM_APP] !== undefined && meta['cairn.kind'] === undefined) owned.push(meta[ROUTE_STREAM_APP]);
    }
    const swept: string[] = [];
    for (const app of owned) {
      if (this.running.has(app) || (await wanted(app))) continue;
      await this.deleteStream(Streams.routes(site, app));
      swept.push(app);
    }
    // An orphan consumer on the MQTT store would make the server keep device publishes for ever.
    const prefixes = [Consumers.mqttRoutes(site, ''), Consumers.mqttRoutesHandover(site, '')];
    const consumers: { name: string }[] = [];
    try {
      for await (const c of jsm.consumers.list(MQTT_MSGS_STREAM)) consumers.push(c);
    } catch (err) {
      if (!isNotFound(err)) this.opts.log.warn({ err }, 'routes: consumers on the MQTT store not listed; orphans stay until the next start');
    }
    for (const c of consumers) {
      const prefix = prefixes.find((p) => c.name.startsWith(p));
      const app = prefix === undefined ? undefined : c.name.slice(prefix.length);
      if (app === undefined || this.running.has(app) || (await wanted(app))) continue;
      await this.dropMqttStoreConsumer(app);
      if (!swept.includes(app)) swept.push(app);
    }
    return swept;
  }

  /** Until `signal` aborts, watches how full this executor's capture streams are (capture-fill-watch.ts). */
  watchFill(signal: AbortSignal): Promise<void> {
    return new CaptureFillWatch({ ...this.opts, plans: () => this.plans, shed: (app, count) => this.shed(app, count), beforeCheck: () => this.resumeStalled() }).run(signal);
  }

  /** Stops every forwarder; streams keep capturing for the next leader. */
  async stop(): Promise<void> {
    // Apps in the middle of a change too (a cut pauses, then runs again): paused after it.
    for (const app of new Set([...this.running.keys(), ...this.changes.keys()])) await this.pause(app);
  }

  private deleteStream(stream: string): Promise<void> {
    return deleteOwnedStream(this.opts.jsm, this.opts.log, stream, 'routes: capture stream');
  }
}
