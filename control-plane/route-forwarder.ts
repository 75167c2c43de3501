import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { backoffDelayMs } from '../protocols/index.ts';
import type { Clock, TellOptions } from '../kernel/index.ts';
import type { RoutedMessage } from '../protocols/index.ts';
import { routeDeliveries } from './route-plan.ts';
import type { RoutePlan } from './route-plan.ts';

/** Tells one actor instance of this site a message (resolves once its mailbox stored it). */
export type RouteTell = (instance: string, body: RoutedMessage, opts: TellOptions) => Promise<void>;

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
}

/**
 * Forwards what an app's route stream captured into the target actors' mailboxes, in capture
 * order: each message is told to every matching route's target with a de-duplication id derived
 * from its capture sequence, and acked only after every mailbox stored it. A tell that fails (a
 * full mailbox) is retried in place with backoff, so later messages wait behind it rather than
 * overtake it; a node killed in between leaves the message unacked, and its redelivery is stored
 * once. Runs until `signal` aborts.
 */
export class RouteForwarder {
  constructor(private readonly opts: RouteForwarderOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const { clock, log } = this.opts;
    for (let attempt = 0; !signal.aborted; ) {
      try {
        const { consumer, incarnation } = await this.opts.consumer();
        const messages = await consumer.consume({ max_messages: this.opts.batch ?? 256, abort_on_missing_resource: true });
        const stop = (): void => void messages.stop();
        signal.addEventListener('abort', stop, { once: true });
        // Aborted while the consumer was being set up: the listener came too late to fire.
        if (signal.aborted) stop();
        try {
          for await (const m of messages) {
            attempt = 0;
            await this.forward(m, incarnation, signal);
            if (signal.aborted) break;
          }
        } finally {
          signal.removeEventListener('abort', stop);
        }
      } catch (err) {
        if (!signal.aborted) log.warn({ err: (err as Error).message, stream: this.opts.plan.stream }, 'route forwarder: consumer failed');
      }
      if (signal.aborted) return;
      // The pull ended without being asked to: the stream or consumer went missing. Recreate, resume.
      const delayMs = backoffDelayMs(++attempt, { initialMs: 100, maxMs: 5_000 });
      log.warn({ stream: this.opts.plan.stream, attempt, delayMs }, 'route forwarder: capture consumer lost; recreating it');
      await clock.sleep(delayMs, signal).catch(() => undefined);
    }
  }

  private async forward(m: JsMsg, incarnation: string, signal: AbortSignal): Promise<void> {
    const { plan, tell, clock, log } = this.opts;
    const headers = headersOf(m);
    // Deliveries already stored are not told again on a retry: a fan-out whose other target stays
    // full for longer than the mailbox's de-duplication window would otherwise store them twice.
    const stored = new Set<string>();
    for (let failures = 0; ; ) {
      try {
        for (const d of routeDeliveries(plan, incarnation, m.subject, m.seq)) {
          if (stored.has(d.id)) continue;
          const body: RoutedMessage = { type: 'routed', subject: m.subject, data: m.data, route: d.route, ...(headers ? { headers } : {}) };
          await tell(d.instance, body, { id: d.id, signal });
          stored.add(d.id);
        }
        m.ack();
        return;
      } catch (err) {
        if (signal.aborted) return; // unacked: redelivered to the next forwarder
        const delayMs = backoffDelayMs(++failures, { initialMs: 200, maxMs: 10_000 });
        log.warn({ err: (err as Error).message, stream: plan.stream, seq: m.seq, subject: m.subject, failures, delayMs }, 'route forwarder: a mailbox did not take the message; retrying it before the next');
        m.working();
        await clock.sleep(delayMs, signal).catch(() => undefined);
        if (signal.aborted) return;
        m.working();
      }
    }
  }
}

function headersOf(m: JsMsg): Record<string, string> | undefined {
  if (!m.headers) return undefined;
  const out: Record<string, string> = {};
  for (const key of m.headers.keys()) out[key] = m.headers.get(key);
  return Object.keys(out).length > 0 ? out : undefined;
}
