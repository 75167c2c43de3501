import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { isNotFound, systemClock } from '../kernel/index.ts';
import type { Clock } from '../kernel/index.ts';
import { Consumers, DeployCodes } from '../protocols/index.ts';
import type { ActorEvent } from '../protocols/index.ts';
import { fillAlert, fillOf, ROUTE_CAPTURE_MAX_MSGS } from './capture-fill.ts';
import type { FillReading } from './capture-fill.ts';
import { heldByStoreConsumer, storeExcess } from './mqtt-store-fill.ts';
import type { RoutePlan } from './route-plan.ts';
import { MQTT_MSGS_STREAM, readsMqttStore } from './route-plan.ts';

export interface CaptureFillWatchOptions {
  readonly site: string;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly log: Logger;
  readonly clock?: Clock;
  /** The message limit the MQTT store is held to (capture streams carry theirs). @default ROUTE_CAPTURE_MAX_MSGS */
  readonly captureLimits?: { readonly maxMsgs?: number };
  readonly onEvent?: (event: ActorEvent) => void;
  /** @default 5000 */
  readonly fillCheckMs?: number;
  /** The apps whose routes to watch, with their plans (paused ones too). */
  readonly plans: () => Iterable<readonly [string, RoutePlan]>;
  /** Drops the `count` oldest device publishes held for an app (RouteExecutor.shed: it pauses a running forwarder meanwhile); how many went. */
  readonly shed: (app: string, count: number) => Promise<number>;
  /** Called at the start of each round (RouteExecutor.resumeStalled). */
  readonly beforeCheck?: () => Promise<void>;
}

/** Watches how full the capture streams of a site's routes, and the device publishes held for them on the MQTT store, are. */
export class CaptureFillWatch {
  private readonly armed = new Map<string, boolean>();

  constructor(private readonly opts: CaptureFillWatchOptions) {}

  /**
   * Until `signal` aborts, looks at the capture streams of this executor's apps (paused ones too:
   * a failed app's stream fills while nothing forwards) every `fillCheckMs`, and raises a
   * `filling` event (CAIRN_ROUTE_CAPTURE_FILLING) for each target when one reaches 80 % of its
   * message or byte limit, before it drops anything; once more after it fell below 70 %. An app's
   * device publishes held on the server's MQTT store count against the same message limit; past
   * it, the oldest are dropped (the store has no limit of its own) and a `dropped` event says how
   * many (CAIRN_ROUTE_CAPTURE_DROPPED).
   */
  async run(signal: AbortSignal): Promise<void> {
    const clock = this.opts.clock ?? systemClock;
    while (!signal.aborted) {
      await this.opts.beforeCheck?.().catch((err: unknown) => this.opts.log.warn({ err }, 'routes: fill check preparation failed'));
      for (const [app, plan] of [...this.opts.plans()]) {
        if (signal.aborted) return;
        await this.checkCaptureStream(app, plan);
        if (readsMqttStore(plan)) await this.checkMqttStore(app, plan);
      }
      await clock.sleep(this.opts.fillCheckMs ?? 5_000, signal).catch(() => undefined);
    }
  }

  private async checkCaptureStream(app: string, plan: RoutePlan): Promise<void> {
    try {
      const info = await this.opts.jsm.streams.info(plan.stream);
      this.alertIfFilling(app, plan, plan.stream, fillOf({ messages: info.state.messages, bytes: info.state.bytes }, { maxMsgs: info.config.max_msgs, maxBytes: info.config.max_bytes }), 'its oldest messages are dropped');
    } catch (err) {
      if (!isNotFound(err)) this.opts.log.debug({ err, app }, 'routes: capture stream fill not read');
    }
  }

  private async checkMqttStore(app: string, plan: RoutePlan): Promise<void> {
    const { jsm, log, site } = this.opts;
    const consumer = Consumers.mqttRoutes(site, app);
    const limit = this.opts.captureLimits?.maxMsgs ?? ROUTE_CAPTURE_MAX_MSGS;
    try {
      const held = await heldByStoreConsumer(jsm, consumer);
      this.alertIfFilling(app, plan, MQTT_MSGS_STREAM, fillOf({ messages: held, bytes: 0 }, { maxMsgs: limit, maxBytes: -1 }), 'the oldest device publishes held for this application are dropped');
      // Past the limit: an app that is paused or failed, or whose actor does not keep up.
      const excess = storeExcess(held, limit);
      if (excess === 0) return;
      const count = await this.opts.shed(app, excess);
      if (count === 0) return;
      const ts = (this.opts.clock ?? systemClock).now();
      log.warn({ app, stream: MQTT_MSGS_STREAM, consumer, count, limit, code: DeployCodes.ROUTE_CAPTURE_DROPPED }, `routes: dropped the ${count} oldest device publishes held for ${app} on ${MQTT_MSGS_STREAM} (limit ${limit})`);
      for (const actor of targetsOf(plan)) this.opts.onEvent?.({ v: 1, type: 'dropped', actor, stream: MQTT_MSGS_STREAM, count, code: DeployCodes.ROUTE_CAPTURE_DROPPED, ts });
    } catch (err) {
      if (!isNotFound(err)) log.debug({ err, app }, 'routes: MQTT store fill not read');
    }
  }

  /** Raises `filling` for each target of `plan` when `reading` crosses the alert threshold of `stream` (armed again below the rearm one). */
  private alertIfFilling(app: string, plan: RoutePlan, stream: string, reading: FillReading, past: string): void {
    const key = `${stream}\u0000${app}`;
    const next = fillAlert(reading, this.armed.get(key) ?? true);
    this.armed.set(key, next.armed);
    if (!next.raise) return;
    const ts = (this.opts.clock ?? systemClock).now();
    this.opts.log.warn({ app, stream, used: reading.used, limit: reading.limit, code: DeployCodes.ROUTE_CAPTURE_FILLING }, `routes: ${stream} is ${Math.round(reading.used * 100)} % full by ${reading.limit} for ${app}; past 100 % ${past}`);
    for (const actor of targetsOf(plan)) this.opts.onEvent?.({ v: 1, type: 'filling', actor, stream, used: reading.used, limit: reading.limit, code: DeployCodes.ROUTE_CAPTURE_FILLING, ts });
  }
}

/** The actors a plan's routes deliver to. */
function targetsOf(plan: RoutePlan): string[] {
  return [...new Set(plan.routes.flatMap((r) => r.instances))];
}
